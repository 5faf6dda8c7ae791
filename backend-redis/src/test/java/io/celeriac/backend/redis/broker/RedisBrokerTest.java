package io.celeriac.backend.redis.broker;

import io.celeriac.Celeriac;
import io.celeriac.backend.redis.events.RawSubscriber;
import io.celeriac.broker.Binding;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.ExchangeType;
import io.celeriac.broker.Message;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.Subscription;
import io.celeriac.json.CeleryJson;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * kombu's layout on Redis, key by key, read with raw commands under a key prefix of the test's own: the envelope in
 * the queue's list, the priority lists and kombu's order of serving them, the {@code _kombu.binding.*} members of
 * direct, topic and fanout bindings, fanout over {@code PUBLISH} on kombu's channel, {@code unacked} and
 * {@code unacked_index} while a delivery is held, a rejected message back with kombu's redelivered flags, a message
 * of a vanished consumer restored after the visibility timeout under {@code unacked_mutex} (and not while another
 * holds it), the queue order strategies, and no ack emulation.
 */
class RedisBrokerTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final String SEP = "\u0006\u0016";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final RedisTestServer server = TestServices.redis();
    private final List<Broker> brokers = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void prefix() {
        prefix = server.newKeyPrefix();
    }

    @AfterEach
    void cleanUp() {
        for (Broker b : brokers) {
            b.close();
        }
        server.deleteKeys(0, prefix);
    }

    private Broker open(String query) {
        String url = server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)
                + (query.isEmpty() ? "" : "&" + query);
        Broker b = CELERIAC.openBroker(url, BrokerOptions.defaults());
        brokers.add(b);
        return b;
    }

    private Object raw(String... command) throws IOException {
        try (Resp r = server.connect(0)) {
            return r.call(command);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Object text) {
        return (Map<String, Object>) CeleryJson.decode((String) text);
    }

    private static Message task(String id) {
        return Message.builder().body("[[2, 3], {\"z\": 1}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]")
                .header("lang", "py").header("task", "proj.add").header("id", id).header("shadow", null)
                .header("eta", null).header("retries", 0L).header("timelimit", java.util.Arrays.asList(null, null))
                .correlationId(id).replyTo("07a5d7fe-3ede-35bb-9975-89bbc33905e2").build();
    }

    @Test
    void aPublishIsKombusEnvelopeLpushedToTheQueuesList() throws Exception {
        Broker b = open("");
        b.declareQueue(QueueSpec.durable("celery"));
        b.publish("", "celery", task("7d396675-0cb6-45c4-a9e2-b89440e0f586"));
        b.publish("", "celery", task("second").toBuilder().expiration("60000").build());
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) raw("LRANGE", prefix + "celery", "0", "-1");
        assertThat(list).hasSize(2);
        String text = (String) list.get(1); // LPUSH: the first publish is at the right end
        assertThat(text).startsWith("{\"body\": \"W1syLCAzXSwgeyJ6IjogMX0sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d\", "
                + "\"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", \"headers\": {\"lang\": \"py\", "
                + "\"task\": \"proj.add\", \"id\": \"7d396675-0cb6-45c4-a9e2-b89440e0f586\", \"shadow\": null, \"eta\": null, "
                + "\"retries\": 0, \"timelimit\": [null, null]}, \"properties\": {\"correlation_id\": "
                + "\"7d396675-0cb6-45c4-a9e2-b89440e0f586\", \"reply_to\": \"07a5d7fe-3ede-35bb-9975-89bbc33905e2\", "
                + "\"delivery_mode\": 2, \"delivery_info\": {\"exchange\": \"\", \"routing_key\": \"celery\"}, \"priority\": 0, "
                + "\"body_encoding\": \"base64\", \"delivery_tag\": \"");
        Map<String, Object> properties = (Map<String, Object>) json(text).get("properties");
        assertThat((String) properties.get("delivery_tag")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
        Map<String, Object> withExpiry = (Map<String, Object>) json(list.get(0)).get("properties");
        assertThat(withExpiry.keySet()).containsExactly("correlation_id", "reply_to", "delivery_mode", "expiration",
                "delivery_info", "priority", "body_encoding", "delivery_tag");
        assertThat(withExpiry.get("expiration")).isEqualTo("60000");
        assertThat(raw("EXISTS", "celery")).as("nothing is written outside the prefix").isEqualTo(0L);
        assertThat(raw("HEXISTS", prefix + "_celeriac.queues", "celery")).isEqualTo(1L);
    }

    @Test
    void prioritiesGoToKombusListsAndStepZeroIsServedFirst() throws Exception {
        Broker b = open("");
        b.declareQueue(QueueSpec.durable("pq"));
        for (int p : List.of(9, 6, 3, 0, 5, 1, 7)) {
            b.publish("", "pq", Message.builder().body("p" + p).priority(p).build());
        }
        assertThat(raw("LLEN", prefix + "pq")).isEqualTo(2L);
        assertThat(raw("LLEN", prefix + "pq" + SEP + "3")).isEqualTo(2L);
        assertThat(raw("LLEN", prefix + "pq" + SEP + "6")).isEqualTo(2L);
        assertThat(raw("LLEN", prefix + "pq" + SEP + "9")).isEqualTo(1L);
        assertThat(b.queueStats("pq").messages()).isEqualTo(7);
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        b.consume(List.of("pq"), ConsumeOptions.prefetch(1), d -> {
            got.add(d);
            d.ack();
        });
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Delivery d = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(d).isNotNull();
            order.add(d.message().bodyAsString());
            assertThat(d.message().priority()).isEqualTo(Integer.parseInt(d.message().bodyAsString().substring(1)));
        }
        assertThat(order).as("kombu on Redis: step 0 first, FIFO within a step").containsExactly("p0", "p1", "p3", "p5",
                "p6", "p7", "p9");
        await().atMost(WAIT).until(() -> b.queueStats("pq").messages() == 0);
    }

    @Test
    void bindingsAreKombusSetMembersAndRouteDirectAndTopicPublishes() throws Exception {
        Broker b = open("");
        b.declareExchange(ExchangeSpec.direct("tasks"));
        b.declareExchange(ExchangeSpec.topic("ev"));
        b.declareQueue(QueueSpec.durable("q1"));
        b.declareQueue(QueueSpec.durable("q2"));
        b.bind(Binding.of("q1", "tasks", "q1"));
        b.bind(Binding.of("q2", "ev", "worker.#"));
        b.bind(Binding.of("q2", "ev", "*.multi"));
        assertThat(raw("SMEMBERS", prefix + "_kombu.binding.tasks")).isEqualTo(List.of("q1" + SEP + SEP + "q1"));
        @SuppressWarnings("unchecked")
        List<Object> topic = (List<Object>) raw("SMEMBERS", prefix + "_kombu.binding.ev");
        assertThat(topic).containsExactlyInAnyOrder("worker.#" + SEP + "^worker\\..*?$" + SEP + "q2",
                "*.multi" + SEP + "^.*?[^\\.]\\.multi$" + SEP + "q2");
        b.publish("tasks", "q1", Message.builder().body("direct").build());
        b.publish("tasks", "other", Message.builder().body("unrouted").build());
        b.publish("ev", "worker.online", Message.builder().body("w").build());
        b.publish("ev", "task.multi", Message.builder().body("t").build());
        b.publish("ev", "task.failed", Message.builder().body("no").build());
        assertThat(raw("LLEN", prefix + "q1")).isEqualTo(1L);
        assertThat(raw("LLEN", prefix + "q2")).isEqualTo(2L);
        Map<String, Object> env = json(raw("RPOP", prefix + "q1"));
        assertThat(((Map<?, ?>) ((Map<?, ?>) env.get("properties")).get("delivery_info")))
                .isEqualTo(Map.of("exchange", "tasks", "routing_key", "q1"));
        b.unbind(Binding.of("q2", "ev", "worker.#"));
        assertThat(raw("SMEMBERS", prefix + "_kombu.binding.ev")).isEqualTo(List.of("*.multi" + SEP + "^.*?[^\\.]\\.multi$" + SEP + "q2"));
        b.deleteQueue("q2");
        assertThat(raw("EXISTS", prefix + "_kombu.binding.ev")).isEqualTo(0L);
        assertThat(raw("EXISTS", prefix + "q2")).isEqualTo(0L);
    }

    @Test
    void fanoutIsAPublishOnKombusChannelBothWays() throws Exception {
        Broker b = open("");
        b.declareExchange(new ExchangeSpec("celery.pidbox", ExchangeType.FANOUT, false, false, Map.of()));
        b.declareQueue(QueueSpec.autoDelete("w1@host.celery.pidbox"));
        b.bind(Binding.of("w1@host.celery.pidbox", "celery.pidbox", ""));
        assertThat(raw("SMEMBERS", prefix + "_kombu.binding.celery.pidbox"))
                .isEqualTo(List.of(SEP + SEP + "w1@host.celery.pidbox"));
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        b.consume(List.of("w1@host.celery.pidbox"), ConsumeOptions.noAck(), got::add);
        try (RawSubscriber sub = new RawSubscriber(server, prefix + "/0.celery.pidbox*")) {
            b.publish("celery.pidbox", "", Message.builder().body("{\"method\": \"ping\"}").header("clock", 1L).build());
            await().atMost(WAIT).until(() -> !sub.messages.isEmpty());
            assertThat(sub.messages.get(0)[0]).isEqualTo(prefix + "/0.celery.pidbox");
            Map<String, Object> env = json(sub.messages.get(0)[1]);
            assertThat(env.get("headers")).isEqualTo(Map.of("clock", 1L));
        }
        Delivery d = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(d).isNotNull();
        assertThat(d.queue()).isEqualTo("w1@host.celery.pidbox");
        assertThat(d.exchange()).isEqualTo("celery.pidbox");
        // a broadcast as kombu publishes it (captured in the wire notes) reaches the Java consumer
        String kombu = "{\"body\": \"" + Base64.getEncoder().encodeToString("{\"method\": \"ping\", \"arguments\": {}}"
                .getBytes(StandardCharsets.UTF_8)) + "\", \"content-encoding\": \"utf-8\", \"content-type\": "
                + "\"application/json\", \"headers\": {\"clock\": 1, \"expires\": 1796608836.7318265}, \"properties\": "
                + "{\"delivery_mode\": 2, \"delivery_info\": {\"exchange\": \"celery.pidbox\", \"routing_key\": \"\"}, "
                + "\"priority\": 0, \"body_encoding\": \"base64\", \"delivery_tag\": \"18d80f7d-e6bb-4b26-8abe-6e01bde3db15\"}}";
        raw("PUBLISH", prefix + "/0.celery.pidbox", kombu);
        Delivery k = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(k).isNotNull();
        assertThat(k.message().header("expires")).isEqualTo(1796608836.7318265);
        assertThat(k.message().bodyAsString()).isEqualTo("{\"method\": \"ping\", \"arguments\": {}}");
        b.close();
        assertThat(raw("SMEMBERS", prefix + "_kombu.binding.celery.pidbox")).as("kombu deletes an auto-delete fanout "
                + "queue with its channel").isEqualTo(List.of());
    }

    @Test
    void aHeldDeliveryIsInUnackedUntilSettledAndARejectedOneComesBackWithKombusFlags() throws Exception {
        Broker b = open("");
        b.declareQueue(QueueSpec.durable("held"));
        b.publish("", "held", task("held-1"));
        String published = (String) raw("LINDEX", prefix + "held", "0");
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        b.consume(List.of("held"), ConsumeOptions.prefetch(1), got::add);
        Delivery d = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(d).isNotNull();
        String tag = (String) ((Map<?, ?>) json(published).get("properties")).get("delivery_tag");
        String value = (String) raw("HGET", prefix + "unacked", tag);
        assertThat(value).isEqualTo("[" + published + ", \"\", \"held\"]");
        double score = Double.parseDouble((String) raw("ZSCORE", prefix + "unacked_index", tag));
        assertThat(score).isCloseTo(System.currentTimeMillis() / 1000.0, within(30.0));
        assertThat(raw("LLEN", prefix + "held")).isEqualTo(0L);

        d.reject(true);
        Delivery again = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(again).isNotNull();
        assertThat(again.redelivered()).isTrue();
        assertThat(again.message()).isEqualTo(d.message());
        List<?> held = (List<?>) CeleryJson.decode((String) raw("HGET", prefix + "unacked", tag));
        assertThat(held).hasSize(3);
        Map<?, ?> restored = (Map<?, ?>) held.get(0);
        assertThat(((Map<?, ?>) restored.get("headers")).get("redelivered")).isEqualTo(true);
        assertThat(((Map<?, ?>) ((Map<?, ?>) restored.get("properties")).get("delivery_info")).get("redelivered")).isEqualTo(true);
        assertThat(((Map<?, ?>) restored.get("properties")).get("delivery_tag")).as("kombu keeps the tag").isEqualTo(tag);
        again.ack();
        assertThat(raw("HEXISTS", prefix + "unacked", tag)).isEqualTo(0L);
        assertThat(raw("ZSCORE", prefix + "unacked_index", tag)).isNull();
    }

    @Test
    void aMessageOfAVanishedConsumerIsRestoredAfterTheVisibilityTimeoutUnderTheMutex() throws Exception {
        // what a consumer that died leaves behind, written as kombu's QoS.append writes it
        String env = "{\"body\": \"" + Base64.getEncoder().encodeToString("[[1], {}, {}]".getBytes(StandardCharsets.UTF_8))
                + "\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", \"headers\": {\"id\": "
                + "\"lost-1\"}, \"properties\": {\"correlation_id\": \"lost-1\", \"delivery_mode\": 2, \"delivery_info\": "
                + "{\"exchange\": \"\", \"routing_key\": \"lostq\"}, \"priority\": 0, \"body_encoding\": \"base64\", "
                + "\"delivery_tag\": \"tag-lost-1\"}}";
        raw("HSET", prefix + "unacked", "tag-lost-1", "[" + env + ", \"\", \"lostq\"]");
        raw("ZADD", prefix + "unacked_index", Double.toString(System.currentTimeMillis() / 1000.0 - 100), "tag-lost-1");
        raw("SET", prefix + "unacked_mutex", "someone-else", "PX", "4000");

        Broker b = open("visibility_timeout=1");
        b.declareQueue(QueueSpec.durable("lostq"));
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        b.consume(List.of("lostq"), ConsumeOptions.prefetch(1), got::add);
        assertThat(got.poll(1000, TimeUnit.MILLISECONDS)).as("not while another consumer holds unacked_mutex").isNull();
        assertThat(raw("HEXISTS", prefix + "unacked", "tag-lost-1")).isEqualTo(1L);
        Delivery d = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(d).as("restored once the mutex expired").isNotNull();
        assertThat(d.redelivered()).isTrue();
        assertThat(d.message().correlationId()).isEqualTo("lost-1");
        assertThat(d.message().headers()).isEqualTo(Map.of("id", "lost-1"));
        String value = (String) raw("HGET", prefix + "unacked", "tag-lost-1");
        assertThat(value).as("held again under the same tag").contains("\"redelivered\": true");
        d.ack();
        assertThat(raw("HLEN", prefix + "unacked")).isEqualTo(0L);
        assertThat(raw("EXISTS", prefix + "unacked_mutex")).isEqualTo(0L);
    }

    @Test
    void queueOrderStrategiesAsKombus() throws Exception {
        assertThat(order("", List.of("qa", "qb"))).containsExactly("qa", "qb", "qa", "qb", "qa", "qb");
        assertThat(order("queue_order_strategy=priority", List.of("qa", "qb"))).containsExactly("qa", "qa", "qa", "qb", "qb", "qb");
        assertThat(order("queue_order_strategy=sorted", List.of("qb", "qa"))).containsExactly("qa", "qa", "qa", "qb", "qb", "qb");
    }

    @Test
    void aTakeOfManyMessagesKeepsKombusOrderAcrossQueuesAndPriorities() throws Exception {
        // with room for 10, one fetch takes every message: the order must still be the one kombu serves
        assertThat(order("", List.of("ra", "rb"), 10)).containsExactly("ra", "rb", "ra", "rb", "ra", "rb");
        assertThat(order("queue_order_strategy=priority", List.of("pa", "pb"), 10))
                .containsExactly("pa", "pa", "pa", "pb", "pb", "pb");
        assertThat(order("queue_order_strategy=sorted", List.of("sb", "sa"), 10))
                .containsExactly("sa", "sa", "sa", "sb", "sb", "sb");
        Broker b = open("");
        b.declareQueue(QueueSpec.durable("bq"));
        for (int p : List.of(9, 6, 3, 0, 5, 1, 7)) {
            b.publish("", "bq", Message.builder().body("p" + p).priority(p).build());
        }
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        b.consume(List.of("bq"), ConsumeOptions.prefetch(10), d -> {
            got.add(d.message().bodyAsString());
            d.ack();
        });
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String body = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(body).isNotNull();
            order.add(body);
        }
        assertThat(order).containsExactly("p0", "p1", "p3", "p5", "p6", "p7", "p9");
        await().atMost(WAIT).until(() -> b.queueStats("bq").messages() == 0 && Long.valueOf(0).equals(raw("HLEN", prefix + "unacked")));
    }

    @Test
    void aTakeOfManyMessagesRecordsEachInUnackedAndStaysWithinThePrefetch() throws Exception {
        Broker b = open("");
        b.declareQueue(QueueSpec.durable("wq"));
        for (int i = 0; i < 25; i++) {
            b.publish("", "wq", Message.builder().body("m" + i).build());
        }
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        Subscription s = b.consume(List.of("wq"), ConsumeOptions.prefetch(10), got::add);
        await().atMost(WAIT).until(() -> got.size() == 10);
        assertThat(raw("HLEN", prefix + "unacked")).isEqualTo(10L);
        assertThat(raw("ZCARD", prefix + "unacked_index")).isEqualTo(10L);
        assertThat(raw("LLEN", prefix + "wq")).isEqualTo(15L);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> got.size() == 10);
        List<Delivery> first = new ArrayList<>(got);
        got.clear();
        for (int i = 0; i < 3; i++) {
            first.get(i).ack();
        }
        await().atMost(WAIT).until(() -> got.size() == 3);
        assertThat(raw("HLEN", prefix + "unacked")).isEqualTo(10L);
        assertThat(raw("LLEN", prefix + "wq")).isEqualTo(12L);
        List<String> bodies = new ArrayList<>();
        for (Delivery d : first) {
            bodies.add(d.message().bodyAsString());
        }
        for (Delivery d : got) {
            bodies.add(d.message().bodyAsString());
        }
        assertThat(bodies).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11", "m12");
        s.cancel();
        assertThat(raw("HLEN", prefix + "unacked")).as("the cancel put the unsettled back").isEqualTo(0L);
        assertThat(raw("ZCARD", prefix + "unacked_index")).isEqualTo(0L);
        assertThat(b.queueStats("wq").messages()).isEqualTo(22);
    }

    private List<String> order(String query, List<String> queues) throws Exception {
        return order(query, queues, 1);
    }

    private List<String> order(String query, List<String> queues, int prefetch) throws Exception {
        Broker b = open(query);
        for (String q : queues) {
            b.purgeQueue(b.declareQueue(QueueSpec.durable(q)).queue());
            for (int i = 0; i < 3; i++) {
                b.publish("", q, Message.builder().body(q).build());
            }
        }
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        Subscription s = b.consume(queues, ConsumeOptions.prefetch(prefetch), d -> {
            got.add(d.queue());
            d.ack();
        });
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String q = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(q).isNotNull();
            out.add(q);
        }
        s.cancel();
        return out;
    }

    @Test
    void withoutAckEmulationNothingIsRecordedAndACancelledDeliveryStillComesBack() throws Exception {
        Broker b = open("ack_emulation=false");
        b.declareQueue(QueueSpec.durable("plain"));
        b.publish("", "plain", Message.builder().body("x").correlationId("c-1").build());
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        Subscription s = b.consume(List.of("plain"), ConsumeOptions.prefetch(1), got::add);
        Delivery d = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(d).isNotNull();
        assertThat(raw("EXISTS", prefix + "unacked")).isEqualTo(0L);
        s.cancel();
        Map<String, Object> back = json(raw("LINDEX", prefix + "plain", "0"));
        assertThat(((Map<?, ?>) back.get("headers")).get("redelivered")).isEqualTo(true);
    }
}
