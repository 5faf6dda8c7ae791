package io.celeriac.backend.amqp.events;

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
import io.celeriac.testing.TcpProxy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event source kit against the machine's RabbitMQ, each test in a virtual host of its own (made and deleted
 * with {@code rabbitmqctl}), so that what the kit publishes on {@code celeryev} reaches no one else's receivers.
 * Sources are opened through the registry on that vhost's {@code amqp://} URL, through a loopback TCP proxy that
 * cuts their connections on demand (and refuses new ones until restored) without touching anyone else's. The
 * fixture publishes as Celery 5.2's event dispatcher does on kombu's pyamqp transport (on {@code celeryev}, JSON
 * body, {@code application/json}, the {@code hostname} header, transient), publishes raw messages with no
 * properties at all, records the remote-control broadcasts on the {@code celery.pidbox} fanout, and opens an
 * unreachable source on a free loopback port.
 */
class AmqpEventSourceContractTest extends EventSourceContract {

    private static final Celeriac CELERIAC = Celeriac.discover();
    /** Reconnect quickly, so that the reconnection test does not wait the default 2 s per attempt. */
    private static final String QUERY = "?recovery_interval=0.2";

    @Override
    protected EventSourceFixture createFixture() throws Exception {
        return new AmqpEventFixture(PrivateEventVhost.create());
    }

    @Override
    protected Set<String> sharedThreadNamePrefixes() {
        return Set.of(PrivateEventVhost.THREAD_PREFIX);
    }

    /**
     * Not part of the kit: the fixture above publishes as Celery 5.2 does. Python's {@code EventDispatcher} on
     * the same vhost and the fixture each publish a worker-heartbeat and a task.multi batch; both arrive with the
     * same exchange, routing keys, properties and header names; and the source delivers Python's events.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.celeriac.testing.CeleryVersion#matrix")
    void theFixturePublishesAsCeleryDoes(CeleryVersion celery) throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        try (AmqpEventFixture fixture = new AmqpEventFixture(PrivateEventVhost.create());
             EventSource source = fixture.open()) {
            PrivateEventVhost.Recorder raw = fixture.vhost.record("celeryev", "#");
            List<String> types = new CopyOnWriteArrayList<>();
            source.start(e -> types.add(e.type() + " " + e.hostname()));
            await().atMost(Tck.timeout(Duration.ofSeconds(30))).until(source::isConnected);
            String script = String.join("\n",
                    "import sys",
                    "from celery import Celery",
                    "app = Celery('kit', broker=sys.argv[1])",
                    "with app.connection_for_write() as conn:",
                    "    with app.events.Dispatcher(conn, hostname='py@kit', enabled=True) as d:",
                    "        d.send('worker-heartbeat', freq=2.0, active=0)",
                    "    with app.events.Dispatcher(conn, hostname='py@kit', enabled=True, buffer_group=['task'],",
                    "                               buffer_limit=2) as d:",
                    "        d.send('task-received', uuid='py-1', name='proj.add')",
                    "        d.send('task-started', uuid='py-1')",
                    "");
            PythonPeer.of(celery).run(script, Tck.timeout(Duration.ofSeconds(60)), Map.of(), fixture.vhost.url()).assertSuccess();
            fixture.publish("worker.heartbeat", CeleryJson.encode(Map.of("hostname", "w@kit", "type", "worker-heartbeat")));
            fixture.publish("task.multi", CeleryJson.encode(List.of(Map.of("uuid", "j-1", "type", "task-started"))));
            await().atMost(Tck.timeout(Duration.ofSeconds(30))).until(() -> raw.messages.size() >= 4);
            List<PrivateEventVhost.Recorded> python = sentBy(raw, "py@kit");
            List<PrivateEventVhost.Recorded> ours = sentBy(raw, PrivateEventVhost.HOSTNAME);
            assertThat(python).hasSize(2);
            assertThat(ours).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(ours.get(i).exchange()).isEqualTo(python.get(i).exchange()).isEqualTo("celeryev");
                assertThat(ours.get(i).routingKey()).isEqualTo(python.get(i).routingKey());
                assertThat(shape(ours.get(i))).isEqualTo(shape(python.get(i)));
            }
            assertThat(python.get(0).routingKey()).isEqualTo("worker.heartbeat");
            assertThat(python.get(1).routingKey()).isEqualTo("task.multi");
            await().atMost(Tck.timeout(Duration.ofSeconds(30))).until(() -> types.size() >= 5);
            assertThat(types.subList(0, 3)).containsExactly("worker-heartbeat py@kit", "task-received py@kit",
                    "task-started py@kit");
            assertThat(source.messagesRejected()).isZero();
        }
    }

    private static List<PrivateEventVhost.Recorded> sentBy(PrivateEventVhost.Recorder raw, String hostname) {
        List<PrivateEventVhost.Recorded> out = new ArrayList<>();
        for (PrivateEventVhost.Recorded m : raw.messages) {
            Map<String, Object> h = m.properties().getHeaders();
            if (h != null && hostname.equals(String.valueOf(h.get("hostname")))) {
                out.add(m);
            }
        }
        return out;
    }

    /** The properties of a message, the header values left out. */
    private static String shape(PrivateEventVhost.Recorded m) {
        var p = m.properties();
        return "content_type=" + p.getContentType() + " content_encoding=" + p.getContentEncoding() + " headers="
                + p.getHeaders().keySet() + " delivery_mode=" + p.getDeliveryMode() + " priority=" + p.getPriority()
                + " correlation_id=" + p.getCorrelationId() + " reply_to=" + p.getReplyTo() + " expiration="
                + p.getExpiration() + " message_id=" + p.getMessageId() + " timestamp=" + p.getTimestamp() + " type="
                + p.getType() + " user_id=" + p.getUserId() + " app_id=" + p.getAppId();
    }

