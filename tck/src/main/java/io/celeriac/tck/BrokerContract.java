package io.celeriac.tck;

import io.celeriac.broker.Binding;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;
import io.celeriac.broker.BrokerClosedException;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.DeclarationConflictException;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.DeliveryAlreadySettledException;
import io.celeriac.broker.ExchangeNotFoundException;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.ExchangeType;
import io.celeriac.broker.InvalidDeclarationException;
import io.celeriac.broker.InvalidMessageException;
import io.celeriac.broker.Message;
import io.celeriac.broker.QueueNotFoundException;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.QueueStats;
import io.celeriac.broker.StaleDeliveryException;
import io.celeriac.broker.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance kit for message brokers ({@link Broker}): extend it in your plugin's tests and implement
 * {@link #createFixture()}.
 *
 * <pre>{@code
 * class MyBrokerContractTest extends BrokerContract {
 *     protected BrokerFixture createFixture() {
 *         return new BrokerFixture() {
 *             public Broker open() { return Celeriac.discover().openBroker("my://host/vhost"); }
 *             public Set<BrokerCapability> capabilities() { return EnumSet.allOf(BrokerCapability.class); }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>It checks kombu's semantics: a round trip of every header type and property; priorities; ack, reject and
 * requeue (a requeued message comes back redelivered); unacknowledged messages coming back after their consumer's
 * broker closes; the prefetch limit across queues; fanout to several queues, topic routing and pidbox-style direct
 * replies; queue depth and consumer count, purge and delete; 8 threads publishing 4,000 messages consumed exactly
 * once; thousands of asynchronous publishes awaiting their confirmations at once; typed errors for bad input;
 * close being idempotent and leaking no thread. Every queue and exchange a test uses has a unique name, and is
 * deleted after the test; no test consumes from a queue it did not create. Tests of undeclared capabilities are
 * skipped. Every timeout is scaled by {@link Tck#timeScale()}.
 */
public abstract class BrokerContract {

    private BrokerFixture fixture;
    private final List<Broker> opened = new ArrayList<>();
    private final List<String> queues = new ArrayList<>();
    private final List<String> exchanges = new ArrayList<>();
    private final String prefix = "tck-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private int names;

    /**
     * Creates a fresh fixture for one test.
     *
     * @return the fixture
     * @throws Exception when the broker cannot be prepared
     */
    protected abstract BrokerFixture createFixture() throws Exception;

    /**
     * Prefixes of thread names that belong to JVM-wide pools of the plugin's libraries and outlive a closed broker
     * by design; the leak check ignores them. Default: none.
     *
     * @return name prefixes
     */
    protected Set<String> sharedThreadNamePrefixes() {
        return Set.of();
    }

    @BeforeEach
    final void createKitFixture() throws Exception {
        fixture = createFixture();
    }

    @AfterEach
    final void closeKitFixture() throws Exception {
        for (Broker b : opened) {
            try {
                b.close();
            } catch (RuntimeException e) {
                // the test failed already or closed it
            }
        }
        opened.clear();
        try {
            if (!queues.isEmpty() || !exchanges.isEmpty()) {
                try (Broker b = fixture.open()) {
                    for (String q : queues) {
                        try {
                            b.deleteQueue(q);
                        } catch (RuntimeException e) {
                            // keep cleaning up
                        }
                    }
                    for (String x : exchanges) {
                        try {
                            b.deleteExchange(x);
                        } catch (RuntimeException e) {
                            // keep cleaning up
                        }
                    }
                }
            }
        } finally {
            fixture.close();
        }
    }

    /**
     * Opens a broker on the test's fixture.
     *
     * @return the broker, closed after the test
     */
    protected final Broker open() {
        Broker b = fixture.open();
        opened.add(b);
        return b;
    }

    /**
     * Whether the fixture declares a capability.
     *
     * @param c the capability
     * @return whether declared
     */
    protected final boolean has(BrokerCapability c) {
        return fixture.capabilities().contains(c);
    }

    /**
     * A unique queue or exchange name for this test, deleted after it.
     *
     * @param what a word for readability
     * @param exchange whether it names an exchange (else a queue)
     * @return the name
     */
    protected final String name(String what, boolean exchange) {
        String n = prefix + what + "-" + (++names);
        (exchange ? exchanges : queues).add(n);
        return n;
    }

    /** Declares a fresh durable queue. */
    private String queue(Broker b, String what) {
        String q = name(what, false);
        b.declareQueue(QueueSpec.durable(q));
        return q;
    }

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    /** Collects deliveries; optionally acknowledges each. */
    private static final class Inbox {
        final BlockingQueue<Delivery> all = new LinkedBlockingQueue<>();
        final boolean ack;

        Inbox(boolean ack) {
            this.ack = ack;
        }

        void handle(Delivery d) {
            if (ack) {
                d.ack(); // before it is seen: a test that takes it finds it settled
            }
            all.add(d);
        }

        Delivery next() throws InterruptedException {
            Delivery d = all.poll(t(10).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(d).as("a delivery within %s", t(10)).isNotNull();
            return d;
        }

        List<Delivery> take(int n) throws InterruptedException {
            List<Delivery> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(next());
            }
            return out;
        }
    }

    private static Message text(String body) {
        return Message.builder().body(body).build();
    }

    // =============================================================================================
    // description

    @Test
    void required_declaresExactlyTheFixtureCapabilities() {
        Broker b = open();
        assertThat(b.capabilities()).containsExactlyInAnyOrderElementsOf(fixture.capabilities());
        for (BrokerCapability c : BrokerCapability.values()) {
            assertThat(b.supports(c)).as("supports(%s)", c).isEqualTo(fixture.capabilities().contains(c));
        }
        assertThat(b.asUri()).isNotBlank();
        assertThat(b.isConnected()).isTrue();
    }

    // =============================================================================================
    // round trip

    @Test
    void required_roundTripOfEveryHeaderTypeAndProperty() throws Exception {
        Broker b = open();
        String q = queue(b, "roundtrip");
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("k", "v");
        nested.put("n", 1L);
        nested.put("none", null);
        nested.put("list", List.of(1L, "two", true));
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("lang", "py");
        headers.put("task", "proj.add");
        headers.put("unicode", "é✓ – ünïcødé 🎉");
        headers.put("empty", "");
        headers.put("retries", 0L);
        headers.put("small", 7L);
        headers.put("negative", -42L);
        headers.put("int_max", (long) Integer.MAX_VALUE);
        headers.put("big", 1L << 40);
        headers.put("ignore_result", false);
        headers.put("flag", true);
        headers.put("expires_float", 1796608836.7318265);
        headers.put("shadow", null);
        headers.put("timelimit", Arrays.asList(null, null));
        headers.put("mixed", Arrays.asList(30L, "x", null, 1.5, false, List.of(), Map.of()));
        headers.put("nested", nested);
        headers.put("empty_list", List.of());
        headers.put("empty_map", Map.of());
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        Message sent = Message.builder().body(body).contentType("application/x-custom").contentEncoding("binary")
                .headers(headers).priority(7).deliveryMode(Message.TRANSIENT).correlationId(UUID.randomUUID().toString())
                .replyTo("reply-" + UUID.randomUUID()).expiration("600000").messageId("m-1").type("kind")
                .appId("celeriac-tck").timestamp(Instant.ofEpochSecond(1_796_608_460L)).build();
        Message plain = Message.builder().body("[[2, 3], {\"z\": 1}, {\"callbacks\": null}]").headers(Map.of()).build();
        String x = name("direct", true);
        b.declareExchange(ExchangeSpec.direct(x));
        b.bind(Binding.of(q, x, "rk-" + q));

        Inbox inbox = new Inbox(true);
        b.consume(List.of(q), ConsumeOptions.prefetch(10), inbox::handle);
        b.publish("", q, sent);
        b.publish(x, "rk-" + q, plain);

        // the two carry different priorities: a broker that orders by priority (kombu's Redis) may hand out either
        // first when both are waiting, so they are matched by content, not by arrival order
        Delivery first = inbox.next();
        Delivery second = inbox.next();
        boolean inOrder = first.message().body().length == body.length;
        Delivery d1 = inOrder ? first : second;
        Delivery d2 = inOrder ? second : first;
        assertThat(d1.message()).isEqualTo(sent);
        assertThat(d1.message().headers()).isEqualTo(sent.headers());
        assertThat(d1.message().body()).isEqualTo(body);
        assertThat(d1.queue()).isEqualTo(q);
        assertThat(d1.exchange()).isEqualTo("");
        assertThat(d1.routingKey()).isEqualTo(q);
        assertThat(d1.redelivered()).isFalse();

        assertThat(d2.message()).isEqualTo(plain);
        assertThat(d2.message().contentType()).isEqualTo("application/json");
        assertThat(d2.message().contentEncoding()).isEqualTo("utf-8");
        assertThat(d2.message().priority()).isZero();
        assertThat(d2.message().deliveryMode()).isEqualTo(Message.PERSISTENT);
        assertThat(d2.message().correlationId()).isNull();
        assertThat(d2.message().expiration()).isNull();
        assertThat(d2.exchange()).isEqualTo(x);
        assertThat(d2.routingKey()).isEqualTo("rk-" + q);
    }

    // =============================================================================================
    // priorities, ack, reject

    @Test
    void priority_highestFirstWhenTheQueueHasAMaxPriority() throws Exception {
        assumeTrue(has(BrokerCapability.PRIORITY), "the broker does not declare PRIORITY");
        Broker b = open();
        String q = name("priority", false);
        b.declareQueue(QueueSpec.durable(q).withMaxPriority(10));
        List<Integer> order = new ArrayList<>(List.of(3, 9, 0, 5, 1, 7, 2, 8, 4, 6));
        for (int p : order) {
            b.publish("", q, Message.builder().body("p" + p).priority(p).build());
        }
        Inbox inbox = new Inbox(true);
        b.consume(List.of(q), ConsumeOptions.prefetch(1), inbox::handle);
        List<Integer> got = new ArrayList<>();
        for (Delivery d : inbox.take(10)) {
            got.add(d.message().priority());
            assertThat(d.message().bodyAsString()).isEqualTo("p" + d.message().priority());
        }
        assertThat(got).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    }

    @Test
    void required_ackedMessagesAreGone() throws Exception {
        Broker b = open();
        String q = queue(b, "ack");
        for (int i = 0; i < 5; i++) {
            b.publish("", q, text("m" + i));
        }
        Inbox inbox = new Inbox(true);
        Subscription s = b.consume(List.of(q), ConsumeOptions.prefetch(10), inbox::handle);
        List<Delivery> got = inbox.take(5);
        assertThat(got).extracting(d -> d.message().bodyAsString()).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(got).allMatch(Delivery::isSettled);
        s.cancel();
        assertThat(s.isActive()).isFalse();
        await().atMost(t(10)).until(() -> b.queueStats(q).messages() == 0 && b.queueStats(q).consumers() <= 0);
        Inbox again = new Inbox(true);
        b.consume(List.of(q), ConsumeOptions.prefetch(10), again::handle);
        assertThat(again.all.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void required_rejectWithRequeueComesBackRedelivered() throws Exception {
        Broker b = open();
        String q = queue(b, "requeue");
        b.publish("", q, text("again"));
        Inbox inbox = new Inbox(false);
        b.consume(List.of(q), ConsumeOptions.prefetch(1), inbox::handle);
        Delivery first = inbox.next();
        assertThat(first.redelivered()).isFalse();
        first.reject(true);
        Delivery second = inbox.next();
        assertThat(second.message()).isEqualTo(first.message());
        assertThat(second.redelivered()).isTrue();
        second.ack();
        assertThatThrownBy(second::ack).isInstanceOf(DeliveryAlreadySettledException.class);
        assertThatThrownBy(() -> second.reject(true)).isInstanceOf(DeliveryAlreadySettledException.class);
    }

    @Test
    void required_rejectWithoutRequeueDropsTheMessage() throws Exception {
        Broker b = open();
        String q = queue(b, "drop");
        b.publish("", q, text("bad"));
        b.publish("", q, text("good"));
        Inbox inbox = new Inbox(false);
        b.consume(List.of(q), ConsumeOptions.prefetch(1), inbox::handle);
        Delivery bad = inbox.next();
        assertThat(bad.message().bodyAsString()).isEqualTo("bad");
        bad.reject(false);
        Delivery good = inbox.next();
        assertThat(good.message().bodyAsString()).isEqualTo("good");
        assertThat(good.redelivered()).isFalse();
        good.ack();
        assertThat(inbox.all.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void required_handlerFailureRejectsWithoutStoppingTheSubscription() throws Exception {
        Broker b = open();
        String q = queue(b, "failing");
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        b.consume(List.of(q), ConsumeOptions.prefetch(1), d -> {
            seen.add(d.message().bodyAsString());
            if (d.message().bodyAsString().equals("boom")) {
                throw new IllegalStateException("handler failure (expected by the test)");
            }
            d.ack();
        });
        b.publish("", q, text("boom"));
        b.publish("", q, text("fine"));
        assertThat(seen.poll(t(10).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("boom");
        assertThat(seen.poll(t(10).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("fine");
        assertThat(seen.poll(300, TimeUnit.MILLISECONDS)).as("the failed message was not requeued").isNull();
    }

    @Test
    void required_unackedMessagesComeBackAfterTheConsumersBrokerCloses() throws Exception {
        Broker producer = open();
        String q = queue(producer, "redeliver");
        for (int i = 0; i < 10; i++) {
            producer.publish("", q, text("r" + i));
        }
        Broker dying = fixture.open();
        Inbox held = new Inbox(false);
        List<Delivery> first;
        try {
            dying.consume(List.of(q), ConsumeOptions.prefetch(4), held::handle);
            first = held.take(4);
            assertThat(first).noneMatch(Delivery::redelivered);
            first.get(0).ack();
        } finally {
            dying.close();
        }
        List<String> unacked = new ArrayList<>();
        List<Delivery> received = new ArrayList<>(first);
        received.addAll(held.all);
        for (Delivery d : received) {
            if (!d.message().bodyAsString().equals("r0")) {
                unacked.add(d.message().bodyAsString());
            }
        }
        Inbox inbox = new Inbox(true);
        producer.consume(List.of(q), ConsumeOptions.prefetch(20), inbox::handle);
        List<Delivery> rest = inbox.take(9);
        assertThat(rest).extracting(d -> d.message().bodyAsString())
                .containsExactlyInAnyOrder("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
        List<String> redelivered = rest.stream().filter(Delivery::redelivered).map(d -> d.message().bodyAsString()).toList();
        // every message the closed consumer held comes back redelivered; one more may, that the broker had sent
        // within the prefetch window when the consumer closed, before its handler saw it
        assertThat(redelivered).as("the messages the closed consumer held come back redelivered")
                .containsAll(unacked).hasSizeLessThanOrEqualTo(4);
        assertThat(inbox.all.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void required_settlingAfterCancelIsAStaleDeliveryAndTheMessageComesBack() throws Exception {
        Broker b = open();
        String q = queue(b, "stale");
        b.publish("", q, text("held"));
        Inbox inbox = new Inbox(false);
        Subscription s = b.consume(List.of(q), ConsumeOptions.prefetch(1), inbox::handle);
        Delivery d = inbox.next();
        s.cancel();
        s.cancel();
        assertThatThrownBy(d::ack).isInstanceOf(StaleDeliveryException.class);
        Inbox again = new Inbox(true);
        b.consume(List.of(q), ConsumeOptions.prefetch(1), again::handle);
        Delivery back = again.next();
        assertThat(back.message().bodyAsString()).isEqualTo("held");
        assertThat(back.redelivered()).isTrue();
    }

    @Test
    void required_prefetchLimitsUnsettledDeliveriesAcrossQueues() throws Exception {
        Broker b = open();
        String q1 = queue(b, "prefetch-a");
        String q2 = queue(b, "prefetch-b");
        for (int i = 0; i < 10; i++) {
            b.publish("", q1, text("a" + i));
            b.publish("", q2, text("b" + i));
        }
        Inbox inbox = new Inbox(false);
        b.consume(List.of(q1, q2), ConsumeOptions.prefetch(3), inbox::handle);
        await().atMost(t(10)).until(() -> inbox.all.size() >= 3);
        await().during(Duration.ofMillis(500)).atMost(t(5)).until(() -> inbox.all.size() == 3);
        List<Delivery> held = new ArrayList<>(inbox.all);
        held.get(0).ack();
        await().atMost(t(10)).until(() -> inbox.all.size() >= 4);
        await().during(Duration.ofMillis(300)).atMost(t(5)).until(() -> inbox.all.size() == 4);
        AtomicInteger settled = new AtomicInteger(1);
        await().atMost(t(20)).until(() -> {
            for (Delivery d : inbox.all) {
                if (!d.isSettled()) {
                    d.ack();
                    settled.incrementAndGet();
                }
            }
            return inbox.all.size() == 20;
        });
    }

    @Test
    void required_autoAckSubscriptionsNeedNoSettling() throws Exception {
        Broker b = open();
        String q = queue(b, "noack");
        Inbox inbox = new Inbox(false);
        b.consume(List.of(q), ConsumeOptions.noAck(), inbox::handle);
        for (int i = 0; i < 3; i++) {
            b.publish("", q, text("n" + i));
        }
        List<Delivery> got = inbox.take(3);
        assertThat(got).allMatch(Delivery::isSettled);
        got.get(0).ack();
        got.get(0).reject(true);
        await().atMost(t(10)).until(() -> b.queueStats(q).messages() == 0);
        assertThat(inbox.all.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    // =============================================================================================
    // routing

    @Test
    void required_fanoutReachesEveryBoundQueue() throws Exception {
        Broker b = open();
        String x = name("fanout", true);
        b.declareExchange(new ExchangeSpec(x, ExchangeType.FANOUT, false, false, Map.of()));
        List<Inbox> inboxes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String q = name("node" + i, false);
            b.declareQueue(QueueSpec.autoDelete(q).withExpires(Duration.ofSeconds(10))
                    .withMessageTtl(Duration.ofSeconds(300)));
            b.bind(Binding.of(q, x, ""));
            Inbox inbox = new Inbox(false);
            b.consume(List.of(q), ConsumeOptions.noAck(), inbox::handle);
            inboxes.add(inbox);
        }
        for (int i = 0; i < 10; i++) {
            b.publish(x, "", Message.builder().body("{\"method\": \"ping\", \"n\": " + i + "}")
                    .header("clock", (long) i).header("expires", 1796608836.73).build());
        }
        for (Inbox inbox : inboxes) {
            List<Delivery> got = inbox.take(10);
            assertThat(got).extracting(d -> d.message().header("clock"))
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(got).allMatch(d -> d.exchange().equals(x));
        }
    }

    @Test
    void required_directRepliesReachOnlyTheirQueue() throws Exception {
        Broker b = open();
        String x = name("reply", true);
        b.declareExchange(new ExchangeSpec(x, ExchangeType.DIRECT, false, false, Map.of()));
        String oid1 = UUID.randomUUID().toString();
        String oid2 = UUID.randomUUID().toString();
        String q1 = name("r1", false);
        String q2 = name("r2", false);
        Inbox i1 = new Inbox(false);
        Inbox i2 = new Inbox(false);
        for (String[] pair : new String[][] {{q1, oid1}, {q2, oid2}}) {
            b.declareQueue(QueueSpec.autoDelete(pair[0]).withExpires(Duration.ofSeconds(10)));
            b.bind(Binding.of(pair[0], x, pair[1]));
        }
        b.consume(List.of(q1), ConsumeOptions.noAck(), i1::handle);
        b.consume(List.of(q2), ConsumeOptions.noAck(), i2::handle);
        b.publish(x, oid1, Message.builder().body("{\"w1@h\": {\"ok\": \"pong\"}}").deliveryMode(Message.TRANSIENT)
                .header("ticket", "t-1").header("clock", 3L).build());
        b.publish(x, oid2, text("for two"));
        Delivery d = i1.next();
        assertThat(d.message().header("ticket")).isEqualTo("t-1");
        assertThat(d.message().deliveryMode()).isEqualTo(Message.TRANSIENT);
        assertThat(d.routingKey()).isEqualTo(oid1);
        assertThat(i2.next().message().bodyAsString()).isEqualTo("for two");
        assertThat(i1.all.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void topic_patternsRouteAsKombus() throws Exception {
        assumeTrue(has(BrokerCapability.TOPIC_EXCHANGE), "the broker does not declare TOPIC_EXCHANGE");
        Broker b = open();
        String x = name("ev", true);
        b.declareExchange(ExchangeSpec.topic(x));
        String all = name("all", false);
        String workers = name("workers", false);
        b.declareQueue(QueueSpec.autoDelete(all));
        b.declareQueue(QueueSpec.autoDelete(workers));
        b.bind(Binding.of(all, x, "#"));
        b.bind(Binding.of(workers, x, "worker.#"));
        Inbox iAll = new Inbox(false);
        Inbox iWorkers = new Inbox(false);
        b.consume(List.of(all), ConsumeOptions.noAck(), iAll::handle);
        b.consume(List.of(workers), ConsumeOptions.noAck(), iWorkers::handle);
        for (String key : List.of("worker.online", "task.multi", "worker.heartbeat")) {
            b.publish(x, key, text(key));
        }
        assertThat(iAll.take(3)).extracting(Delivery::routingKey)
                .containsExactly("worker.online", "task.multi", "worker.heartbeat");
        assertThat(iWorkers.take(2)).extracting(Delivery::routingKey).containsExactly("worker.online", "worker.heartbeat");
        assertThat(iWorkers.all.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void messageTtl_anExpiredMessageIsNeverDelivered() throws Exception {
        assumeTrue(has(BrokerCapability.MESSAGE_TTL), "the broker does not declare MESSAGE_TTL");
        Broker b = open();
        String q = queue(b, "ttl");
        b.publish("", q, Message.builder().body("expired").expiration("50").build());
        await().pollDelay(Duration.ofMillis(300)).atMost(t(5)).until(() -> true);
        b.publish("", q, text("alive"));
        Inbox inbox = new Inbox(true);
        b.consume(List.of(q), ConsumeOptions.prefetch(5), inbox::handle);
        assertThat(inbox.next().message().bodyAsString()).isEqualTo("alive");
        assertThat(inbox.all.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    // =============================================================================================
    // queue stats, purge, delete

    @Test
    void required_queueDepthConsumerCountPurgeAndDelete() throws Exception {
        Broker b = open();
        String q = name("stats", false);
        QueueStats declared = b.declareQueue(QueueSpec.durable(q));
        assertThat(declared).isEqualTo(new QueueStats(q, 0, has(BrokerCapability.CONSUMER_COUNT) ? 0 : -1));
        assertThat(b.declareQueue(QueueSpec.durable(q)).messages()).isZero();
        for (int i = 0; i < 5; i++) {
            b.publish("", q, text("s" + i));
        }
        assertThat(b.queueStats(q).messages()).isEqualTo(5);
        if (has(BrokerCapability.CONSUMER_COUNT)) {
            assertThat(b.queueStats(q).consumers()).isZero();
            Subscription s1 = b.consume(List.of(q), ConsumeOptions.prefetch(1), d -> { });
            Broker other = open();
            Subscription s2 = other.consume(List.of(q), ConsumeOptions.prefetch(1), d -> { });
            await().atMost(t(10)).until(() -> b.queueStats(q).consumers() == 2);
            assertThat(b.queueStats(q).messages()).isEqualTo(3);
            s1.cancel();
            s2.cancel();
            await().atMost(t(10)).until(() -> b.queueStats(q).consumers() == 0 && b.queueStats(q).messages() == 5);
        } else {
            assertThat(b.queueStats(q).consumers()).isEqualTo(-1);
        }
        assertThat(b.purgeQueue(q)).isEqualTo(5);
        assertThat(b.queueStats(q).messages()).isZero();
        b.deleteQueue(q);
        assertThatThrownBy(() -> b.queueStats(q)).isInstanceOf(QueueNotFoundException.class).hasMessageContaining(q);
        b.deleteQueue(q);
        assertThatThrownBy(() -> b.purgeQueue(q)).isInstanceOf(QueueNotFoundException.class);
        assertThat(b.isConnected()).isTrue();
    }

    // =============================================================================================
    // concurrency

    @Test
    void required_eightThreadsPublish4000MessagesEachConsumedExactlyOnce() throws Exception {
        Broker b = open();
        String q = queue(b, "concurrent");
        int threads = 8;
        int perThread = 500;
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger received = new AtomicInteger();
        Broker consumerBroker = open();
        for (int c = 0; c < 2; c++) {
            consumerBroker.consume(List.of(q), ConsumeOptions.prefetch(50), d -> {
                String id = d.message().correlationId();
                if (!seen.add(id) && !d.redelivered()) {
                    duplicates.add(id);
                }
                received.incrementAndGet();
                d.ack();
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String id = thread + "-" + i;
                        b.publish("", q, Message.builder().body("[[" + i + "], {}, {}]").correlationId(id)
                                .header("id", id).header("task", "tck.concurrent").build());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(t(120).toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        await().atMost(t(60)).until(() -> seen.size() == threads * perThread);
        await().during(Duration.ofMillis(300)).atMost(t(5)).until(() -> received.get() == threads * perThread);
        assertThat(duplicates).isEmpty();
        await().atMost(t(10)).until(() -> b.queueStats(q).messages() == 0);
    }

    @Test
    void required_asyncPublishKeepsManyConfirmationsInFlight() throws Exception {
        Broker b = open();
        String q = queue(b, "async");
        int n = 5000;
        List<CompletableFuture<Void>> confirms = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            confirms.add(b.publishAsync("", q, Message.builder().body("a" + i).header("n", (long) i).build()));
        }
        CompletableFuture.allOf(confirms.toArray(new CompletableFuture<?>[0])).get(t(60).toMillis(), TimeUnit.MILLISECONDS);
        assertThat(confirms).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(b.queueStats(q).messages()).isEqualTo(n);
        Inbox inbox = new Inbox(true);
        b.consume(List.of(q), ConsumeOptions.prefetch(500), inbox::handle);
        List<Delivery> got = inbox.take(n);
        List<Long> order = new ArrayList<>();
        for (Delivery d : got) {
            order.add((Long) d.message().header("n"));
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            expected.add(i);
        }
        assertThat(order).as("messages of one thread keep their order").isEqualTo(expected);
    }

    // =============================================================================================
    // errors

    @Test
    void required_badInputIsATypedErrorAndSendsNothing() {
        Broker b = open();
        String q = queue(b, "errors");
        assertThatThrownBy(() -> ExchangeType.of("x-consistent-hash")).isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("x-consistent-hash");
        assertThatThrownBy(() -> ConsumeOptions.prefetch(-1)).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> Message.builder().priority(256)).isInstanceOf(InvalidMessageException.class);
        assertThatThrownBy(() -> Message.builder().priority(-1)).isInstanceOf(InvalidMessageException.class);
        assertThatThrownBy(() -> Message.builder().deliveryMode(3)).isInstanceOf(InvalidMessageException.class);
        assertThatThrownBy(() -> Message.builder().expiration("soon")).isInstanceOf(InvalidMessageException.class);
        assertThatThrownBy(() -> Message.builder().header("h", new Object())).isInstanceOf(InvalidMessageException.class);
        assertThatThrownBy(() -> Message.builder().header("h", Double.NaN)).isInstanceOf(InvalidMessageException.class);
        assertThatThrownBy(() -> QueueSpec.durable(q).withMaxPriority(0)).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> QueueSpec.durable("")).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> ExchangeSpec.direct("x".repeat(256))).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> b.publish("", "k".repeat(256), text("x"))).isInstanceOf(InvalidMessageException.class);
        assertThatThrownBy(() -> b.consume(List.of(), ConsumeOptions.prefetch(1), d -> { }))
                .isInstanceOf(InvalidDeclarationException.class);
        String missing = name("missing", false);
        assertThatThrownBy(() -> b.queueStats(missing)).isInstanceOf(QueueNotFoundException.class);
        assertThatThrownBy(() -> b.consume(List.of(q, missing), ConsumeOptions.prefetch(1), d -> { }))
                .isInstanceOf(QueueNotFoundException.class);
        String noExchange = name("no-exchange", true);
        assertThatThrownBy(() -> b.publish(noExchange, "k", text("x"))).isInstanceOf(ExchangeNotFoundException.class);
        assertThatThrownBy(() -> b.bind(Binding.of(q, noExchange, "k"))).isInstanceOf(ExchangeNotFoundException.class);
        assertThatThrownBy(() -> b.declareQueue(QueueSpec.durable(q).withMaxPriority(5)))
                .isInstanceOf(DeclarationConflictException.class);
        // the broker still works after every refusal, and nothing was sent to the queue
        b.publish("", q, text("still works"));
        assertThat(b.queueStats(q).messages()).isEqualTo(1);
        assertThat(b.isConnected()).isTrue();
    }

    // =============================================================================================
    // close

    @Test
    void required_closeIsIdempotentAndLeaksNoThread() throws Exception {
        ThreadLeaks threads = ThreadLeaks.snapshot();
        Broker b = fixture.open();
        String q = queue(b, "close");
        Inbox inbox = new Inbox(true);
        b.consume(List.of(q), ConsumeOptions.prefetch(5), inbox::handle);
        b.publish("", q, text("before close"));
        CompletableFuture<Void> async = b.publishAsync("", q, text("async before close"));
        inbox.take(2);
        async.get(t(10).toMillis(), TimeUnit.MILLISECONDS);
        b.close();
        b.close();
        assertThat(b.isConnected()).isFalse();
        assertThatThrownBy(() -> b.publish("", q, text("after"))).isInstanceOf(BrokerClosedException.class);
        assertThatThrownBy(() -> b.queueStats(q)).isInstanceOf(BrokerClosedException.class);
        assertThatThrownBy(() -> b.consume(List.of(q), ConsumeOptions.prefetch(1), d -> { }))
                .isInstanceOf(BrokerClosedException.class);
        threads.assertNoNewThreads(t(10), sharedThreadNamePrefixes());
    }
}
