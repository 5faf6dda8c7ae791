package io.celeriac.backend.amqp;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import io.celeriac.testing.ProtocolTwoHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Interop with real kombu and Celery 5.2 on the shared RabbitMQ, both ways: messages Celery publishes
 * ({@code send_task} with countdown, eta, expires, priority, a named queue, custom headers, link/link_error, a
 * chain, a group) reach the Java broker with every header, property and body byte intact; a protocol-2 task
 * message Java publishes is read by kombu with the same headers, header types and properties, and run by a real
 * Python Celery worker, whose result the test reads from Redis.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class AmqpKombuInteropTest {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final String BODY = "[[2, 3], {\"z\": 1}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]";

    private RabbitTestServer rabbit;
    private Broker broker;
    private String queue;

    @BeforeEach
    void setUp() {
        rabbit = TestServices.rabbitmq();
        PythonPeer.of(celery).assumeAvailable();
        broker = CELERIAC.openBroker(rabbit.url());
        queue = "celeriac-interop-" + UUID.randomUUID();
        broker.declareQueue(CeleryTopology.taskQueue(queue));
    }

    @AfterEach
    void tearDown() {
        if (broker != null) {
            broker.deleteQueue(queue);
            broker.deleteExchange(queue);
            broker.close();
        }
    }

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String text) {
        return (Map<String, Object>) CeleryJson.decode(text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void messagesCeleryPublishesArriveIntact() throws Exception {
        PythonCelery.Result r = PythonPeer.of(celery).run(PythonCelery.resource(getClass(), "send_tasks.py"), t(120), Map.of(),
                rabbit.url(), queue).assertSuccess();
        List<String> lines = r.lines();
        assertThat(lines).hasSize(6);
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        broker.consume(List.of(queue), ConsumeOptions.prefetch(10), d -> {
            got.add(d);
            d.ack();
        });
        Map<String, Delivery> byId = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            Delivery d = got.poll(t(20).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(d).as("message %s of 6", i + 1).isNotNull();
            byId.put(d.message().correlationId(), d);
        }
        int index = 0;
        for (String line : lines) {
            Map<String, Object> sent = json(line);
            Map<String, Object> headers = (Map<String, Object>) sent.get("headers");
            Map<String, Object> props = (Map<String, Object>) sent.get("properties");
            Delivery d = byId.get((String) props.get("correlation_id"));
            assertThat(d).as("the message of task %s", props.get("correlation_id")).isNotNull();
            Message m = d.message();
            assertThat(m.headers()).as("headers of message %s", index).isEqualTo(headers);
            assertThat(m.bodyAsString()).isEqualTo(sent.get("body"));
            assertThat(m.correlationId()).isEqualTo(headers.get("id"));
            assertThat(m.replyTo()).isEqualTo(props.get("reply_to")).isNotBlank();
            assertThat(m.contentType()).isEqualTo("application/json");
            assertThat(m.contentEncoding()).isEqualTo("utf-8");
            assertThat(m.deliveryMode()).isEqualTo(Message.PERSISTENT);
            assertThat(d.exchange()).isEqualTo("");
            assertThat(d.routingKey()).isEqualTo(queue);
            assertThat(d.redelivered()).isFalse();
            assertThat(m.messageId()).isNull();
            switch (index) {
                case 0 -> {
                    assertThat(m.priority()).isEqualTo(5);
                    assertThat(m.expiration()).isEqualTo("60000");
                    assertThat(m.header("x-custom")).isEqualTo("v1");
                    assertThat(m.header("x-int")).isEqualTo(7L);
                    assertThat(m.header("x-neg")).isEqualTo(-3L);
                    assertThat(m.header("x-float")).isEqualTo(1.5);
                    assertThat(m.header("x-true")).isEqualTo(true);
                    assertThat(m.headers()).containsEntry("x-none", null);
                    assertThat(m.header("x-list")).isEqualTo(Arrays.asList(1L, "a", null, false));
                    assertThat(m.header("x-map")).isEqualTo(Map.of("k", "v", "n", 2L));
                    assertThat(m.header("x-unicode")).isEqualTo("é✓");
                    assertThat((String) m.header("eta")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00");
                    assertThat(m.header("timelimit")).isEqualTo(Arrays.asList(null, null));
                    assertThat(m.header("retries")).isEqualTo(0L);
                    assertThat(m.header("ignore_result")).isEqualTo(false);
                    assertThat((String) m.header("origin")).startsWith("gen");
                }
                case 1 -> {
                    assertThat(m.priority()).isEqualTo(9);
                    assertThat(m.expiration()).isNull();
                    assertThat(m.correlationId()).isEqualTo("11111111-2222-3333-4444-555555555555");
                    assertThat(m.header("eta")).isEqualTo("2026-12-07T01:59:20+00:00");
                    assertThat(m.header("timelimit")).isEqualTo(List.of(30L, 20L));
                    assertThat(m.header("shadow")).isEqualTo("add-shadow");
                    assertThat(m.header("ignore_result")).isEqualTo(true);
                    assertThat(m.bodyAsString()).startsWith("[[\"\\u00e9\", \"\\u2713\"], {}");
                }
                case 2 -> assertThat(m.bodyAsString()).contains("\"callbacks\": [{\"task\": \"proj.add\", \"args\": [10]")
                        .contains("\"errbacks\": [{\"task\": \"proj.tsum\", \"args\": [[1]]");
                case 3 -> assertThat(m.bodyAsString()).startsWith("[[1, 2], {}, {").contains("\"chain\": [{\"task\": \"proj.add\", \"args\": [4]");
                default -> {
                    assertThat(m.header("group")).isNotNull();
                    assertThat(m.priority()).isZero();
                }
            }
            index++;
        }
    }

    /** A protocol-2 task message built by hand, as Celery 5.2's {@code as_task_v2} builds it (wire file §0). */
    private static Message taskMessage(String task, String id, Map<String, Object> extraHeaders) {
        Map<String, Object> h = ProtocolTwoHeaders.of(task, id, "(2, 3)", "{'z': 1}", "gen" + ProcessHandle.current().pid() + "@celeriac-test");
        h.putAll(extraHeaders);
        return Message.builder().body(BODY).headers(h).correlationId(id).replyTo(UUID.randomUUID().toString())
                .deliveryMode(Message.PERSISTENT).priority(0).build();
    }

    @Test
    @SuppressWarnings("unchecked")
    void messagesJavaPublishesAreReadByKombuWithTheSameHeadersAndTypes() throws Exception {
        String id = UUID.randomUUID().toString();
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("x-java", "yes");
        extra.put("x-big", 1L << 40);
        extra.put("x-float", 2.5);
        extra.put("x-nested", Map.of("a", List.of(1L, "b")));
        Message sent = taskMessage("proj.add", id, extra);
        broker.publish("", queue, sent);
        Message expiring = Message.builder().body("[[], {}, {}]").header("lang", "py").header("task", "proj.add")
                .header("id", "e-1").correlationId("e-1").priority(7).expiration(Duration.ofSeconds(60)).build();
        broker.publish("", queue, expiring);

        PythonCelery.Result r = PythonPeer.of(celery).run(PythonCelery.resource(getClass(), "kombu_consume.py"), t(120), Map.of(),
                rabbit.url(), queue, "2").assertSuccess();
        List<Object> out = (List<Object>) CeleryJson.decode(r.lines().get(r.lines().size() - 1));
        Map<String, Object> first = (Map<String, Object>) out.get(0);
        assertThat(first.get("headers")).isEqualTo(sent.headers());
        Map<String, Object> kinds = (Map<String, Object>) first.get("kinds");
        assertThat(kinds).containsEntry("lang", "str").containsEntry("id", "str").containsEntry("shadow", "NoneType")
                .containsEntry("retries", "int").containsEntry("ignore_result", "bool")
                .containsEntry("timelimit", List.of("NoneType", "NoneType")).containsEntry("x-big", "int")
                .containsEntry("x-float", "float").containsEntry("x-nested", Map.of("a", List.of("int", "str")));
        Map<String, Object> props = (Map<String, Object>) first.get("properties");
        assertThat(props).containsEntry("content_type", "application/json").containsEntry("content_encoding", "utf-8")
                .containsEntry("delivery_mode", 2L).containsEntry("priority", 0L).containsEntry("correlation_id", id)
                .containsEntry("reply_to", sent.replyTo()).containsEntry("expiration", null)
                .containsEntry("message_id", null);
        assertThat(first.get("present")).as("the properties kombu sends, no more")
                .isEqualTo(List.of("application_headers", "content_encoding", "content_type", "correlation_id",
                        "delivery_mode", "priority", "reply_to"));
        assertThat(first.get("body")).isEqualTo(BODY);
        assertThat(first.get("decoded")).isEqualTo(CeleryJson.decode(BODY));
        assertThat(first.get("delivery_info")).isEqualTo(Map.of("exchange", "", "routing_key", queue, "redelivered", false));
        Map<String, Object> second = (Map<String, Object>) out.get(1);
        assertThat((Map<String, Object>) second.get("properties")).containsEntry("priority", 7L)
                .containsEntry("expiration", "60000").containsEntry("delivery_mode", 2L);
        await().atMost(t(10)).until(() -> broker.queueStats(queue).messages() == 0);
    }

    @Test
    void aRealPythonWorkerRunsAJavaMessageAndStoresTheResult(@TempDir Path dir) throws Exception {
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease db = redis.leaseDatabase()) {
            Files.writeString(dir.resolve("interop_tasks.py"), PythonCelery.resource(getClass(), "interop_tasks.py"),
                    StandardCharsets.UTF_8);
            Path log = dir.resolve("worker.log");
            String node = "celeriac-interop-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
            Process worker = PythonPeer.of(celery).startBackground(null, log,
                    Map.of("INTEROP_BROKER", rabbit.url(), "INTEROP_BACKEND", db.url(), "PYTHONDONTWRITEBYTECODE", "1"),
                    dir, "-m", "celery", "-A", "interop_tasks", "worker", "-Q", queue, "-c", "1", "--pool", "solo",
                    "-n", node, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info");
            try {
                String id = UUID.randomUUID().toString();
                broker.publish("", queue, taskMessage("interop.add", id, Map.of("x-java", "yes")));
                String key = "celery-task-meta-" + id;
                Object[] stored = new Object[1];
                try (Resp resp = redis.connect(db.db())) {
                    await().atMost(t(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                        if (!worker.isAlive()) {
                            throw new AssertionError("the worker exited:\n" + Files.readString(log));
                        }
                        stored[0] = resp.call("GET", key);
                        return stored[0] != null;
                    });
                }
                Object value = stored[0] instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : stored[0];
                Map<String, Object> meta = json(String.valueOf(value));
                assertThat(meta).containsEntry("status", "SUCCESS").containsEntry("result", 6L).containsEntry("task_id", id);
                await().atMost(t(10)).until(() -> broker.queueStats(queue).messages() == 0);
            } finally {
                PythonPeer.stop(worker);
            }
            assertThat(Files.readString(log)).contains("interop.add").contains("succeeded");
        }
    }
}
