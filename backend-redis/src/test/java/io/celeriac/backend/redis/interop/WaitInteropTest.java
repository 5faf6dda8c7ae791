package io.celeriac.backend.redis.interop;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.Tck;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Waiting across languages: each side already subscribed when the other stores the result. */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class WaitInteropTest {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();

    private RedisTestServer server;
    private RedisTestServer.DatabaseLease lease;
    private Backend backend;

    @BeforeEach
    void setUp() {
        PythonPeer.of(celery).assumeAvailable();
        server = TestServices.redis();
        lease = server.leaseDatabase();
        backend = CELERIAC.openBackend(lease.url());
    }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
        if (lease != null) {
            lease.close();
        }
    }

    private static Duration t(long millis) {
        return Tck.timeout(Duration.ofMillis(millis));
    }

    /** How many clients are subscribed to a task's channel (channels are server-wide). */
    private long subscribers(String taskId) {
        try (Resp r = server.connect(0)) {
            @SuppressWarnings("unchecked")
            List<Object> reply = (List<Object>) r.call("PUBSUB", "NUMSUB", "celery-task-meta-" + taskId);
            return (Long) reply.get(1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Map<String, Object> pythonGetWhileJavaStores(String id, Runnable store, Path log) throws Exception {
        Process p = CeleryPython.start(PythonPeer.of(celery), "wait", lease.url(), Map.of("id", id, "timeout", 10), log);
        try {
            await().atMost(t(30_000)).until(() -> subscribers(id) == 1);
            assertThat(p.isAlive()).as("Python is blocked in AsyncResult.get()").isTrue();
            store.run();
            assertThat(p.waitFor(t(30_000).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        } finally {
            PythonPeer.stop(p);
        }
        List<Map<String, Object>> lines = CeleryPython.lines(log);
        assertThat(lines).as("python output").hasSize(2);
        assertThat(lines.get(0).get("event")).isEqualTo("waiting");
        return lines.get(1);
    }

    @Test
    void aPythonGetAlreadyWaitingReturnsWhatJavaStores(@TempDir Path dir) throws Exception {
        String id = "py-waits-" + UUID.randomUUID();
        Map<String, Object> done = pythonGetWhileJavaStores(id,
                () -> backend.storeResult(id, Map.of("answer", 42L, "list", List.of(1L, "two")), TaskState.SUCCESS),
                dir.resolve("wait.log"));
        assertThat(done.get("event")).isEqualTo("done");
        assertThat(done.get("state")).isEqualTo("SUCCESS");
        assertThat(CeleryJson.decode((String) done.get("result"))).isEqualTo(Map.of("answer", 42L, "list", List.of(1L, "two")));
        assertThat(subscribers(id)).as("Celery unsubscribes once the result is ready").isZero();
    }

    @Test
    void aPythonGetAlreadyWaitingRaisesTheExceptionJavaStores(@TempDir Path dir) throws Exception {
        String id = "py-raises-" + UUID.randomUUID();
        Map<String, Object> raised = pythonGetWhileJavaStores(id,
                () -> backend.markAsFailure(id, ExceptionInfo.builtin("ValueError", "boom"), "Traceback (most recent call last):\n", null),
                dir.resolve("raise.log"));
        assertThat(raised.get("event")).isEqualTo("raised");
        assertThat(raised.get("state")).isEqualTo("FAILURE");
        assertThat(raised.get("type")).isEqualTo("ValueError");
        assertThat(raised.get("module")).isEqualTo("builtins");
        assertThat(raised.get("args")).isEqualTo(List.of("boom"));
    }

    @Test
    void aJavaWaitAlreadyWaitingReturnsWhatPythonStores() throws Exception {
        String done = "java-waits-" + UUID.randomUUID();
        String revoked = "java-waits-revoked-" + UUID.randomUUID();
        CompletableFuture<TaskMeta> first = backend.waitForAsync(done, t(30_000));
        CompletableFuture<TaskMeta> second = backend.waitForAsync(revoked, t(30_000));
        await().atMost(t(10_000)).until(() -> subscribers(done) == 1 && subscribers(revoked) == 1);
        CeleryPython.run(PythonPeer.of(celery), "store", lease.url(), Map.of("id", done, "value", List.of(1L, 2.5, "x"), "state", "SUCCESS"));
        CeleryPython.run(PythonPeer.of(celery), "store", lease.url(), Map.of("id", revoked, "state", "REVOKED",
                "exc", Map.of("exc_type", "TaskRevokedError", "exc_module", "celery.exceptions", "exc_message", List.of("terminated"))));
        TaskMeta m = first.get(t(30_000).toMillis(), TimeUnit.MILLISECONDS);
        assertThat(m.status()).isEqualTo(TaskState.SUCCESS);
        assertThat(m.result()).isEqualTo(List.of(1L, 2.5, "x"));
        TaskMeta r = second.get(t(30_000).toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r.status()).isEqualTo(TaskState.REVOKED);
        assertThat(r.result()).isEqualTo(ExceptionInfo.taskRevoked("terminated"));
        await().atMost(t(10_000)).until(() -> subscribers(done) == 0 && subscribers(revoked) == 0);
    }
}
