package io.celeriac.backend.redis.broker;

import io.celeriac.Celeriac;
import io.celeriac.backend.redis.internal.KombuEnvelope;
import io.celeriac.broker.Broker;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;
import io.celeriac.json.CeleryJson;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import io.celeriac.testing.ProtocolTwoHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
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
 * The Redis broker against real kombu 5.2.4 and Celery 5.2.6, both ways, each test on a leased Redis database:
 * task messages that Python's {@code app.send_task} and canvases publish (countdown, eta, expires, priority, a
 * named queue, custom headers, link/link_error, a chain, a group, a chord) are consumed by Java with every header,
 * property and body field intact, down to the byte (re-encoding what Java read gives kombu's envelope exactly);
 * messages that Java publishes are the very envelopes kombu's own producer writes for the same message, and kombu's
 * consumer reads every field of them; and a hand-built protocol-2 task message published by Java is run by a real
 * Celery worker, which stores its result (and its link's) in Redis.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class RedisBrokerKombuInteropTest {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String SEP = "\u0006\u0016";
    private static final String SCRIPT = PythonCelery.resource(RedisBrokerKombuInteropTest.class, "kombu_broker.py");

    @TempDir
    Path tmp;

    private PythonCelery.Result python(String... args) {
        return PythonPeer.of(celery).run(SCRIPT, WAIT, Map.of(), args).assertSuccess();
    }

    /** Every element of a queue's lists (step 0, 3, 6, 9), as text, right end (next served) first. */
    @SuppressWarnings("unchecked")
    private static List<String> rawQueue(RedisTestServer server, int db, String queue) throws IOException {
        List<String> out = new ArrayList<>();
        try (Resp r = server.connect(db)) {
            for (String key : List.of(queue, queue + SEP + "3", queue + SEP + "6", queue + SEP + "9")) {
                List<Object> l = (List<Object>) r.call("LRANGE", key, "0", "-1");
                for (int i = l.size() - 1; i >= 0; i--) {
                    out.add((String) l.get(i));
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    @SuppressWarnings("unchecked")
    void tasksAndCanvasesSentByPythonCeleryAreConsumedByJavaIntact() throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase()) {
            String queue = "interop-" + UUID.randomUUID().toString().substring(0, 8);
            List<String> lines = python("send_tasks", lease.url(), queue).lines();
            Map<String, Object> ids = map(CeleryJson.decode(lines.get(lines.size() - 1)));
            List<String> raw = rawQueue(server, lease.db(), queue);
            assertThat(raw).hasSize(13);
            Map<String, String> rawById = new HashMap<>();
            for (String r : raw) {
                rawById.put((String) map(map(CeleryJson.decode(r)).get("headers")).get("id"), r);
            }

            BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
            Map<String, Delivery> byId = new LinkedHashMap<>();
            try (Broker broker = CELERIAC.openBroker(lease.url())) {
                broker.declareQueue(CeleryTopology.taskQueue(queue)); // as a worker does before it consumes
                broker.consume(List.of(queue), ConsumeOptions.prefetch(20), d -> {
                    got.add(d);
                    d.ack();
                });
                for (int i = 0; i < 13; i++) {
                    Delivery d = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertThat(d).as("delivery %s of 13", i + 1).isNotNull();
                    byId.put((String) d.message().header("id"), d);
                }
                await().atMost(WAIT).until(() -> broker.queueStats(queue).messages() == 0);
            }
            assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(rawById.keySet());

            for (Map.Entry<String, Delivery> e : byId.entrySet()) {
                Delivery d = e.getValue();
                String text = rawById.get(e.getKey());
                Map<String, Object> env = map(CeleryJson.decode(text));
                Map<String, Object> props = map(env.get("properties"));
                Map<String, Object> info = map(props.get("delivery_info"));
                Message m = d.message();
                assertThat(m.headers()).as("headers of %s", e.getKey()).isEqualTo(env.get("headers"));
                assertThat(m.body()).isEqualTo(Base64.getDecoder().decode((String) env.get("body")));
                assertThat(m.contentType()).isEqualTo(env.get("content-type")).isEqualTo("application/json");
                assertThat(m.contentEncoding()).isEqualTo(env.get("content-encoding")).isEqualTo("utf-8");
                assertThat(m.correlationId()).isEqualTo(props.get("correlation_id")).isEqualTo(e.getKey());
                assertThat(m.replyTo()).isEqualTo(props.get("reply_to")).isNotNull();
                assertThat((long) m.priority()).isEqualTo(props.get("priority"));
                assertThat((long) m.deliveryMode()).isEqualTo(props.get("delivery_mode"));
                assertThat(m.expiration()).isEqualTo(props.get("expiration"));
                assertThat(d.exchange()).isEqualTo(info.get("exchange")).isEqualTo("");
                assertThat(d.routingKey()).isEqualTo(info.get("routing_key")).isEqualTo(queue);
                assertThat(d.queue()).isEqualTo(queue);
                assertThat(d.redelivered()).isFalse();
                // nothing was lost or changed: written back, it is kombu's envelope byte for byte
                String again = new String(KombuEnvelope.encode(m, d.exchange(), d.routingKey(),
                        (String) props.get("delivery_tag")), StandardCharsets.UTF_8);
                assertThat(again).as("re-encoded %s", e.getKey()).isEqualTo(text);
            }

            Message basic = byId.get((String) ids.get("basic")).message();
            assertThat(basic.bodyAsString()).isEqualTo("[[2, 3], {\"z\": 1}, {\"callbacks\": null, \"errbacks\": null, "
                    + "\"chain\": null, \"chord\": null}]");
            List<String> expectedHeaders = new ArrayList<>(List.of("lang", "task", "id", "shadow", "eta", "expires",
                    "group", "group_index", "retries", "timelimit", "root_id", "parent_id", "argsrepr", "kwargsrepr",
                    "origin", "ignore_result"));
            if (celery != CeleryVersion.V5_2) {
                // Celery 5.3 and later add the stamping and replace() headers
                expectedHeaders.addAll(List.of("replaced_task_nesting", "stamped_headers", "stamps"));
                assertThat(basic.header("replaced_task_nesting")).isEqualTo(0L);
                assertThat(basic.header("stamps")).isEqualTo(Map.of());
            }
            assertThat(basic.headers().keySet()).containsExactlyElementsOf(expectedHeaders);
            assertThat(basic.header("kwargsrepr")).isEqualTo("{'z': 1}");
            assertThat((String) byId.get((String) ids.get("countdown")).message().header("eta")).endsWith("+00:00");
            assertThat(byId.get((String) ids.get("eta")).message().header("eta")).isEqualTo("2031-01-02T03:04:05+00:00");
            Message expires = byId.get((String) ids.get("expires")).message();
            assertThat(expires.expiration()).isEqualTo("60000");
            assertThat((String) expires.header("expires")).endsWith("+00:00");
            assertThat(byId.get((String) ids.get("priority")).message().priority()).isEqualTo(5);
            Message headers = byId.get((String) ids.get("headers")).message();
            assertThat(headers.header("x-custom")).isEqualTo("v1");
            assertThat(headers.header("x-n")).isEqualTo(1L << 40);
            assertThat(headers.header("timelimit")).isEqualTo(List.of(30L, 20L));
            assertThat(headers.header("shadow")).isEqualTo("add-shadow");
            assertThat(headers.header("ignore_result")).isEqualTo(true);
            assertThat(headers.bodyAsString()).startsWith("[[\"\\u00e9\", \"\\u2713\"], {}, ");
            Map<String, Object> linkEmbed = map(((List<Object>) CeleryJson.decode(byId.get((String) ids.get("link"))
                    .message().body())).get(2));
            assertThat(((List<Object>) linkEmbed.get("callbacks"))).extracting(c -> map(c).get("task")).containsExactly("proj.add");
            assertThat(map(((List<Object>) linkEmbed.get("errbacks")).get(0)).get("immutable")).isEqualTo(true);
            Map<String, Object> chainEmbed = map(((List<Object>) CeleryJson.decode(byId.get((String) ids.get("chain"))
                    .message().body())).get(2));
            List<Object> rest = (List<Object>) chainEmbed.get("chain");
            assertThat(rest).hasSize(2);
            assertThat(map(map(rest.get(0)).get("options")).get("task_id")).as("the rest in reverse order")
                    .isEqualTo(ids.get("chain_last"));
            List<Object> groupMembers = (List<Object>) ids.get("group_members");
            for (int i = 0; i < groupMembers.size(); i++) {
                Message g = byId.get((String) groupMembers.get(i)).message();
                assertThat(g.header("group")).isEqualTo(ids.get("group"));
                // Celery 5.2 sends a plain group's members without an index; 5.5 and later number them
                assertThat(g.header("group_index")).isEqualTo(celery == CeleryVersion.V5_2 ? null : (Object) (long) i);
            }
            List<Object> chordMembers = (List<Object>) ids.get("chord_members");
            for (int i = 0; i < chordMembers.size(); i++) {
                Message c = byId.get((String) chordMembers.get(i)).message();
                assertThat(c.header("group")).isEqualTo(ids.get("chord_group"));
                assertThat(c.header("group_index")).isEqualTo((long) i);
                Map<String, Object> embed = map(((List<Object>) CeleryJson.decode(c.body())).get(2));
                assertThat(map(embed.get("chord")).get("task")).isEqualTo("proj.tsum");
                assertThat(map(map(embed.get("chord")).get("options")).get("task_id")).isEqualTo(ids.get("chord_body"));
            }
        }
    }

    /** The messages of the Java-to-kombu test: a task message, priorities, expiry, every header type, binary. */
    private static List<Message> javaMessages() {
        String id = UUID.randomUUID().toString();
        Map<String, Object> task = ProtocolTwoHeaders.of("proj.add", id, "(2, 3)", "{'z': 1}", "gen1234@host");
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("k", "v");
        nested.put("none", null);
        nested.put("list", List.of(1L, "two", true, 2.5));
        Map<String, Object> every = new LinkedHashMap<>();
        every.put("unicode", "é✓ – ünïcødé 🎉");
        every.put("big", 1L << 40);
        every.put("negative", -42L);
        every.put("float", 1796608836.7318265);
        every.put("whole_float", 3.0);
        every.put("flag", true);
        every.put("none", null);
        every.put("nested", nested);
        every.put("empty", Map.of());
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        return List.of(
                Message.builder().body("[[2, 3], {\"z\": 1}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, "
                        + "\"chord\": null}]").headers(task).correlationId(id)
                        .replyTo("07a5d7fe-3ede-35bb-9975-89bbc33905e2").build(),
                Message.builder().body("[[1], {}, {}]").headers(task).correlationId(id).replyTo("r").priority(5)
                        .expiration("60000").build(),
                Message.builder().body("[[9], {}, {}]").headers(task).correlationId(id).replyTo("r").priority(9).build(),
                Message.builder().body(binary).contentType("application/x-custom").contentEncoding("binary")
                        .headers(every).deliveryMode(Message.TRANSIENT).build(),
                Message.builder().body("{\"w1@host\": {\"ok\": \"pong\"}}").deliveryMode(Message.TRANSIENT)
                        .header("ticket", "865f08c4-74ec-4208-b198-385045f5a053").header("clock", 3L).build(),
                Message.builder().body("stamped").contentType("text/plain").messageId("m-1").type("kind")
                        .appId("celeriac").timestamp(Instant.ofEpochSecond(1_796_608_460L)).build());
    }

    /** The spec {@code kombu_broker.py publish} reads: the same messages, for kombu's own producer. */
    private static List<Map<String, Object>> spec(List<Message> messages, String queue) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Message m : messages) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("routing_key", queue);
            s.put("body", Base64.getEncoder().encodeToString(m.body()));
            s.put("content_type", m.contentType());
            s.put("content_encoding", m.contentEncoding());
            s.put("headers", m.headers());
            s.put("priority", (long) m.priority());
            s.put("delivery_mode", (long) m.deliveryMode());
            putIfSet(s, "correlation_id", m.correlationId());
            putIfSet(s, "reply_to", m.replyTo());
            putIfSet(s, "message_id", m.messageId());
            putIfSet(s, "timestamp", m.timestamp() == null ? null : m.timestamp().getEpochSecond());
            putIfSet(s, "type", m.type());
            putIfSet(s, "app_id", m.appId());
            putIfSet(s, "expiration_seconds", m.expiration() == null ? null : Long.parseLong(m.expiration()) / 1000.0);
            out.add(s);
        }
        return out;
    }

    private static void putIfSet(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private static String withoutTag(String envelope) {
        return envelope.replaceAll("\"delivery_tag\": \"[^\"]*\"", "\"delivery_tag\": \"*\"");
    }

    @Test
    void messagesPublishedByJavaAreTheEnvelopesKombuWritesAndKombuReadsEveryField() throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease javaDb = server.leaseDatabase();
             RedisTestServer.DatabaseLease kombuDb = server.leaseDatabase()) {
            String queue = "from-java";
            List<Message> messages = javaMessages();
            try (Broker broker = CELERIAC.openBroker(javaDb.url())) {
                broker.declareQueue(CeleryTopology.taskQueue(queue));
                for (Message m : messages) {
                    broker.publish("", queue, m);
                }
            }
            Path specFile = tmp.resolve("spec.json");
            Files.writeString(specFile, CeleryJson.encodeToString(spec(messages, queue)), StandardCharsets.UTF_8);
            python("publish", kombuDb.url(), specFile.toString());

            List<String> fromJava = rawQueue(server, javaDb.db(), queue);
            List<String> fromKombu = rawQueue(server, kombuDb.db(), queue);
            assertThat(fromJava).hasSize(messages.size());
            assertThat(fromJava.stream().map(RedisBrokerKombuInteropTest::withoutTag).toList())
                    .as("the envelopes kombu's producer writes, byte for byte but the delivery tags")
                    .isEqualTo(fromKombu.stream().map(RedisBrokerKombuInteropTest::withoutTag).toList());

            List<String> seen = python("consume", javaDb.url(), queue, Integer.toString(messages.size())).lines();
            assertThat(seen).hasSize(messages.size());
            // kombu serves step 0 first: the order of the lists read above
            for (int i = 0; i < seen.size(); i++) {
                Map<String, Object> k = map(CeleryJson.decode(seen.get(i)));
                Map<String, Object> sent = map(CeleryJson.decode(fromJava.get(i)));
                Message m = KombuEnvelope.decodeMessage(fromJava.get(i).getBytes(StandardCharsets.UTF_8)).message();
                assertThat(k.get("headers")).isEqualTo(m.headers());
                assertThat(Base64.getDecoder().decode((String) k.get("body"))).isEqualTo(m.body());
                assertThat(k.get("content_type")).isEqualTo(m.contentType());
                assertThat(k.get("content_encoding")).isEqualTo(m.contentEncoding());
                assertThat(k.get("properties")).isEqualTo(sent.get("properties"));
                assertThat(k.get("delivery_info")).isEqualTo(Map.of("exchange", "", "routing_key", queue));
                assertThat(k.get("delivery_tag")).isEqualTo(map(sent.get("properties")).get("delivery_tag"));
            }
            try (Resp r = server.connect(javaDb.db())) {
                assertThat(r.call("HLEN", "unacked")).as("kombu acknowledged every one").isEqualTo(0L);
            }
        }
    }

    @Test
    void aHandBuiltTaskMessageFromJavaIsRunByARealCeleryWorker() throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        RedisTestServer server = TestServices.redis();
        Files.writeString(tmp.resolve("javatasks.py"), PythonCelery.resource(getClass(), "javatasks.py"));
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase();
             Broker broker = CELERIAC.openBroker(lease.url())) {
            String queue = "java-" + UUID.randomUUID().toString().substring(0, 8);
            broker.declareQueue(CeleryTopology.taskQueue(queue));
            String id = UUID.randomUUID().toString();
            String callback = UUID.randomUUID().toString();
            String echo = UUID.randomUUID().toString();
            broker.publish("", queue, protocol2(id, "javatasks.add", "[[2, 3], {\"z\": 1}, {\"callbacks\": [{\"task\": "
                    + "\"javatasks.add\", \"args\": [10], \"kwargs\": {}, \"options\": {\"task_id\": \"" + callback
                    + "\", \"queue\": \"" + queue + "\"}, \"subtask_type\": null, \"immutable\": false}], \"errbacks\": null, \"chain\": null, "
                    + "\"chord\": null}]", "(2, 3)", "{'z': 1}"));
            broker.publish("", queue, protocol2(echo, "javatasks.echo", "[[\"\\u00e9\", 1099511627776, 2.5, null], "
                    + "{\"k\": [true, {}]}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]",
                    "('é', 1099511627776, 2.5, None)", "{'k': [True, {}]}").toBuilder().priority(5).build());

            Process worker = PythonPeer.of(celery).startBackground(null, tmp.resolve("worker.log"),
                    Map.of("CELERIAC_BROKER", lease.url(), "PYTHONPATH", tmp.toString(), "PYTHONDONTWRITEBYTECODE", "1"),
                    tmp, "-m", "celery", "-A", "javatasks", "worker", "-Q", queue, "--pool", "solo", "--without-mingle",
                    "--without-gossip", "--without-heartbeat", "-n", "javaw1@test", "--loglevel=INFO");
            try (Resp r = server.connect(lease.db())) {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                    if (!worker.isAlive()) {
                        throw new AssertionError("the worker exited:\n" + Files.readString(tmp.resolve("worker.log")));
                    }
                    return r.call("GET", "celery-task-meta-" + callback) != null
                            && r.call("GET", "celery-task-meta-" + echo) != null;
                });
                Map<String, Object> meta = map(CeleryJson.decode((String) r.call("GET", "celery-task-meta-" + id)));
                assertThat(meta.get("status")).isEqualTo("SUCCESS");
                assertThat(meta.get("result")).isEqualTo(6L);
                Map<String, Object> linked = map(CeleryJson.decode((String) r.call("GET", "celery-task-meta-" + callback)));
                assertThat(linked.get("status")).isEqualTo("SUCCESS");
                assertThat(linked.get("result")).isEqualTo(16L);
                Map<String, Object> echoed = map(CeleryJson.decode((String) r.call("GET", "celery-task-meta-" + echo)));
                assertThat(echoed.get("status")).isEqualTo("SUCCESS");
                assertThat(echoed.get("result")).isEqualTo(Map.of("args", Arrays.asList("é", 1L << 40, 2.5, null),
                        "kwargs", Map.of("k", List.of(true, Map.of()))));
                await().atMost(WAIT).until(() -> Long.valueOf(0).equals(r.call("HLEN", "unacked")));
                assertThat(broker.queueStats(queue).messages()).isZero();
            } finally {
                PythonPeer.stop(worker);
            }
        }
    }

    /** A task message as Celery 5.2's {@code as_task_v2} builds it (wire notes §0). */
    private static Message protocol2(String id, String task, String body, String argsrepr, String kwargsrepr) {
        Map<String, Object> h = ProtocolTwoHeaders.of(task, id, argsrepr, kwargsrepr, "gen1234@celeriac");
        return Message.builder().body(body).headers(h).correlationId(id).replyTo(UUID.randomUUID().toString())
                .deliveryMode(Message.PERSISTENT).priority(0).build();
    }
}
