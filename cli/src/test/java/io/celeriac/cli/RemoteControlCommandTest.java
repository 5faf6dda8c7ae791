package io.celeriac.cli;

import io.celeriac.json.CeleryJson;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.celeriac.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code celeriac inspect} and {@code celeriac control}, run in-process against a Python Celery 5.2.6 worker on a
 * Redis database of the test's own: the output is Celery's own (compared with {@code celery inspect} on the same
 * worker), {@code --json} prints the replies by node, and no reply is exit code 69.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteControlCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The worker's app: one task on the test's broker. */
    private static final String APP = String.join("\n", "import os", "from celery import Celery",
            "app = Celery('ctltasks', broker=os.environ['CELERIAC_BROKER'])",
            "@app.task", "def add(x, y):", "    return x + y", "");

    private final String node = "cli-" + UUID.randomUUID().toString().substring(0, 8) + "@celeriac";
    private RedisTestServer.DatabaseLease lease;
    private Path tmp;
    private Process worker;

    @BeforeAll
    void startWorker() throws Exception {
        PythonCelery.assumeAvailable();
        lease = TestServices.redis().leaseDatabase();
        tmp = Files.createTempDirectory("celeriac-cli-control");
        Files.writeString(tmp.resolve("ctltasks.py"), APP);
        Path log = tmp.resolve("worker.log");
        worker = PythonCelery.startBackground(null, log, env(), tmp, "-m", "celery", "-A", "ctltasks", "worker",
                "-n", node, "-Q", "celeriac-cli-" + node, "-c", "1", "-P", "solo", "--without-mingle",
                "--without-gossip", "-l", "info");
        await("the Python worker is ready").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!worker.isAlive()) {
                throw new AssertionError("the worker exited:\n" + Files.readString(log));
            }
            return Files.readString(log).contains("ready.");
        });
    }

    @AfterAll
    void stopWorker() {
        if (worker != null) {
            PythonCelery.stop(worker);
        }
        if (lease != null) {
            lease.close();
        }
    }

    private Map<String, String> env() {
        return Map.of("CELERIAC_BROKER", lease.url(), "PYTHONPATH", tmp.toString(), "PYTHONDONTWRITEBYTECODE", "1");
    }

    private String celery(String... args) {
        String script = "import sys\nfrom celery.bin.celery import main\nsys.argv[0] = 'celery'\nsys.exit(main())\n";
        String[] all = new String[args.length + 2];
        all[0] = "-A";
        all[1] = "ctltasks";
        System.arraycopy(args, 0, all, 2, args.length);
        return PythonCelery.run(script, WAIT, env(), all).assertSuccess().stdout();
    }

    private MainTest.Run celeriac(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--broker";
        all[args.length + 1] = lease.url();
        return run(all);
    }

    @Test
    void inspectPrintsWhatCeleryInspectPrints() {
        String id = UUID.randomUUID().toString();
        MainTest.Run revoke = celeriac("control", "revoke", id, "-d", node, "--timeout", "5");
        assertThat(revoke.code()).as(revoke.err()).isZero();
        assertThat(revoke.out()).isEqualTo("->  " + node + ": OK\n        tasks " + id + " flagged as revoked\n");

        // ok values, lists, an empty list, maps (sorted, indented JSON), an empty map
        for (List<String> action : List.of(List.of("ping"), List.of("registered"), List.of("revoked"),
                List.of("active"), List.of("conf"), List.of("query_task", id))) {
            List<String> args = new java.util.ArrayList<>(List.of("inspect"));
            args.addAll(action);
            args.addAll(List.of("-d", node, "--timeout", "5"));
            MainTest.Run java = celeriac(args.toArray(new String[0]));
            assertThat(java.code()).as(java.err()).isZero();
            assertThat(java.out()).as(action.toString()).isEqualTo(celery(args.toArray(new String[0])));
        }
        assertThat(celeriac("inspect", "revoked", "-d", node, "--timeout", "5").out())
                .startsWith("->  " + node + ": OK\n    * " + id + "\n").endsWith("\n1 node online.\n");
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonPrintsTheRepliesByNode() {
        MainTest.Run stats = celeriac("inspect", "stats", "--destination", node, "--timeout", "5", "--json");
        assertThat(stats.code()).as(stats.err()).isZero();
        Map<String, Object> doc = (Map<String, Object>) CeleryJson.decode(stats.out().strip());
        assertThat(doc).containsOnlyKeys(node);
        assertThat((Map<String, Object>) doc.get(node)).containsEntry("pid", worker.pid()).containsKey("pool");

        MainTest.Run events = celeriac("control", "enable-events", "-d", node, "-t", "5", "-j");
        assertThat(events.code()).as(events.err()).isZero();
        assertThat(CeleryJson.decode(events.out().strip()))
                .isEqualTo(Map.of(node, Map.of("ok", "task events enabled")));
        MainTest.Run unknownTask = celeriac("control", "rate-limit", "no.such.task", "1/s", "-d", node, "-t", "5");
        assertThat(unknownTask.out()).isEqualTo("->  " + node + ": ERROR\n        unknown task\n");
    }

    @Test
    void noReplyIsExitCode69AndBadUsageIs2() {
        MainTest.Run nobody = celeriac("inspect", "ping", "-d", "nobody@nowhere", "--timeout", "0.5");
        assertThat(nobody.code()).isEqualTo(69);
        assertThat(nobody.err()).isEqualTo("Error: No nodes replied within time constraint\n");
        assertThat(nobody.out()).isEmpty();

        assertThat(celeriac("control", "rate-limit", "only.one.argument").code()).isEqualTo(2);
        assertThat(celeriac("inspect", "no_such_action").code()).isEqualTo(2);
        assertThat(celeriac("inspect", "ping", "--timeout", "0").code()).isEqualTo(2);
    }
}
