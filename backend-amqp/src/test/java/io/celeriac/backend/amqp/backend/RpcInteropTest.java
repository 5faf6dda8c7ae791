package io.celeriac.backend.amqp.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.broker.Broker;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Subscription;
import io.celeriac.task.TaskMessage;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * rpc:// with real Python Celery 5.2 on the shared RabbitMQ, both ways: a Python worker replies to the Java backend's
 * reply queue with the results of tasks Java sent; Python's {@code AsyncResult.get()} reads the results the Java
 * backend stores for tasks Python sent. Each test uses its own task queue.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class RpcInteropTest {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final String FAIL_TRACEBACK = "Traceback (most recent call last):\n  File \"java\", line 1\n"
            + "ValueError: boom\n";

    private RabbitTestServer rabbit;
    private Broker broker;
    private String queue;

    @BeforeEach
    void setUp() {
        rabbit = TestServices.rabbitmq();
        PythonPeer.of(celery).assumeAvailable();
        broker = CELERIAC.openBroker(rabbit.url());
        queue = "celeriac-rpc-interop-" + UUID.randomUUID();
        broker.declareExchange(CeleryTopology.taskExchange(queue));
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

    private Backend openBackend() {
        return CELERIAC.openBackend("rpc://", BackendOptions.builder()
                .property(RpcBackendConfig.BROKER_URL, rabbit.url()).build());
    }

    @Test
    void aPythonWorkerRepliesToTheJavaBackend(@TempDir Path dir) throws Exception {
        // the events tests' app (interop.add, interop.fail), given rpc:// on the command line
        Files.writeString(dir.resolve("events_tasks.py"),
                PythonCelery.resource(getClass(), "/io/celeriac/backend/amqp/events/events_tasks.py"),
                StandardCharsets.UTF_8);
        Path log = dir.resolve("worker.log");
        String node = "celeriac-rpc-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
        try (Backend backend = openBackend()) {
            String reply = backend.replyQueue().orElseThrow();
            String ok = UUID.randomUUID().toString();
            String bad = UUID.randomUUID().toString();
            broker.publish("", queue, TaskMessage.builder().task("interop.add").id(ok).args(2L, 3L)
                    .kwargs(Map.of("z", 1L)).replyTo(reply).build().toMessage());
            broker.publish("", queue, TaskMessage.builder().task("interop.fail").id(bad).args("boom").replyTo(reply)
                    .build().toMessage());
            Process worker = PythonPeer.of(celery).startBackground(null, log,
                    Map.of("INTEROP_BROKER", rabbit.url(), "PYTHONDONTWRITEBYTECODE", "1"),
                    dir, "-m", "celery", "-A", "events_tasks", "--result-backend", "rpc://", "worker", "-Q", queue, "-c", "1", "--pool", "solo",
                    "-n", node, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info");
            try {
                TaskMeta done = backend.waitFor(ok, t(90));
                assertThat(done.status()).isEqualTo(TaskState.SUCCESS);
                assertThat(done.result()).isEqualTo(6L);
                assertThat(done.taskId()).isEqualTo(ok);
                TaskMeta failed = backend.waitFor(bad, t(60));
                assertThat(failed.status()).isEqualTo(TaskState.FAILURE);
                assertThat(failed.exception()).isPresent();
                ExceptionInfo e = failed.exception().orElseThrow();
                assertThat(e.excType()).isEqualTo("ValueError");
                assertThat(e.excModule()).isEqualTo("builtins");
                assertThat(e.message()).contains("boom");
                assertThat(failed.traceback()).contains("ValueError: boom");
                assertThat(backend.getTaskMeta(ok).result()).isEqualTo(6L);
            } finally {
                PythonPeer.stop(worker);
            }
        }
        assertThat(Files.readString(log)).contains("interop.add").contains("succeeded");
    }

    @Test
    void pythonsAsyncResultGetReadsResultsTheJavaBackendStores(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("client.log");
        BlockingQueue<TaskMessage> tasks = new LinkedBlockingQueue<>();
        Subscription s = broker.consume(List.of(queue), ConsumeOptions.prefetch(10), d -> {
            tasks.add(TaskMessage.fromMessage(d.message()));
            d.ack();
        });
        Process client = PythonPeer.of(celery).startBackground(PythonCelery.resource(getClass(), "rpc_client.py"), log,
                Map.of("PYTHONDONTWRITEBYTECODE", "1"), dir, rabbit.url(), queue);
        try (Backend worker = openBackend()) {
            List<TaskMessage> got = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                TaskMessage m = tasks.poll(t(60).toMillis(), TimeUnit.MILLISECONDS);
                assertThat(m).as("task message %s of 2; client log:%n%s", i + 1, readQuietly(log)).isNotNull();
                got.add(m);
            }
            for (TaskMessage m : got) {
                TaskRequest request = TaskRequest.builder().task(m.task()).args(m.args()).kwargs(m.kwargs())
                        .hostname("java@localhost").replyTo(m.replyTo()).correlationId(m.correlationId()).build();
                if (m.task().equals("interop.add")) {
                    worker.storeResult(m.id(), Map.of("pid", ProcessHandle.current().pid(), "hostname", "java"),
                            TaskState.STARTED, null, request);
                    worker.markAsDone(m.id(), 6L, request);
                } else {
                    worker.markAsFailure(m.id(), ExceptionInfo.builtin("ValueError", "boom"), FAIL_TRACEBACK, request);
                }
            }
            await().atMost(t(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    readQuietly(log).contains("ERROR ") || !client.isAlive());
            assertThat(client.waitFor(t(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            String out = readQuietly(log);
            TaskMessage add = got.stream().filter(m -> m.task().equals("interop.add")).findFirst().orElseThrow();
            TaskMessage fail = got.stream().filter(m -> m.task().equals("interop.fail")).findFirst().orElseThrow();
            assertThat(out).as(out).contains("SENT " + add.id() + " " + add.replyTo())
                    .contains("RESULT " + add.id() + " 6 SUCCESS")
                    .contains("ERROR " + fail.id() + " ValueError ('boom',) FAILURE");
            assertThat(add.correlationId()).isEqualTo(add.id());
        } finally {
            PythonPeer.stop(client);
            s.cancel();
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
