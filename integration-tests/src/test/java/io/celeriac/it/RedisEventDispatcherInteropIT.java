package io.celeriac.it;

import io.celeriac.Celeriac;
import io.celeriac.backend.redis.events.RedisEventDispatcher;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.CeleryStateComparison;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Java service publishing with {@link RedisEventDispatcher} is a worker in Python Celery's own eyes: an
 * {@code EventReceiver} + {@code State} on the same broker sees it alive with its heartbeats and fields, its
 * tasks in the right states, and then offline; and celeriac's event source ({@code redis://}, backend-redis)
 * feeding its event state ({@code memory://}, events), both opened through the registry, agree with Python on
 * everything. It needs two plugins, hence its place here.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class RedisEventDispatcherInteropIT {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();

    private static final String WORKER = "java1@test";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void pythonsStateSeesTheJavaWorkerAndItsTasks() throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase();
             EventState state = CELERIAC.openEventState("memory://", EventStateOptions.defaults());
             EventSource source = CELERIAC.openEventSource(lease.url(), EventSourceOptions.defaults());
             RedisEventDispatcher probe = RedisEventDispatcher.builder(BackendUrl.parse(lease.url()))
                     .hostname("probe@test").build()) {
            java.util.concurrent.atomic.AtomicInteger heartbeats = new java.util.concurrent.atomic.AtomicInteger();
            source.start(e -> {
                if (!"celeriac-probe".equals(e.type())) {
                    state.event(e);
                }
                if ("worker-heartbeat".equals(e.type())) {
                    heartbeats.incrementAndGet();
                }
            });
            await().atMost(WAIT).until(source::isConnected);
            String script = CeleryStateComparison.pythonSupport() + PythonCelery.resource(getClass(), "receive_events.py");
            Process receiver = PythonPeer.of(celery).startBackground(script, tmp.resolve("receiver.log"), Map.of(), tmp,
                    lease.url(), tmp.toString(), WORKER);
            try {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                    probe.send("celeriac-probe", Map.of());
                    return Files.exists(tmp.resolve("receiver.ready"));
                });
                RedisEventDispatcher d = RedisEventDispatcher.builder(BackendUrl.parse(lease.url())).hostname(WORKER)
                        .heartbeatInterval(Duration.ofMillis(500)).build();
                try {
                    d.startHeartbeat();
                    d.taskSent("t1", "proj.add", "(2, 3)", "{}", "celery");
                    d.taskReceived("t1", "proj.add", "(2, 3)", "{}", 0);
                    d.taskStarted("t1");
                    d.taskSucceeded("t1", "5", 0.0125);
                    d.taskReceived("t2", "proj.fail", "('boom',)", "{}", 0);
                    d.taskStarted("t2");
                    d.taskFailed("t2", "ValueError('boom')", "Traceback (most recent call last):\nValueError: boom\n");
                    d.taskReceived("t3", "proj.flaky", "()", "{}", 0);
                    d.taskStarted("t3");
                    d.taskRetried("t3", "Retry('Retry in 0s')", "Traceback\nRetry\n");
                    d.taskReceived("t3", "proj.flaky", "()", "{}", 1);
                    d.taskStarted("t3");
                    d.taskSucceeded("t3", "'ok'", 0.5);
                    d.taskSent("t4", "proj.add", "(4, 4)", "{}", "celery");
                    d.taskRevoked("t4", false, null, false);
                    d.taskReceived("t5", "proj.slow", "()", "{}", 0);
                    d.taskStarted("t5");
                    d.taskRevoked("t5", true, "SIGTERM", false);
                    d.taskReceived("t6", "proj.add", "(1, 1)", "{}", 0);

                    // a heartbeat that reports all six tasks, and one more so that Python has surely read it too
                    await().atMost(WAIT).until(() -> state.worker(WORKER)
                            .map(w -> w.processed() != null && w.processed() == 6).orElse(false));
                    int seen = heartbeats.get();
                    await().atMost(WAIT).until(() -> heartbeats.get() > seen);
                    Map<String, Object> javaMid = CeleryStateComparison.dump(state, 0);
                    Files.createFile(tmp.resolve("mid"));
                    Map<String, Object> py = readDump("mid.json");

                    assertThat(py.get("alive_workers")).isEqualTo(List.of(WORKER));
                    Map<String, Object> pw = (Map<String, Object>) ((Map<String, Object>) py.get("workers")).get(WORKER);
                    assertThat(pw.get("sw_ident")).isEqualTo("celeriac");
                    assertThat(pw.get("freq")).isEqualTo(0.5);
                    assertThat(pw.get("processed")).isEqualTo(6.0);
                    assertThat(pw.get("active")).isEqualTo(1.0);
                    assertThat(pw.get("pid")).isEqualTo((double) ProcessHandle.current().pid());
                    assertThat((List<Object>) pw.get("heartbeats")).hasSize(4);
                    Map<String, Map<String, Object>> tasks = (Map<String, Map<String, Object>>) py.get("tasks");
                    assertThat(tasks.get("t1")).containsEntry("state", "SUCCESS").containsEntry("result", "5")
                            .containsEntry("runtime", 0.0125).containsEntry("worker", WORKER)
                            .containsEntry("name", "proj.add").containsEntry("client", WORKER);
                    assertThat(tasks.get("t2")).containsEntry("state", "FAILURE")
                            .containsEntry("exception", "ValueError('boom')");
                    assertThat(tasks.get("t3")).containsEntry("state", "SUCCESS").containsEntry("retries", 1.0)
                            .containsEntry("result", "'ok'");
                    assertThat(tasks.get("t4")).containsEntry("state", "REVOKED");
                    assertThat(tasks.get("t5")).containsEntry("state", "REVOKED");
                    assertThat(tasks.get("t6")).containsEntry("state", "RECEIVED");
                    assertSameTasks(javaMid, py);
                } finally {
                    d.close();
                }

                await().atMost(WAIT).until(() -> state.worker(WORKER).map(w -> !w.alive()).orElse(false));
                Map<String, Object> javaFinal = CeleryStateComparison.dump(state, 0);
                Files.createFile(tmp.resolve("stop"));
                Map<String, Object> py = readDump("final.json");
                assertThat(py.get("alive_workers")).isEqualTo(List.of());
                Map<String, Object> pw = (Map<String, Object>) ((Map<String, Object>) py.get("workers")).get(WORKER);
                assertThat(pw.get("heartbeats")).isEqualTo(List.of());
                assertThat(pw.get("alive")).isEqualTo(false);
                Map<String, Object> jf = (Map<String, Object>) CeleryStateComparison.normalise(javaFinal);
                assertThat(jf.get("event_count")).isEqualTo(py.get("event_count"));
                assertThat(jf.get("task_count")).isEqualTo(py.get("task_count"));
                assertSameTasks(javaFinal, py);
                assertThat(source.messagesRejected()).isZero();
            } finally {
                PythonPeer.stop(receiver);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void assertSameTasks(Map<String, Object> javaDump, Map<String, Object> pythonDump) {
        Map<String, Object> j = (Map<String, Object>) ((Map<String, Object>) CeleryStateComparison.normalise(javaDump))
                .get("tasks");
        Map<String, Object> p = (Map<String, Object>) pythonDump.get("tasks");
        assertThat(j.keySet()).isEqualTo(p.keySet());
        for (String id : p.keySet()) {
            Map<String, Object> jt = (Map<String, Object>) j.get(id);
            Map<String, Object> pt = (Map<String, Object>) p.get(id);
            for (String f : List.of("state", "name", "result", "runtime", "retries", "exception", "traceback",
                    "worker", "args", "kwargs", "sent", "received", "started", "succeeded", "failed", "retried",
                    "revoked", "timestamp", "client")) {
                assertThat(jt.get(f)).as("task %s field %s", id, f).isEqualTo(pt.get(f));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readDump(String name) throws IOException {
        Path p = tmp.resolve(name);
        await().atMost(WAIT).until(() -> Files.exists(p));
        return (Map<String, Object>) CeleryStateComparison.normalise(CeleryJson.decode(Files.readAllBytes(p)));
    }
}
