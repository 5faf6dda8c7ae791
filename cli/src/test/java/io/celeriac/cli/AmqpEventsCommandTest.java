package io.celeriac.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.celeriac.json.CeleryJson;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.celeriac.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The events commands on RabbitMQ ({@code --broker amqp://...}), in a virtual host of the test's own: events are
 * published into it exactly as a Celery worker's kombu publishes them on the {@code celeryev} topic exchange, while
 * the command listens.
 */
class AmqpEventsCommandTest {

    private RabbitTestServer.Vhost vhost;
    private final AtomicBoolean stop = new AtomicBoolean();
    private CompletableFuture<Void> publisher;

    /** Makes the test's virtual host and starts publishing into it. */
    private void startCluster() {
        RabbitTestServer server = TestServices.rabbitmq();
        assumeTrue(server.canCreateVhosts() || "true".equalsIgnoreCase(System.getenv("CI")),
                "private virtual hosts need the machine's own RabbitMQ and rabbitmqctl");
        vhost = server.createVhost();
        publisher = cluster(vhost.url());
    }

    @AfterEach
    void tearDown() {
        stop.set(true);
        if (publisher != null) {
            publisher.join();
        }
        if (vhost != null) {
            vhost.close();
        }
    }

    private static Map<String, Object> event(String type, long clock, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", "w1@rabbit");
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

    /** Publishes a worker and two tasks as a Celery worker does, until {@link #stop}. */
    private CompletableFuture<Void> cluster(String url) {
        return CompletableFuture.runAsync(() -> {
            try {
                ConnectionFactory f = new ConnectionFactory();
                f.setUri(url);
                try (Connection c = f.newConnection("celeriac-cli-test")) {
                    Channel ch = c.createChannel();
                    ch.exchangeDeclare("celeryev", "topic", true, false, null);
                    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                            .contentEncoding("utf-8").headers(Map.of("hostname", "w1@rabbit")).deliveryMode(1)
                            .priority(0).build();
                    long clock = 1;
                    while (!stop.get()) {
                        ch.basicPublish("celeryev", "worker.heartbeat", props, CeleryJson.encode(event("worker-heartbeat",
                                clock++, "freq", 2.0, "active", 1L, "processed", 3L, "loadavg", List.of(0.5, 0.4, 0.3),
                                "sw_ident", "py-celery", "sw_ver", "5.2.6", "sw_sys", "Linux")));
                        ch.basicPublish("celeryev", "task.multi", props, CeleryJson.encode(List.of(
                                event("task-received", clock++, "uuid", "t-ok", "name", "proj.add", "args", "(2, 3)",
                                        "kwargs", "{}", "retries", 0L),
                                event("task-started", clock++, "uuid", "t-ok"),
                                event("task-succeeded", clock++, "uuid", "t-ok", "result", "5", "runtime", 0.25))));
                        ch.basicPublish("celeryev", "task.multi", props, CeleryJson.encode(List.of(
                                event("task-received", clock++, "uuid", "t-bad", "name", "proj.fail", "args", "()",
                                        "kwargs", "{}", "retries", 0L),
                                event("task-failed", clock++, "uuid", "t-bad", "exception", "ValueError('boom')",
                                        "traceback", "tb"))));
                        ch.basicPublish("celeryev", "task.multi", null, "not an event".getBytes());
                        Thread.sleep(50);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void dumpPrintsTheEventsOfTheVhost() {
        startCluster();
        MainTest.Run dump = run("events", "dump", "--broker", vhost.url(), "--seconds", "2");
        assertThat(dump.code()).as(dump.err()).isZero();
        List<String> lines = dump.out().lines().toList();
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(CeleryJson.decode(l)).isInstanceOf(Map.class));
        assertThat(dump.out()).contains("\"type\": \"worker-heartbeat\"").contains("\"hostname\": \"w1@rabbit\"")
                .contains("\"type\": \"task-succeeded\"").contains("\"local_received\": ");
        assertThat(dump.err()).containsPattern("celeriac: [1-9]\\d* events, [1-9]\\d* messages rejected, from "
                + "amqp://guest:\\*\\*@");
    }

    @Test
    @SuppressWarnings("unchecked")
    void snapshotAndTopShowTheCluster() {
        startCluster();
        MainTest.Run r = run("events", "snapshot", "--broker", vhost.url(), "--seconds", "2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> doc = (Map<String, Object>) CeleryJson.decode(r.out().strip());
        Map<String, Object> w = (Map<String, Object>) ((Map<String, Object>) doc.get("workers")).get("w1@rabbit");
        assertThat(w.get("alive")).isEqualTo(true);
        assertThat(w.get("processed")).isEqualTo(3L);
        Map<String, Object> tasks = (Map<String, Object>) doc.get("tasks");
        assertThat((Map<String, Object>) tasks.get("t-ok")).containsEntry("state", "SUCCESS").containsEntry("result", "5");
        assertThat((Map<String, Object>) tasks.get("t-bad")).containsEntry("state", "FAILURE");
        assertThat(doc.get("alive_workers")).isEqualTo(List.of("w1@rabbit"));

        MainTest.Run top = run("events", "top", "--broker", vhost.url(), "--refresh", "0.7", "--iterations", "2");
        assertThat(top.code()).as(top.err()).isZero();
        assertThat(top.out()).contains("celeriac events top").containsPattern("w1@rabbit\\s+yes\\s+1\\s+3")
                .containsPattern("t-ok\\s+proj\\.add\\s+SUCCESS\\s+w1@rabbit\\s+0\\.250 s");
    }

    @Test
    void anUnreachableRabbitIsOneLine() {
        MainTest.Run r = run("events", "snapshot", "--broker", "amqp://guest:hunter2@127.0.0.1:1//", "--seconds", "0.5");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).doesNotContain("hunter2").doesNotContain("\n").doesNotContain("Exception")
                .contains("127.0.0.1:1").contains("no connection to the broker");
    }
}
