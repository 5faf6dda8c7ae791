package io.celeriac.backend.amqp.events;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.broker.Message;
import io.celeriac.events.Event;
import io.celeriac.events.EventReceiverRules;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import io.celeriac.url.BackendUrl;
import io.celeriac.testing.ProtocolTwoHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Interop with real Celery 5.2.6 on RabbitMQ, both ways, each test in a virtual host of its own: the events of a
 * real Python worker ({@code celery worker -E --pool solo}) reach celeriac's event source (worker-online, the
 * periodic heartbeats, the heartbeat it sends when the source wakes it up, task-received/started/succeeded for a
 * task Python sent and for a hand-built protocol-2 message the Java broker sent, worker-offline); and the events of
 * {@link AmqpEventDispatcher} reach Python's own {@code EventReceiver} with the same fields, on the routing keys and
 * with the properties Celery uses, and Python's {@code State} makes of them what Celery would.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class AmqpEventsInteropTest {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final List<String> RECEIVED_FIELDS = List.of("hostname", "utcoffset", "pid", "clock", "uuid", "name",
            "args", "kwargs", "root_id", "parent_id", "retries", "eta", "expires", "timestamp", "type",
            "local_received");

    @TempDir
    Path tmp;

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    /** Every event a source delivers, in order. */
    private static final class Events {
        final List<Event> all = new CopyOnWriteArrayList<>();

        Event await(String what, Predicate<Event> p) {
            Event[] found = new Event[1];
            org.awaitility.Awaitility.await(what).atMost(t(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (Event e : all) {
                    if (p.test(e)) {
                        found[0] = e;
                        return true;
                    }
                }
                return false;
            });
            return found[0];
        }
    }

    private static Predicate<Event> task(String type, String uuid) {
        return e -> type.equals(e.type()) && uuid.equals(e.uuid());
    }

    @Test
    void aRealWorkersEventsReachTheJavaSource() throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        Files.writeString(tmp.resolve("events_tasks.py"), PythonCelery.resource(getClass(), "events_tasks.py"));
        String queue = "celeriac-ev-" + UUID.randomUUID();
        String node = "evworker-" + UUID.randomUUID().toString().substring(0, 8) + "@celeriac";
        try (PrivateEventVhost vhost = PrivateEventVhost.create();
             EventSource source = CELERIAC.openEventSource(vhost.url(), EventSourceOptions.defaults());
             Broker broker = CELERIAC.openBroker(vhost.url())) {
            Events a = new Events();
            source.start(a.all::add);
            await().atMost(t(30)).until(source::isConnected);

            Path log = tmp.resolve("worker.log");
            Process worker = PythonPeer.of(celery).startBackground(null, log,
                    Map.of("INTEROP_BROKER", vhost.url(), "PYTHONDONTWRITEBYTECODE", "1"), tmp,
                    "-m", "celery", "-A", "events_tasks", "worker", "-E", "--pool", "solo", "-Q", queue, "-n", node,
                    "--without-mingle", "--without-gossip", "-l", "info");
            try {
                Event online = a.await("worker-online of " + node,
                        e -> "worker-online".equals(e.type()) && node.equals(e.hostname()));
                assertThat(online.get("sw_ident")).isEqualTo("py-celery");
                assertThat(online.get("freq")).isEqualTo(2.0);
                a.await("a periodic heartbeat", e -> "worker-heartbeat".equals(e.type()) && node.equals(e.hostname())
                        && Double.valueOf(2.0).equals(e.get("freq")));

                // a task Python sends
                String fromPython = UUID.randomUUID().toString();
                PythonPeer.of(celery).run(PythonCelery.resource(getClass(), "send_task.py"), t(60), Map.of(), vhost.url(), queue,
                        fromPython, "interop.add", "2", "3").assertSuccess();
                Event received = a.await("task-received " + fromPython, task("task-received", fromPython));
                assertThat(new ArrayList<>(received.fields().keySet())).containsExactlyElementsOf(RECEIVED_FIELDS);
                assertThat(received.get("name")).isEqualTo("interop.add");
                assertThat(received.get("args")).isEqualTo("(2, 3)");
                assertThat(received.get("kwargs")).isEqualTo("{}");
                assertThat(received.hostname()).isEqualTo(node);
                a.await("task-started " + fromPython, task("task-started", fromPython));
                Event succeeded = a.await("task-succeeded " + fromPython, task("task-succeeded", fromPython));
                assertThat(succeeded.get("result")).isEqualTo("5");
                assertThat(succeeded.get("runtime")).isInstanceOf(Double.class);

                // a hand-built protocol-2 task message the Java broker sends
                String fromJava = UUID.randomUUID().toString();
                broker.publish("", queue, taskMessage("interop.add", fromJava, "[[10, 20], {}, "
                        + "{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]", "(10, 20)"));
                Event javaReceived = a.await("task-received " + fromJava, task("task-received", fromJava));
                assertThat(javaReceived.get("args")).isEqualTo("(10, 20)");
                a.await("task-started " + fromJava, task("task-started", fromJava));
                assertThat(a.await("task-succeeded " + fromJava, task("task-succeeded", fromJava)).get("result"))
                        .isEqualTo("30");

                // a second source wakes the worker up: it answers at once with a heartbeat of freq 5
                try (EventSource woken = CELERIAC.openEventSource(vhost.url(), EventSourceOptions.defaults())) {
                    Events b = new Events();
                    woken.start(b.all::add);
                    Event answer = b.await("the worker's answer to the wake-up", e -> "worker-heartbeat".equals(e.type())
                            && node.equals(e.hostname()) && Long.valueOf(5).equals(e.get("freq")));
                    assertThat(answer.get("sw_ident")).isEqualTo("py-celery");
                    assertThat(woken.messagesRejected()).isZero();
                }
            } finally {
                PythonPeer.stop(worker);
            }
            a.await("worker-offline of " + node, e -> "worker-offline".equals(e.type()) && node.equals(e.hostname()));
            assertThat(source.messagesRejected()).as("every message of the worker is an event").isZero();
            assertThat(Files.readString(log)).contains("interop.add").contains("succeeded");
        }
    }

    /** A protocol-2 task message as Celery 5.2's {@code send_task} builds it. */
    private static Message taskMessage(String task, String id, String body, String argsrepr) {
        Map<String, Object> h = ProtocolTwoHeaders.of(task, id, argsrepr, "{}", "gen" + ProcessHandle.current().pid() + "@celeriac-test");
        return Message.builder().body(body).headers(h).correlationId(id).replyTo(UUID.randomUUID().toString())
                .deliveryMode(Message.PERSISTENT).priority(0).build();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDispatchersEventsReachPythonsEventReceiverWithTheSameFields() throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        Path ready = tmp.resolve("receiver.ready");
        Path log = tmp.resolve("receiver.log");
        String host = "java1@celeriac";
        String t1 = UUID.randomUUID().toString();
        String t2 = UUID.randomUUID().toString();
        String t3 = UUID.randomUUID().toString();
        try (PrivateEventVhost vhost = PrivateEventVhost.create()) {
            PrivateEventVhost.Recorder wire = vhost.record("celeryev", "#");
            Process receiver = PythonPeer.of(celery).startBackground(PythonCelery.resource(getClass(), "event_receiver.py"), log,
                    Map.of("PYTHONDONTWRITEBYTECODE", "1"), tmp, vhost.url(), "10", ready.toString());
            List<Map<String, Object>> sent = new ArrayList<>();
            try {
                await().atMost(t(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    if (!receiver.isAlive()) {
                        throw new AssertionError("the receiver exited:\n" + Files.readString(log));
                    }
                    return Files.exists(ready);
                });
                try (AmqpEventDispatcher d = AmqpEventDispatcher.builder(BackendUrl.parse(vhost.url())).hostname(host)
                        .heartbeatInterval(Duration.ofMinutes(10)).build()) {
                    d.startHeartbeat();
                    sent.add(d.taskSent(t1, "proj.add", "(2, 3)", "{}", "celery"));
                    sent.add(d.taskReceived(t1, "proj.add", "(2, 3)", "{}", 0));
                    sent.add(d.taskStarted(t1));
                    sent.add(d.taskSucceeded(t1, "5", 0.25));
                    sent.add(d.taskReceived(t2, "proj.fail", "('boom',)", "{}", 0));
                    sent.add(d.taskFailed(t2, "ValueError('boom')", "Traceback (most recent call last):\nValueError: boom\n"));
                    sent.addAll(d.sendBatch(List.of(
                            Map.entry("task-received", Map.of("uuid", t3, "name", "proj.add", "args", "(1, 1)")),
                            Map.entry("task-started", Map.of("uuid", t3)))));
                }
                await().atMost(t(60)).until(() -> !receiver.isAlive());
            } finally {
                PythonPeer.stop(receiver);
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<Map<String, Object>> got = new ArrayList<>();
            Map<String, Object> state = null;
            for (String line : lines) {
                if (line.startsWith("{")) {
                    got.add((Map<String, Object>) CeleryJson.decode(line));
                } else if (line.startsWith("STATE ")) {
                    state = (Map<String, Object>) CeleryJson.decode(line.substring(6));
                }
            }
            assertThat(state).as("the receiver's output:\n" + String.join("\n", lines)).isNotNull();
            // worker-online, the 8 task events, worker-offline
            assertThat(got).extracting(m -> m.get("type")).containsExactly("worker-online", "task-sent",
                    "task-received", "task-started", "task-succeeded", "task-received", "task-failed", "task-received",
                    "task-started", "worker-offline");
            List<Map<String, Object>> tasksSent = got.subList(1, 9);
            for (int i = 0; i < sent.size(); i++) {
                Map<String, Object> want = (Map<String, Object>) CeleryJson.decode(CeleryJson.encode(sent.get(i)));
                Map<String, Object> have = tasksSent.get(i);
                List<String> names = new ArrayList<>(want.keySet());
                names.add("local_received");
                assertThat(new ArrayList<>(have.keySet())).as("fields of %s", want.get("type"))
                        .containsExactlyElementsOf(names);
                for (String name : want.keySet()) {
                    if (name.equals("clock") && "task-sent".equals(want.get("type"))) {
                        continue; // Celery's receiver replaces a client's clock
                    }
                    if (name.equals("timestamp")) {
                        double expected = EventReceiverRules.adjustTimestamp((Double) want.get("timestamp"),
                                ((Number) want.get("utcoffset")).doubleValue(),
                                ((Number) want.get("utcoffset")).intValue());
                        assertThat((Double) have.get(name)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
                        continue;
                    }
                    assertThat(have.get(name)).as("%s of %s", name, want.get("type")).isEqualTo(want.get(name));
                }
            }
            assertThat(got.get(0)).containsEntry("hostname", host).containsEntry("sw_ident", "celeriac")
                    .containsEntry("freq", 600.0).containsKeys("loadavg", "sw_ver", "sw_sys", "active", "processed");

            Map<String, Object> tasks = (Map<String, Object>) state.get("tasks");
            assertThat((Map<String, Object>) tasks.get(t1)).containsEntry("state", "SUCCESS").containsEntry("result", "5")
                    .containsEntry("worker", host).containsEntry("runtime", 0.25).containsEntry("name", "proj.add");
            assertThat((Map<String, Object>) tasks.get(t2)).containsEntry("state", "FAILURE")
                    .containsEntry("exception", "ValueError('boom')");
            assertThat((Map<String, Object>) tasks.get(t3)).containsEntry("state", "STARTED");
            Map<String, Object> worker = (Map<String, Object>) ((Map<String, Object>) state.get("workers")).get(host);
            assertThat(worker).containsEntry("alive", false).containsEntry("sw_ident", "celeriac");
            assertThat(state.get("event_count")).isEqualTo(10L);

            // on the wire: Celery's routing keys and properties
            await().atMost(t(10)).until(() -> wire.messages.size() >= 9);
            assertThat(wire.messages).extracting(PrivateEventVhost.Recorded::routingKey).containsExactly(
                    "worker.online", "task.sent", "task.received", "task.started", "task.succeeded", "task.received",
                    "task.failed", "task.multi", "worker.offline");
            for (PrivateEventVhost.Recorded m : wire.messages) {
                assertThat(m.exchange()).isEqualTo("celeryev");
                var p = m.properties();
                assertThat(p.getContentType()).isEqualTo("application/json");
                assertThat(p.getContentEncoding()).isEqualTo("utf-8");
                assertThat(p.getHeaders()).hasSize(1);
                assertThat(String.valueOf(p.getHeaders().get("hostname"))).isEqualTo(host);
                assertThat(p.getDeliveryMode()).isEqualTo(1);
                assertThat(p.getPriority()).isEqualTo(0);
                assertThat(p.getCorrelationId()).isNull();
                assertThat(p.getReplyTo()).isNull();
            }
            assertThat(CeleryJson.decode(wire.messages.get(7).body())).isInstanceOf(List.class);
        }
    }
}
