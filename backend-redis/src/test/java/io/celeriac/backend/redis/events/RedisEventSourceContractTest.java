package io.celeriac.backend.redis.events;

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
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
            recorder = new Recorder(jedis(), channel("celery.pidbox"));
            return true;
        }

        @Override
        public List<Map<String, Object>> broadcasts() {
            return recorder == null ? List.of() : List.copyOf(recorder.bodies);
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

    /** A plain subscriber to one channel, decoding kombu's envelopes to their bodies, on a thread of its own. */
    private static final class Recorder implements AutoCloseable {
        final List<Map<String, Object>> bodies = new CopyOnWriteArrayList<>();
        private final AtomicBoolean subscribed = new AtomicBoolean();
        private final Thread thread;
        private final BinaryJedisPubSub pubSub = new BinaryJedisPubSub() {
            @Override
            @SuppressWarnings("unchecked")
            public void onMessage(byte[] channel, byte[] message) {
                Map<String, Object> envelope = (Map<String, Object>) CeleryJson.decode(message);
                byte[] body = Base64.getDecoder().decode((String) envelope.get("body"));
                bodies.add((Map<String, Object>) CeleryJson.decode(body));
            }

            @Override
            public void onSubscribe(byte[] channel, int subscribedChannels) {
                subscribed.set(true);
            }
        };

        Recorder(Jedis jedis, String channel) {
            thread = new Thread(() -> {
                try (jedis) {
                    jedis.subscribe(pubSub, channel.getBytes(StandardCharsets.UTF_8));
                }
            }, "kit-broadcast-recorder");
            thread.setDaemon(true);
            thread.start();
            await().atMost(Tck.timeout(Duration.ofSeconds(30))).until(subscribed::get);
        }

        @Override
        public void close() throws InterruptedException {
            pubSub.unsubscribe();
            thread.join(Tck.timeout(Duration.ofSeconds(30)).toMillis());
        }
    }
}
