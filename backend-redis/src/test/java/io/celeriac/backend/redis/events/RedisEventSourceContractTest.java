package io.celeriac.backend.redis.events;

import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.ParameterizedTest;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.Celeriac;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.EventSourceContract;
import io.celeriac.tck.EventSourceFixture;
import io.celeriac.tck.Tck;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event source kit against the shared Redis, each test on its own channels: sources are opened through the
 * registry on {@code redis://…/0?global_keyprefix=<fresh prefix>&client_name=<fresh name>}, so kombu's fanout
 * channels are {@code <prefix>/0.celeryev/<routing key>} and nobody else's. The fixture publishes as Celery 5.2's
 * event dispatcher does on kombu's Redis transport ({@code PUBLISH} of kombu's JSON envelope, body in base64),
 * cuts the sources' connections with {@code CLIENT KILL ID} of every connection carrying the fixture's client
 * name (nobody else's), records the remote-control broadcasts on {@code <prefix>/0.celery.pidbox}, and opens
 * an unreachable source on a free loopback port.
 */
class RedisEventSourceContractTest extends EventSourceContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected EventSourceFixture createFixture() {
        return new RedisEventFixture(TestServices.redis());
    }

    /**
     * Not part of the kit: the fixture above publishes where and as Celery 5.2 does. Python's
     * {@code EventDispatcher} (with the same {@code global_keyprefix}) and the fixture each publish a
     * worker-heartbeat and a task.multi batch; both land on the same channels with envelopes equal byte for byte
     * but for the body, the sender's hostname and the delivery tag; and the source delivers Python's events.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.celeriac.testing.CeleryVersion#matrix")
    void theFixturePublishesWhereAndAsCeleryDoes(CeleryVersion celery) throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        RedisTestServer server = TestServices.redis();
        RedisEventFixture fixture = new RedisEventFixture(server);
        try (fixture; Recorder raw = new Recorder(fixture.jedis(), fixture.prefix + "*", true);
             EventSource source = fixture.open()) {
            List<String> types = new CopyOnWriteArrayList<>();
            source.start(e -> types.add(e.type() + " " + e.hostname()));
            await().atMost(Tck.timeout(Duration.ofSeconds(30))).until(source::isConnected);
            String script = String.join("\n",
                    "import sys",
                    "from celery import Celery",
                    "app = Celery('kit', broker=sys.argv[1])",
                    "app.conf.broker_transport_options = {'global_keyprefix': sys.argv[2]}",
                    "with app.connection_for_write() as conn:",
                    "    with app.events.Dispatcher(conn, hostname='py@kit', enabled=True) as d:",
                    "        d.send('worker-heartbeat', freq=2.0, active=0)",
                    "    with app.events.Dispatcher(conn, hostname='py@kit', enabled=True, buffer_group=['task'],",
                    "                               buffer_limit=2) as d:",
                    "        d.send('task-received', uuid='py-1', name='proj.add')",
                    "        d.send('task-started', uuid='py-1')",
                    "");
            PythonPeer.of(celery).run(script, Tck.timeout(Duration.ofSeconds(60)), Map.of(), server.url(0), fixture.prefix)
                    .assertSuccess();
            fixture.publish("worker.heartbeat", CeleryJson.encode(Map.of("hostname", "w@kit", "type", "worker-heartbeat")));
            fixture.publish("task.multi", CeleryJson.encode(List.of(Map.of("uuid", "j-1", "type", "task-started"))));
            await().atMost(Tck.timeout(Duration.ofSeconds(30)))
                    .until(() -> sentBy(raw, "py@kit").size() >= 2 && sentBy(raw, "kit@celeriac").size() == 2);
            List<Map.Entry<String, byte[]>> python = sentBy(raw, "py@kit");
            List<Map.Entry<String, byte[]>> ours = sentBy(raw, "kit@celeriac");
            for (int i = 0; i < 2; i++) {
                assertThat(ours.get(i).getKey()).isEqualTo(python.get(i).getKey());
                assertThat(shape(ours.get(i).getValue())).isEqualTo(shape(python.get(i).getValue()));
            }
            assertThat(python.get(0).getKey()).isEqualTo(fixture.prefix + "/0.celeryev/worker.heartbeat");
            assertThat(python.get(1).getKey()).isEqualTo(fixture.prefix + "/0.celeryev/task.multi");
            await().atMost(Tck.timeout(Duration.ofSeconds(30))).until(() -> types.size() >= 5);
            assertThat(types.subList(0, 3)).containsExactly("worker-heartbeat py@kit", "task-received py@kit",
                    "task-started py@kit");
            assertThat(source.messagesRejected()).isZero();
        }
    }

    private static List<Map.Entry<String, byte[]>> sentBy(Recorder raw, String hostname) {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> m : raw.messages) {
            if (new String(m.getValue(), StandardCharsets.UTF_8).contains("\"headers\": {\"hostname\": \"" + hostname + "\"}")) {
                out.add(m);
            }
        }
        return out;
    }

    /** The envelope's text with the body, the hostname and the delivery tag blanked out. */
    private static String shape(byte[] envelope) {
        return new String(envelope, StandardCharsets.UTF_8)
                .replaceFirst("\"body\": \"[A-Za-z0-9+/=]*\"", "\"body\": \"B\"")
                .replaceFirst("\"hostname\": \"[^\"]*\"", "\"hostname\": \"H\"")
                .replaceFirst("\"delivery_tag\": \"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\"",
                        "\"delivery_tag\": \"T\"");
    }

    /** kombu's Redis transport, in a namespace of its own. */
    private static final class RedisEventFixture implements EventSourceFixture {
        private static final int DB = 0;
        private static final Duration WAIT = Tck.timeout(Duration.ofSeconds(30));

        private final RedisTestServer server;
        private final String prefix;
        private final String clientName;
        private final String query;
        private Jedis publisher;
        private Thread cutter;
        private final AtomicBoolean cutting = new AtomicBoolean();
        private Recorder recorder;

        RedisEventFixture(RedisTestServer server) {
            this.server = server;
            this.prefix = server.newKeyPrefix();
            this.clientName = "celeriac-kit-" + UUID.randomUUID().toString().substring(0, 13);
            this.query = "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)
                    + "&client_name=" + clientName;
        }

        @Override
        public EventSource open() {
            return CELERIAC.openEventSource(server.url(DB) + query, EventSourceOptions.defaults());
        }

        /** kombu: {@code global_keyprefix + keyprefix_fanout ("/{db}.") + exchange + "/" + routing_key}. */
        private String channel(String exchangeAndKey) {
            return prefix + "/" + DB + "." + exchangeAndKey;
        }

        @Override
        public void publish(String routingKey, byte[] body) {
            publishRaw(routingKey, envelope(routingKey, body));
        }

        @Override
        public void publishRaw(String routingKey, byte[] message) {
            if (publisher == null) {
                publisher = jedis();
            }
            publisher.publish(channel("celeryev/" + routingKey).getBytes(StandardCharsets.UTF_8), message);
        }

        /** kombu's envelope as Celery's event dispatcher sends it (key order, separators, transient delivery). */
        private static byte[] envelope(String routingKey, byte[] body) {
            Map<String, Object> deliveryInfo = new LinkedHashMap<>();
            deliveryInfo.put("exchange", "celeryev");
            deliveryInfo.put("routing_key", routingKey);
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("delivery_mode", 1L);
            properties.put("delivery_info", deliveryInfo);
            properties.put("priority", 0L);
            properties.put("body_encoding", "base64");
            properties.put("delivery_tag", UUID.randomUUID().toString());
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("body", Base64.getEncoder().encodeToString(body));
            envelope.put("content-encoding", "utf-8");
            envelope.put("content-type", "application/json");
            envelope.put("headers", Map.of("hostname", "kit@celeriac"));
            envelope.put("properties", properties);
            return CeleryJson.encode(envelope);
        }

        @Override
        public boolean cutConnections() throws IOException {
            int killed;
            try (Resp r = server.connect(DB)) {
                killed = killOurs(r);
            }
            cutting.set(true);
            cutter = new Thread(() -> {
                try (Resp r = server.connect(DB)) {
                    while (cutting.get()) {
                        killOurs(r);
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "kit-connection-cutter");
            cutter.setDaemon(true);
            cutter.start();
            return killed > 0;
        }

        /** {@code CLIENT KILL ID} of every connection named {@link #clientName}; returns how many. */
        private int killOurs(Resp r) throws IOException {
            Object list = r.call("CLIENT", "LIST");
            int killed = 0;
            for (String line : String.valueOf(list).split("\n")) {
                List<String> fields = List.of(line.strip().split(" "));
                if (!fields.contains("name=" + clientName)) {
                    continue;
                }
                for (String f : fields) {
                    if (f.startsWith("id=") && Long.valueOf(1).equals(r.call("CLIENT", "KILL", "ID", f.substring(3)))) {
                        killed++;
                    }
                }
            }
            return killed;
        }

        @Override
        public void restoreConnections() throws InterruptedException {
            cutting.set(false);
            if (cutter != null) {
                cutter.join(WAIT.toMillis());
                cutter = null;
            }
        }

        @Override
        public Optional<EventSource> openUnreachable() {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Optional.of(CELERIAC.openEventSource("redis://127.0.0.1:" + port + "/" + DB + query,
                    EventSourceOptions.defaults()));
        }

        @Override
        public boolean startRecordingBroadcasts() {
            recorder = new Recorder(jedis(), channel("celery.pidbox"), false);
            return true;
        }

        @Override
        public List<Map<String, Object>> broadcasts() {
            return recorder == null ? List.of() : recorder.bodies();
        }

        @Override
        public void close() throws Exception {
            restoreConnections();
            if (recorder != null) {
                recorder.close();
            }
            if (publisher != null) {
                publisher.close();
            }
        }

        private Jedis jedis() {
            Jedis j = new Jedis(server.host(), server.port());
            if (server.password() != null) {
                if (server.user() != null) {
                    j.auth(server.user(), server.password());
                } else {
                    j.auth(server.password());
                }
            }
            return j;
        }
    }

    /** A plain subscriber to one channel or pattern, keeping every (channel, message) pair, on a thread of its own. */
    private static final class Recorder implements AutoCloseable {
        final List<Map.Entry<String, byte[]>> messages = new CopyOnWriteArrayList<>();
        private final AtomicBoolean subscribed = new AtomicBoolean();
        private final boolean pattern;
        private final Thread thread;
        private final BinaryJedisPubSub pubSub = new BinaryJedisPubSub() {
            @Override
            public void onMessage(byte[] channel, byte[] message) {
                messages.add(Map.entry(new String(channel, StandardCharsets.UTF_8), message));
            }

            @Override
            public void onPMessage(byte[] pattern, byte[] channel, byte[] message) {
                onMessage(channel, message);
            }

            @Override
            public void onSubscribe(byte[] channel, int subscribedChannels) {
                subscribed.set(true);
            }

            @Override
            public void onPSubscribe(byte[] pattern, int subscribedChannels) {
                subscribed.set(true);
            }
        };

        Recorder(Jedis jedis, String channel, boolean pattern) {
            this.pattern = pattern;
            byte[] name = channel.getBytes(StandardCharsets.UTF_8);
            thread = new Thread(() -> {
                try (jedis) {
                    if (pattern) {
                        jedis.psubscribe(pubSub, name);
                    } else {
                        jedis.subscribe(pubSub, name);
                    }
                }
            }, "kit-recorder");
            thread.setDaemon(true);
            thread.start();
            await().atMost(Tck.timeout(Duration.ofSeconds(30))).until(subscribed::get);
        }

        /** @return the bodies of the kombu envelopes heard, decoded */
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> bodies() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Map.Entry<String, byte[]> m : messages) {
                Map<String, Object> envelope = (Map<String, Object>) CeleryJson.decode(m.getValue());
                out.add((Map<String, Object>) CeleryJson.decode(Base64.getDecoder().decode((String) envelope.get("body"))));
            }
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            if (pubSub.isSubscribed()) {
                if (pattern) {
                    pubSub.punsubscribe();
                } else {
                    pubSub.unsubscribe();
                }
            }
            thread.join(Tck.timeout(Duration.ofSeconds(30)).toMillis());
        }
    }
}
