package io.celeriac.worker;

import io.celeriac.json.CeleryJson;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Python Celery's client drives a Java worker: {@code pyclient.py} runs every scenario once (values, failures
 * re-raised as their Python classes, retries, countdown and ETA, expiry, time limits, revoke before and during the
 * run, a chain and chords mixing a Python worker's tasks with the Java worker's, {@code link_error}, inspect, and
 * Python's {@code State} fed by the Java worker's events) and prints the outcomes; each test checks some of them.
 * The Java worker runs in this JVM; a Python worker of the same version serves the {@code py.*} tasks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PythonClientInteropContract {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Parameter
    CeleryVersion celery;

    final TestTasks tasks = new TestTasks();
    final String tag = UUID.randomUUID().toString().substring(0, 8);
    final String javaQueue = "jw-java-" + tag;
    final String pyQueue = "jw-py-" + tag;
    final String node = "java-" + tag + "@interop";
    Worker worker;
    Process pyWorker;
    Path dir;
    Map<String, Object> out;
    Map<String, String> env;

    /** Opens the servers for the class; returns {broker URL, backend URL}. */
    abstract String[] openServers();

    /** Frees what {@link #openServers()} took. */
    abstract void closeServers();

    /** @return whether the backend can run chords */
    boolean chords() {
        return true;
    }

    @BeforeParameterizedClassInvocation
    void runPython() throws IOException {
        PythonPeer peer = PythonPeer.of(celery);
        peer.assumeAvailable();
        String[] urls = openServers();
        dir = Files.createTempDirectory("celeriac-worker-interop");
        Files.writeString(dir.resolve("wproj.py"), PythonCelery.resource(PythonClientInteropContract.class,
                "wproj.py"));
        env = new LinkedHashMap<>();
        env.put("CELERIAC_BROKER", urls[0]);
        env.put("CELERIAC_BACKEND", urls[1]);
        env.put("CELERIAC_JAVA_QUEUE", javaQueue);
        env.put("CELERIAC_PY_QUEUE", pyQueue);
        env.put("CELERIAC_JAVA_NODE", node);
        env.put("CELERIAC_CHORDS", chords() ? "1" : "0");
        env.put("PYTHONPATH", dir.toString());
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        TaskRegistry registry = new TaskRegistry();
        registry.registerAll(tasks);
        worker = Worker.builder().brokerUrl(urls[0]).backendUrl(urls[1]).tasks(registry).queues(List.of(javaQueue))
                .route("py.*", pyQueue).route("t.*", javaQueue).concurrency(4).sendEvents(true).nodename(node).heartbeatInterval(Duration.ofSeconds(1))
                .shutdownTimeout(Duration.ofSeconds(5)).build().start();
        Path log = dir.resolve("pyworker.log");
        pyWorker = peer.startBackground(null, log, env, dir, "-m", "celery", "-A", "wproj", "worker", "-P", "solo",
                "-Q", pyQueue, "--without-mingle", "--without-gossip", "--without-heartbeat", "-n",
                "py-" + tag + "@interop", "--loglevel=INFO");
        await("the Python worker is ready").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!pyWorker.isAlive()) {
                throw new AssertionError("the Python worker exited:\n" + Files.readString(log));
            }
            return Files.readString(log).contains("ready.");
        });
        PythonCelery.Result r = peer.run(PythonCelery.resource(PythonClientInteropContract.class, "pyclient.py"),
                Duration.ofMinutes(4), env);
        r.assertSuccess();
        List<String> lines = r.lines();
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) CeleryJson.decode(lines.get(lines.size() - 1));
        out = parsed;
    }

    @AfterParameterizedClassInvocation
    void stop() {
        try {
            if (pyWorker != null) {
                PythonPeer.stop(pyWorker);
            }
            if (worker != null) {
                worker.close();
            }
        } finally {
            closeServers();
        }
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> outcome(String name) {
        assertThat(out).as("the scenarios run").containsKey(name);
        return (Map<String, Object>) out.get(name);
    }

    void assertOk(String name, Object value) {
        assertThat(outcome(name)).as(name).isEqualTo(Map.of("ok", value));
    }

    void assertRaised(String name, String type, String module, String message) {
        Map<String, Object> o = outcome(name);
        assertThat(o.get("error")).as(name + ": " + o).isEqualTo(type);
        if (module != null) {
            assertThat(o.get("module")).as(name + ": " + o).isEqualTo(module);
        }
        if (message != null) {
            assertThat(String.valueOf(o.get("message"))).as(name + ": " + o).contains(message);
        }
    }

    @Test
    void valuesComeBack() {
        assertOk("add", 5L);
        assertOk("delay", 42L);
        assertOk("kwargs", "ab@" + node);
    }

    @Test
    void failuresAreReRaisedAsTheirPythonClasses() {
        assertRaised("value_error", "ValueError", "builtins", "bad input");
        assertRaised("custom_error", "QuotaExceeded", null, "tenant 7");
        assertRaised("runtime_error", "RuntimeError", "builtins", "not now");
        assertRaised("unknown", "NotRegistered", "celery.exceptions", "t.nobody_knows");
    }

    @Test
    void retriesRunAgainUpToTheMaximum() {
        assertOk("retry", 2L);
        assertRaised("max_retries", "MaxRetriesExceededError", "celery.exceptions", "Can't retry t.retry_forever");
    }

    @Test
    void countdownAndEtaAreHeldUntilDue() {
        assertOk("countdown", List.of("PENDING", 2L));
        assertOk("eta", 4L);
    }

    @Test
    void anExpiredTaskIsRevoked() {
        assertRaised("expired", "TaskRevokedError", "celery.exceptions", "expired");
        assertThat(out.get("expired_state")).isEqualTo("REVOKED");
    }

    @Test
    void timeLimitsRaiseCeleryExceptions() {
        assertRaised("soft", "SoftTimeLimitExceeded", null, null);
        assertOk("soft_caught", "cleaned up");
        assertRaised("hard", "TimeLimitExceeded", null, "0.3");
    }

    @Test
    @SuppressWarnings("unchecked")
    void revokeBeforeAndDuringTheRun() {
        assertRaised("revoke_before", "TaskRevokedError", "celery.exceptions", null);
        assertThat(out.get("revoke_before_state")).isEqualTo("REVOKED");
        assertThat((List<Object>) out.get("revoked_ids")).contains((Object) out.get("revoked_id"));
        assertThat(String.valueOf(out.get("revoke_reply"))).contains("flagged as revoked");
        assertThat(out.get("active_seen")).isEqualTo(true);
        assertThat(String.valueOf(out.get("terminate_reply"))).contains("terminate: ");
        assertRaised("terminate", "TaskRevokedError", "celery.exceptions", "terminated");
        assertThat(out.get("terminate_state")).isEqualTo("REVOKED");
    }

    @Test
    void aChainAndChordsMixPythonAndJavaWorkers() {
        assertOk("chain", 100L);
        if (chords()) {
            assertOk("chord_py_body", 12L);
            assertOk("chord_java_body", 10L);
        }
    }

    @Test
    void linkErrorReachesAPythonErrback() {
        @SuppressWarnings("unchecked")
        List<Object> v = (List<Object>) outcome("link_error").get("ok");
        assertThat(v).as(String.valueOf(outcome("link_error"))).hasSize(2);
        assertThat(v.get(1)).isEqualTo("errback saw " + v.get(0));
    }

    @Test
    @SuppressWarnings("unchecked")
    void inspectFromPythonGetsCeleryShapedAnswers() {
        assertThat(String.valueOf(out.get("ping"))).isEqualTo("{" + node + "={ok=pong}}");
        @SuppressWarnings("unchecked")
        Map<String, List<Object>> reg = (Map<String, List<Object>>) out.get("registered");
        assertThat(reg.get(node)).contains("t.add", "t.block", "t.sum");
        assertThat((List<Object>) out.get("stats_keys")).contains("broker", "clock", "pid", "pool", "prefetch_count",
                "rusage", "total", "uptime");
    }

    @Test
    void pythonsStateSeesTheJavaWorkerAndItsTasks() {
        @SuppressWarnings("unchecked")
        Map<String, Object> w = (Map<String, Object>) out.get("state_worker");
        assertThat(w).as("the worker in Python's State").isNotNull();
        assertThat(w.get("alive")).isEqualTo(true);
        assertThat(((Number) w.get("freq")).doubleValue()).isEqualTo(1.0);
        @SuppressWarnings("unchecked")
        Map<String, List<Object>> ts = (Map<String, List<Object>>) out.get("state_tasks");
        assertThat(ts.values()).contains(List.of("t.add", "SUCCESS"), List.of("t.value_error", "FAILURE"),
                List.of("t.block", "REVOKED"));
    }

    @Test
    void celeryCommandLineReachesTheJavaWorker() {
        String script = "import sys\nfrom celery.bin.celery import main\nsys.argv[0] = 'celery'\nsys.exit(main())\n";
        PythonCelery.Result ping = PythonPeer.of(celery).run(script, WAIT, env, "-A", "wproj", "inspect", "ping",
                "-d", node, "-t", "5");
        ping.assertSuccess();
        assertThat(ping.stdout()).contains(node).contains("pong");
        String id = UUID.randomUUID().toString();
        PythonCelery.Result revoke = PythonPeer.of(celery).run(script, WAIT, env, "-A", "wproj", "control",
                "revoke", id, "-d", node, "-t", "5");
        revoke.assertSuccess();
        assertThat(revoke.stdout()).contains(node).contains("flagged as revoked");
        try (io.celeriac.broker.Broker b = io.celeriac.Celeriac.discover().openBroker(env.get("CELERIAC_BROKER"));
             io.celeriac.client.control.Control c = io.celeriac.client.control.Control.create(b)) {
            assertThat(c.inspect(io.celeriac.client.control.Target.nodes(node).withReply(true)
                    .withTimeout(Duration.ofSeconds(2))).revoked().lists().get(node)).contains(id);
        }
    }
}
