package io.celeriac.it;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.broker.Message;
import io.celeriac.cli.Main;
import io.celeriac.json.CeleryJson;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;
import io.celeriac.testing.ProtocolTwoHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code celeriac events snapshot|top --broker amqp://...} shows a live Python Celery 5.2.6 worker on RabbitMQ
 * ({@code celery worker -E --pool solo}, in a virtual host of the test's own, stopped by its pid): the command's
 * event source (backend-amqp, found by scheme) wakes the worker up, follows its heartbeats and the tasks the Java
 * broker sends it, and prints them. It needs the command and a plugin, hence its place here.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class AmqpEventsTopIT {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String BODY = "[[2, 3], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, "
            + "\"chord\": null}]";

    @TempDir
    Path tmp;

    /** What a command printed and how it ended. */
    private record Run(int code, String out, String err) {
    }

    private static Run celeriac(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLivePythonWorkerOnRabbitMqShowsUpInSnapshotAndTop() throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        RabbitTestServer server = TestServices.rabbitmq();
        assumeTrue(server.canCreateVhosts() || "true".equalsIgnoreCase(System.getenv("CI")),
                "private virtual hosts need the machine's own RabbitMQ and rabbitmqctl");
        Files.writeString(tmp.resolve("evtasks.py"), PythonCelery.resource(getClass(), "evtasks.py"));
        String queue = "celeriac-top-" + UUID.randomUUID();
        String node = "top-" + UUID.randomUUID().toString().substring(0, 8) + "@celeriac";
        Path log = tmp.resolve("worker.log");
        try (RabbitTestServer.Vhost vhost = server.createVhost();
             Broker broker = CELERIAC.openBroker(vhost.url())) {
            Process worker = PythonPeer.of(celery).startBackground(null, log,
                    Map.of("CELERIAC_BROKER", vhost.url(), "PYTHONPATH", tmp.toString(), "PYTHONDONTWRITEBYTECODE", "1"),
                    tmp, "-m", "celery", "-A", "evtasks", "worker", "-E", "--pool", "solo", "-Q", queue, "-n", node,
                    "--without-mingle", "--without-gossip", "-l", "info");
            try {
                await("the worker is ready").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                    if (!worker.isAlive()) {
                        throw new AssertionError("the worker exited:\n" + Files.readString(log));
                    }
                    return Files.readString(log).contains("ready.");
                });

                // snapshot: the worker, and the tasks the Java broker sends while the command listens
                CompletableFuture<Run> snapshot = CompletableFuture.supplyAsync(() ->
                        celeriac("events", "snapshot", "--broker", vhost.url(), "--seconds", "5", "--json"));
                await("the snapshot").atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                    if (snapshot.isDone()) {
                        return true;
                    }
                    broker.publish("", queue, taskMessage(UUID.randomUUID().toString()));
                    return false;
                });
                Run snap = snapshot.join();
                assertThat(snap.code()).as(snap.err()).isZero();
                Map<String, Object> doc = (Map<String, Object>) CeleryJson.decode(snap.out().strip());
                assertThat((List<Object>) doc.get("alive_workers")).contains(node);
                Map<String, Object> w = (Map<String, Object>) ((Map<String, Object>) doc.get("workers")).get(node);
                assertThat(w).containsEntry("alive", true).containsEntry("sw_ident", "py-celery")
                        .containsEntry("sw_ver", celery.expectedVersion());
                Map<String, Object> tasks = (Map<String, Object>) doc.get("tasks");
                assertThat(tasks.values()).as("the tasks the worker ran while the command listened").anySatisfy(t -> {
                    Map<String, Object> task = (Map<String, Object>) t;
                    assertThat(task).containsEntry("state", "SUCCESS").containsEntry("name", "evtasks.add")
                            .containsEntry("result", "5").containsEntry("worker", node);
                });
                assertThat(doc.get("messages_rejected")).isEqualTo(0L);

                // top, two refreshes: the worker is online at once (the source wakes it up)
                Run top = celeriac("events", "top", "--broker", vhost.url(), "--refresh", "1", "--iterations", "2");
                assertThat(top.code()).as(top.err()).isZero();
                assertThat(top.out()).contains("celeriac events top — amqp://guest:**@")
                        .containsPattern(Pattern.quote(node) + "\\s+yes\\s+");
            } finally {
                PythonPeer.stop(worker);
            }
        }
    }

    /** A protocol-2 message of {@code evtasks.add(2, 3)}, as Celery 5.2's {@code send_task} builds it. */
    private static Message taskMessage(String id) {
        Map<String, Object> h = ProtocolTwoHeaders.of("evtasks.add", id, "(2, 3)", "{}", "gen" + ProcessHandle.current().pid() + "@celeriac-it");
        return Message.builder().body(BODY).headers(h).correlationId(id).replyTo(UUID.randomUUID().toString())
                .deliveryMode(Message.PERSISTENT).priority(0).build();
    }
}