    /** kombu's pyamqp transport, in a virtual host of its own, its sources behind a proxy that can cut them. */
    private static final class AmqpEventFixture implements EventSourceFixture {
        private final PrivateEventVhost vhost;
        private final TcpProxy proxy;
        private PrivateEventVhost.Recorder broadcasts;

        AmqpEventFixture(PrivateEventVhost vhost) throws IOException {
            this.vhost = vhost;
            TcpProxy p;
            try {
                p = new TcpProxy(vhost.server().host(), vhost.server().port());
            } catch (IOException | RuntimeException e) {
                try {
                    vhost.close();
                } catch (Exception ignored) {
                    // the first failure is the one to report
                }
                throw e;
            }
            this.proxy = p;
        }

        @Override
        public EventSource open() {
            return CELERIAC.openEventSource(vhost.urlThrough(proxy.port()) + QUERY, EventSourceOptions.defaults());
        }

        @Override
        public void publish(String routingKey, byte[] body) throws Exception {
            vhost.publishEvent(routingKey, body);
        }

        @Override
        public void publishRaw(String routingKey, byte[] message) throws Exception {
            vhost.publishRaw("celeryev", routingKey, null, message);
        }

        @Override
        public boolean cutConnections() {
            proxy.accepting(false);
            proxy.cutAll();
            return true;
        }

        @Override
        public void restoreConnections() {
            proxy.accepting(true);
        }

        @Override
        public Optional<EventSource> openUnreachable() {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Optional.of(CELERIAC.openEventSource(vhost.urlThrough(port) + QUERY, EventSourceOptions.defaults()));
        }

        @Override
        public boolean startRecordingBroadcasts() throws Exception {
            broadcasts = vhost.record("celery.pidbox", "");
            return true;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> broadcasts() {
            List<Map<String, Object>> out = new ArrayList<>();
            if (broadcasts != null) {
                for (PrivateEventVhost.Recorded m : broadcasts.messages) {
                    out.add((Map<String, Object>) CeleryJson.decode(new String(m.body(), StandardCharsets.UTF_8)));
                }
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            try {
                proxy.close();
            } finally {
                vhost.close();
            }
        }
    }
}
