package io.celeriac.backend.redis.broker;

import io.celeriac.Celeriac;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;
import io.celeriac.broker.PublishFailedException;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.StaleDeliveryException;
import io.celeriac.tck.ThreadLeaks;
import io.celeriac.testing.ChildJvm;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis broker under faults. A private redis-server of the test's own (its own directory, an append-only file
 * written at every command, {@code appendfsync no}: a SIGKILL of the process loses nothing Redis answered) is killed
 * and restarted twice under four publishing threads and two consuming subscriptions: every publish that returned
 * is consumed, no message is delivered twice without the redelivered flag (a publish retried after a failure that
 * may have reached Redis excepted), and nothing stays unacknowledged. A message that a consumer took (and recorded
 * in {@code unacked}, in the same step) just before the kill, whose reply the kill cut off, comes back after the
 * short {@code visibility_timeout}, flagged redelivered. A consumer in a child JVM is SIGKILLed while
 * it holds deliveries: after a short {@code visibility_timeout} another consumer gets exactly those messages again,
 * flagged redelivered, and nothing is lost.
 */
class RedisBrokerFaultTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void redisKilledAndRestartedUnderPublishersAndConsumersLosesNothingThatWasPublished() throws Exception {
        ThreadLeaks threads = ThreadLeaks.snapshot();
        try (PrivateRedis redis = PrivateRedis.start("--appendonly", "yes", "--appendfsync", "no")) {
            String url = redis.url(0) + "?socket_timeout=2&socket_connect_timeout=1&visibility_timeout=3"
                    + "&polling_interval=0.2";
            Set<String> published = ConcurrentHashMap.newKeySet();
            Set<String> retried = ConcurrentHashMap.newKeySet();
            Map<String, Integer> consumed = new ConcurrentHashMap<>();
            List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger publishFailures = new AtomicInteger();
            AtomicInteger ackRetries = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try (Broker producer = CELERIAC.openBroker(url); Broker consumer = CELERIAC.openBroker(url)) {
                producer.declareQueue(QueueSpec.durable("faults"));
                for (int s = 0; s < 2; s++) {
                    consumer.consume(List.of("faults"), ConsumeOptions.prefetch(10), d -> {
                        String id = d.message().correlationId();
                        if (consumed.merge(id, 1, Integer::sum) > 1 && !d.redelivered() && !retried.contains(id)) {
                            duplicates.add(id);
                        }
                        settle(d, ackRetries);
                    });
                }
                List<Future<?>> publishers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int me = t;
                    publishers.add(pool.submit(() -> {
                        for (int n = 0; !stop.get(); n++) {
                            String id = "p" + me + "-" + n;
                            while (true) {
                                try {
                                    producer.publish("", "faults", Message.builder().body("[[" + n + "], {}, {}]")
                                            .correlationId(id).header("id", id).priority(n % 10).build());
                                    published.add(id);
                                    break;
                                } catch (PublishFailedException e) {
                                    publishFailures.incrementAndGet();
                                    if (e.mayHaveBeenDelivered()) {
                                        retried.add(id);
                                    }
                                    pause(20);
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (int round = 0; round < 2; round++) {
                    int before = published.size();
                    await().atMost(WAIT).until(() -> published.size() >= before + 500 && consumed.size() >= before + 300);
                    redis.kill();
                    await().atMost(WAIT).until(() -> !producer.isConnected() || publishFailures.get() > 0);
                    pause(300); // down while every thread keeps trying
                    redis.restart();
                    int atRestart = published.size();
                    await().atMost(WAIT).until(() -> published.size() >= atRestart + 500);
                    assertThat(producer.isConnected()).isTrue();
                }
                stop.set(true);
                for (Future<?> f : publishers) {
                    f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
                try {
                    await().atMost(WAIT).until(() -> consumed.keySet().containsAll(published));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    List<String> missing = new ArrayList<>(published);
                    missing.removeAll(consumed.keySet());
                    StringBuilder where = new StringBuilder();
                    try (Resp r = redis.connect()) {
                        where.append(" llen=").append(r.call("LLEN", "faults")).append(" unacked=").append(r.call("HLEN", "unacked"));
                        for (String m : missing.subList(0, Math.min(5, missing.size()))) {
                            where.append("\n").append(m).append(" in list: ")
                                    .append(String.valueOf(r.call("EVAL", "for _, k in ipairs({KEYS[1], KEYS[1]..'\\6\\22'..'3', KEYS[1]..'\\6\\22'..'6', KEYS[1]..'\\6\\22'..'9'}) do for _, v in ipairs(redis.call('LRANGE', k, 0, -1)) do if string.find(v, ARGV[1], 1, true) then return k end end end return 'none'", "1", "faults", "\"" + m + "\"")))
                                    .append(" in unacked: ").append(String.valueOf(r.call("EVAL", "for _, v in ipairs(redis.call('HVALS', KEYS[1])) do if string.find(v, ARGV[1], 1, true) then return 'yes' end end return 'no'", "1", "unacked", "\"" + m + "\"")));
                        }
                    }
                    throw new AssertionError(missing.size() + " published but never consumed: " + missing.subList(0,
                            Math.min(20, missing.size())) + where + " retried=" + retried.size() + " consumed=" + consumed.size(), e);
                }
                assertThat(publishFailures.get()).as("the kills came under load").isPositive();
                assertThat(duplicates).as("delivered twice without the redelivered flag").isEmpty();
                await().atMost(WAIT).until(() -> producer.queueStats("faults").messages() == 0);
                try (Resp r = redis.connect()) {
                    await().atMost(WAIT).until(() -> Long.valueOf(0).equals(r.call("HLEN", "unacked"))
                            && Long.valueOf(0).equals(r.call("ZCARD", "unacked_index")));
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            threads.assertNoNewThreads(Duration.ofSeconds(20), Set.of());
        }
    }

    /** Acknowledges, again and again while Redis is away (the delivery stays valid: its record is in Redis). */
    private static void settle(Delivery d, AtomicInteger retries) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                d.ack();
                return;
            } catch (BrokerUnavailableException e) {
                retries.incrementAndGet();
                pause(50);
            } catch (StaleDeliveryException e) {
                return;
            }
        }
        throw new AssertionError("could not acknowledge " + d);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aConsumerSigkilledWhileItHoldsDeliveriesLosesNothing() throws Exception {
        RedisTestServer server = TestServices.redis();
        String prefix = server.newKeyPrefix();
        String url = server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
        try (Broker producer = CELERIAC.openBroker(url)) {
            producer.declareQueue(QueueSpec.durable("sigkill"));
            for (int i = 0; i < 6; i++) {
                producer.publish("", "sigkill", Message.builder().body("[[" + i + "], {}, {}]").correlationId("m" + i).build());
            }
            List<String> held = new ArrayList<>();
            try (ChildJvm child = ChildJvm.start(BrokerChild.class, url, "sigkill", "3")) {
                child.awaitLine(l -> l.startsWith("CONSUMING"), WAIT);
                await().atMost(WAIT).until(() -> child.lines().stream().filter(l -> l.startsWith("HELD ")).count() == 3);
                for (String l : child.lines()) {
                    if (l.startsWith("HELD ")) {
                        held.add(l.substring(5));
                    }
                }
                try (Resp r = server.connect(0)) {
                    assertThat(r.call("HLEN", prefix + "unacked")).isEqualTo(3L);
                    assertThat(r.call("ZCARD", prefix + "unacked_index")).isEqualTo(3L);
                }
                child.kill();
            }
            assertThat(held).containsExactly("m0", "m1", "m2");
            assertThat(producer.queueStats("sigkill").messages()).isEqualTo(3);

            BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
            try (Broker survivor = CELERIAC.openBroker(url + "&visibility_timeout=2")) {
                survivor.consume(List.of("sigkill"), ConsumeOptions.prefetch(10), d -> {
                    got.add(d);
                    d.ack();
                });
                List<Delivery> all = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    Delivery d = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertThat(d).as("delivery %s of 6", i + 1).isNotNull();
                    all.add(d);
                }
                assertThat(all).extracting(d -> d.message().correlationId())
                        .containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4", "m5");
                assertThat(all.stream().filter(Delivery::redelivered).map(d -> d.message().correlationId()))
                        .as("exactly the messages the killed consumer held come back, redelivered")
                        .containsExactlyInAnyOrderElementsOf(held);
                assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
                try (Resp r = server.connect(0)) {
                    await().atMost(WAIT).until(() -> Long.valueOf(0).equals(r.call("HLEN", prefix + "unacked")));
                }
            }
        } finally {
            server.deleteKeys(0, prefix);
        }
    }
}
