package io.celeriac.it;

import io.celeriac.backend.redis.events.internal.RedisEventSource;
import io.celeriac.Celeriac;
import io.celeriac.backend.redis.events.RedisEventDispatcher;
import io.celeriac.events.Event;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.TaskInfo;
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
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Celery 5.2.6 worker ({@code -E -P solo}) on a leased Redis database runs tasks that succeed, fail,
 * retry, expire and get revoked; Python's own {@code EventReceiver} + {@code State} and celeriac's event source
 * ({@code redis://}, backend-redis) feeding its event state ({@code memory://}, events), both opened through the
 * registry, follow the same stream, and their views must agree: the alive workers, every task's state, name,
 * result, runtime, retries, exception and times, the worker's fields and the event counts. It needs two
 * plugins, hence its place here.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class RedisEventWorkerInteropIT {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();

    static final String WORKER = "evw1@test";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final List<String> TASK_FIELDS = List.of("state", "name", "result", "runtime", "retries",
            "exception", "worker", "args", "kwargs", "eta", "expires", "root_id", "parent_id", "sent", "received",
            "started", "succeeded", "failed", "retried", "revoked", "rejected", "client", "exchange", "routing_key");
    private static final List<String> WORKER_FIELDS = List.of("hostname", "pid", "freq", "active", "processed",
            "loadavg", "sw_ident", "sw_ver", "sw_sys", "clock", "alive");

    @TempDir
    Path tmp;

    @Test
    void javaStateAgreesWithPythonsStateOnARealWorker() throws Exception {
        PythonPeer.of(celery).assumeAvailable();
        RedisTestServer server = TestServices.redis();
        Files.writeString(tmp.resolve("evtasks.py"), PythonCelery.resource(getClass(), "evtasks.py"));
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase();
             EventState state = CELERIAC.openEventState("memory://", EventStateOptions.defaults());
             EventSource source = CELERIAC.openEventSource(lease.url(), EventSourceOptions.defaults());
             RedisEventDispatcher probe = RedisEventDispatcher.builder(BackendUrl.parse(lease.url()))
                     .hostname("probe@test").build()) {
            Map<String, String> env = Map.of("CELERIAC_BROKER", lease.url(), "PYTHONPATH", tmp.toString());
            source.start(e -> {
                if (!"celeriac-probe".equals(e.type())) {
                    state.event(e);
                }
            });
            await().atMost(WAIT).until(source::isConnected);

            Process receiver = startReceiver(lease.url(), env);
            Process worker = null;
            try {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                    probe.send("celeriac-probe", Map.of());
                    return Files.exists(tmp.resolve("receiver.ready"));
                });
                worker = PythonPeer.of(celery).startBackground(null, tmp.resolve("worker.log"), env, tmp, "-m", "celery",
                        "-A", "evtasks", "worker", "-E", "-P", "solo", "--without-mingle", "--without-gossip",
                        "-n", WORKER, "--loglevel=INFO");
                await().atMost(WAIT).until(() -> state.aliveWorkers().stream().anyMatch(w -> w.hostname().equals(WORKER)));

                // a second source wakes the worker up: it answers with its short heartbeat (freq 5)
                try (EventSource waker = CELERIAC.openEventSource(lease.url(), EventSourceOptions.defaults())) {
                    List<Event> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
                    waker.start(heard::add);
                    await().atMost(WAIT).until(() -> heard.stream().anyMatch(e -> e.type().equals("worker-heartbeat")
                            && WORKER.equals(e.hostname()) && Long.valueOf(5).equals(e.get("freq"))));
                }

                PythonCelery.Result sent = PythonPeer.of(celery).run(PythonCelery.resource(getClass(), "send_tasks.py"),
                        WAIT, env).assertSuccess();
                List<String> lines = sent.lines();
                @SuppressWarnings("unchecked")
                Map<String, Object> ids = (Map<String, Object>) CeleryJson.decode(lines.get(lines.size() - 1));
                String add = (String) ids.get("add");
                String fail = (String) ids.get("fail");
                String flaky = (String) ids.get("flaky");
                String expired = (String) ids.get("expired");
                String revoked = (String) ids.get("revoked");

                await().atMost(WAIT).until(() -> stateOf(state, add).equals("SUCCESS")
                        && stateOf(state, fail).equals("FAILURE") && stateOf(state, flaky).equals("SUCCESS")
                        && stateOf(state, expired).equals("REVOKED") && stateOf(state, revoked).equals("REVOKED"));
                assertThat(state.task(add).orElseThrow().result()).isEqualTo("5");
                assertThat(state.task(flaky).orElseThrow().retries()).isEqualTo(1);
                assertThat(state.task(fail).orElseThrow().traceback()).contains("boom from java test");

                Map<String, Object> javaMid = CeleryStateComparison.dump(state, 0);
                Files.createFile(tmp.resolve("mid"));
                Map<String, Object> pythonMid = readDump("mid.json");
                assertThat(field(javaMid, "alive_workers")).isEqualTo(List.of(WORKER));
                assertThat(field(pythonMid, "alive_workers")).isEqualTo(List.of(WORKER));
                assertTasksAgree(javaMid, pythonMid, List.of(add, fail, flaky, expired, revoked));

                PythonPeer.stop(worker); // a warm shutdown: it sends worker-offline
                await().atMost(WAIT).until(() -> state.worker(WORKER).map(w -> !w.alive()).orElse(false));
                Map<String, Object> javaFinal = CeleryStateComparison.dump(state, 0);
                Files.createFile(tmp.resolve("stop"));
                Map<String, Object> pythonFinal = readDump("final.json");
                assertThat(field(javaFinal, "event_count")).isEqualTo(field(pythonFinal, "event_count"));
                assertThat(field(javaFinal, "task_count")).isEqualTo(field(pythonFinal, "task_count"));
                assertThat(field(javaFinal, "alive_workers")).isEqualTo(List.of());
                assertThat(field(pythonFinal, "alive_workers")).isEqualTo(List.of());
                assertTasksAgree(javaFinal, pythonFinal, List.copyOf(taskIds(pythonFinal)));
                Map<?, ?> jw = (Map<?, ?>) ((Map<?, ?>) field(javaFinal, "workers")).get(WORKER);
                Map<?, ?> pw = (Map<?, ?>) ((Map<?, ?>) pythonFinal.get("workers")).get(WORKER);
                for (String f : WORKER_FIELDS) {
                    assertThat(jw.get(f)).as("worker field %s", f).isEqualTo(pw.get(f));
                }
                // add, fail and both runs of flaky; the expired and the revoked task never ran
                assertThat(jw.get("processed")).isEqualTo(4.0);
                assertThat(source.messagesRejected()).isZero();
            } finally {
                if (worker != null) {
                    PythonPeer.stop(worker);
                }
                PythonPeer.stop(receiver);
            }
        }
    }

    private Process startReceiver(String brokerUrl, Map<String, String> env) {
        String script = CeleryStateComparison.pythonSupport() + PythonCelery.resource(getClass(), "receive_events.py");
        return PythonPeer.of(celery).startBackground(script, tmp.resolve("receiver.log"), env, tmp, brokerUrl, tmp.toString(),
                WORKER);
    }

    private static String stateOf(EventState state, String uuid) {
        Optional<TaskInfo> t = state.task(uuid);
        return t.map(TaskInfo::state).map(Object::toString).orElse("");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readDump(String name) throws IOException {
        Path p = tmp.resolve(name);
        await().atMost(WAIT).until(() -> Files.exists(p));
        return (Map<String, Object>) CeleryStateComparison.normalise(CeleryJson.decode(Files.readAllBytes(p)));
    }

    private static Object field(Map<String, Object> dump, String name) {
        return ((Map<?, ?>) CeleryStateComparison.normalise(dump)).get(name);
    }

    private static java.util.Set<String> taskIds(Map<String, Object> dump) {
        @SuppressWarnings("unchecked")
        Map<String, Object> tasks = (Map<String, Object>) dump.get("tasks");
        return tasks.keySet();
    }

    private static void assertTasksAgree(Map<String, Object> javaDump, Map<String, Object> pythonDump, List<String> ids) {
        Map<?, ?> jt = (Map<?, ?>) ((Map<?, ?>) CeleryStateComparison.normalise(javaDump)).get("tasks");
        Map<?, ?> pt = (Map<?, ?>) pythonDump.get("tasks");
        assertThat(jt.keySet()).isEqualTo(pt.keySet());
        for (String id : ids) {
            Map<?, ?> j = (Map<?, ?>) jt.get(id);
            Map<?, ?> p = (Map<?, ?>) pt.get(id);
            assertThat(j).as("task %s in Java", id).isNotNull();
            assertThat(p).as("task %s in Python", id).isNotNull();
            for (String f : TASK_FIELDS) {
                assertThat(j.get(f)).as("task %s field %s", id, f).isEqualTo(p.get(f));
            }
        }
    }
}
