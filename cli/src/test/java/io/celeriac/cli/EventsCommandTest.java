package io.celeriac.cli;

import io.celeriac.json.CeleryJson;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.celeriac.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The events commands against a real Redis broker (a leased database): events are published exactly as a
 * Celery worker's kombu publishes them, while the command listens.
 */
class EventsCommandTest {

    /** Publishes a kombu envelope (base64 JSON body) on the broker db's event channel, as a worker does. */
    private static void publish(Resp redis, int db, String routingKey, Object body) throws Exception {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("body", Base64.getEncoder().encodeToString(CeleryJson.encode(body)));
        envelope.put("content-encoding", "utf-8");
        envelope.put("content-type", "application/json");
        envelope.put("headers", Map.of("hostname", "w1@test"));
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("delivery_mode", 1L);
        props.put("delivery_info", Map.of("exchange", "celeryev", "routing_key", routingKey));
        props.put("priority", 0L);
        props.put("body_encoding", "base64");
        props.put("delivery_tag", UUID.randomUUID().toString());
        envelope.put("properties", props);
        redis.call("PUBLISH", "/" + db + ".celeryev/" + routingKey, new String(CeleryJson.encode(envelope), StandardCharsets.US_ASCII));
    }

    private static Map<String, Object> event(String type, long clock, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", "w1@test");
        m.put("utcoffset", 0L);
        m.put("pid", 4242L);
        m.put("clock", clock);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        m.put("timestamp", System.currentTimeMillis() / 1000.0);
        m.put("type", type);
        return m;
    }

    /** Publishes a worker and three tasks until {@code stop}, so a command that starts listening late still sees them. */
    private static CompletableFuture<Void> cluster(RedisTestServer server, int db, AtomicBoolean stop) {
        return CompletableFuture.runAsync(() -> {
            try (Resp redis = server.connect(0)) {
                long clock = 1;
                while (!stop.get()) {
                    publish(redis, db, "worker.heartbeat", event("worker-heartbeat", clock++, "freq", 2.0, "active", 1L,
                            "processed", 3L, "loadavg", List.of(0.5, 0.4, 0.3), "sw_ident", "py-celery", "sw_ver", "5.2.6", "sw_sys", "Linux"));
                    publish(redis, db, "task.multi", List.of(
                            event("task-received", clock++, "uuid", "t-ok", "name", "proj.add", "args", "(2, 3)", "kwargs", "{}", "retries", 0L),
                            event("task-started", clock++, "uuid", "t-ok")));
                    publish(redis, db, "task.multi", List.of(
                            event("task-succeeded", clock++, "uuid", "t-ok", "result", "5", "runtime", 0.25),
                            event("task-received", clock++, "uuid", "t-bad", "name", "proj.fail", "args", "()", "kwargs", "{}", "retries", 0L),
                            event("task-failed", clock++, "uuid", "t-bad", "exception", "ValueError('boom')", "traceback", "tb")));
                    publish(redis, db, "task.multi", List.of());
                    redis.call("PUBLISH", "/" + db + ".celeryev/task.multi", "not a kombu envelope");
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void snapshotPrintsTheClusterStateAsJson() throws Exception {
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase()) {
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> publisher = cluster(server, lease.db(), stop);
            try {
                MainTest.Run r = run("events", "snapshot", "--broker", lease.url(), "--seconds", "1.5", "--json");
                assertThat(r.code()).as(r.err()).isZero();
                Map<?, ?> doc = (Map<?, ?>) CeleryJson.decode(r.out().strip());
                Map<?, ?> w = (Map<?, ?>) ((Map<?, ?>) doc.get("workers")).get("w1@test");
                assertThat(w.get("alive")).isEqualTo(true);
                assertThat(w.get("processed")).isEqualTo(3L);
                assertThat((List<?>) w.get("heartbeats")).isNotEmpty();
                Map<?, ?> ok = (Map<?, ?>) ((Map<?, ?>) doc.get("tasks")).get("t-ok");
                assertThat(ok.get("state")).isEqualTo("SUCCESS");
                assertThat(ok.get("name")).isEqualTo("proj.add");
                assertThat(ok.get("result")).isEqualTo("5");
                assertThat(ok.get("runtime")).isEqualTo(0.25);
                assertThat(ok.get("worker")).isEqualTo("w1@test");
                assertThat(((Map<?, ?>) ((Map<?, ?>) doc.get("tasks")).get("t-bad")).get("state")).isEqualTo("FAILURE");
                assertThat(doc.get("alive_workers")).isEqualTo(List.of("w1@test"));
                assertThat((Long) doc.get("messages_rejected")).isPositive();
            } finally {
                stop.set(true);
                publisher.join();
            }
        }
    }

    @Test
    void dumpPrintsJsonLinesAndTopPrintsTables() throws Exception {
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase()) {
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> publisher = cluster(server, lease.db(), stop);
            try {
                MainTest.Run dump = run("events", "dump", "--broker", lease.url(), "--seconds", "1");
                assertThat(dump.code()).as(dump.err()).isZero();
                List<String> lines = dump.out().lines().toList();
                assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(CeleryJson.decode(l)).isInstanceOf(Map.class));
                assertThat(dump.out()).contains("\"type\": \"task-succeeded\"").contains("\"local_received\": ");
                assertThat(dump.err()).containsPattern("celeriac: \\d+ events, \\d+ messages rejected");

                MainTest.Run top = run("events", "top", "--broker", lease.url(), "--refresh", "0.5", "--iterations", "2");
                assertThat(top.code()).as(top.err()).isZero();
                assertThat(top.out()).contains("celeriac events top").containsPattern("w1@test\\s+yes\\s+1\\s+3")
                        .containsPattern("t-ok\\s+proj\\.add\\s+SUCCESS\\s+w1@test\\s+0\\.250 s");
            } finally {
                stop.set(true);
                publisher.join();
            }
        }
    }

    @Test
    void theSnapshotTableShowsResultsAndASilentBrokerIsExplained() throws Exception {
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase()) {
            MainTest.Run quiet = run("events", "snapshot", "--broker", lease.url(), "--seconds", "0.5");
            assertThat(quiet.code()).as(quiet.err()).isZero();
            assertThat(quiet.err()).contains("celeriac: no event from redis://").contains("celery worker -E")
                    .contains("--broker URL");
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> publisher = cluster(server, lease.db(), stop);
            try {
                MainTest.Run r = run("events", "snapshot", "--broker", lease.url(), "--seconds", "1.5");
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(r.out()).containsPattern("UUID\\s+NAME\\s+STATE\\s+WORKER\\s+RUNTIME\\s+RESULT")
                        .containsPattern("t-ok\\s+proj\\.add\\s+SUCCESS\\s+w1@test\\s+0\\.250 s\\s+5");
                assertThat(r.err()).doesNotContain("no event from");
            } finally {
                stop.set(true);
                publisher.join();
            }
        }
    }

    @Test
    void anUnreachableBrokerIsOneLine() {
        MainTest.Run r = run("events", "snapshot", "--broker", "redis://:hunter2@127.0.0.1:1/0", "--seconds", "0.5");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).doesNotContain("hunter2").doesNotContain("\n").doesNotContain("Exception")
                .contains("127.0.0.1:1").contains("no connection to the broker");
    }
}
