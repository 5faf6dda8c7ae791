package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Subscription;
import io.celeriac.task.TaskMessage;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.celeriac.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code celeriac call} on Redis: the message it sends (read back through the Broker SPI), and a real Celery 5.2.6
 * worker running calls with {@code --wait}: the result printed as JSON, a failure exiting with the task-failed
 * code.
 */
class CallCommandTest {

    private static final String PROJ = """
            import os
            from celery import Celery
            app = Celery('proj', broker=os.environ['CELERIAC_BROKER'], backend=os.environ['CELERIAC_BACKEND'])

            @app.task
            def add(x, y, z=0):
                return x + y + z

            @app.task
            def fail(msg):
                raise ValueError(msg)
            """;

    @TempDir
    Path tmp;

    @Test
    void callSendsTheTaskWithItsOptions() {
        RedisTestServer redis = TestServices.redis();
        String queue = "cli-call-" + UUID.randomUUID().toString().substring(0, 8);
        try (RedisTestServer.DatabaseLease db = redis.leaseDatabase();
             Broker broker = Celeriac.discover().openBroker(db.url())) {
            MainTest.Run r = run("call", "proj.add", "--args", "[2, 3]", "--kwargs", "{\"z\": 1}", "--queue", queue,
                    "--priority", "5", "--countdown", "30", "--expires", "60", "--broker", db.url());
            assertThat(r.code()).as(r.err()).isZero();
            String id = r.out().strip();
            List<Delivery> got = new CopyOnWriteArrayList<>();
            try (Subscription s = broker.consume(List.of(queue), ConsumeOptions.noAck(), got::add)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !got.isEmpty());
            }
            TaskMessage m = TaskMessage.fromMessage(got.get(0).message());
            assertThat(m.id()).isEqualTo(id);
            assertThat(m.task()).isEqualTo("proj.add");
            assertThat(m.args()).containsExactly(2L, 3L);
            assertThat(m.kwargs()).isEqualTo(Map.of("z", 1L));
            assertThat(m.priority()).isEqualTo(5);
            assertThat(m.eta()).isNotNull();
            assertThat(m.expiration()).isEqualTo("60000");
            broker.deleteQueue(queue);
        }
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(run("call", "proj.add", "--args", "{\"not\": \"a list\"}", "--broker", "redis://127.0.0.1:1/0")
                .code()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("call", "proj.add", "--kwargs", "[1", "--broker", "redis://127.0.0.1:1/0").code())
                .isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void callWaitPrintsPythonsResultAndAFailureExitsWithTheTaskFailedCode() throws Exception {
        PythonCelery.assumeAvailable();
        RedisTestServer redis = TestServices.redis();
        String queue = "cli-call-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(tmp.resolve("proj.py"), PROJ);
        try (RedisTestServer.DatabaseLease brokerDb = redis.leaseDatabase();
             RedisTestServer.DatabaseLease backendDb = redis.leaseDatabase()) {
            Map<String, String> env = Map.of("CELERIAC_BROKER", brokerDb.url(), "CELERIAC_BACKEND", backendDb.url(),
                    "PYTHONPATH", tmp.toString());
            Process worker = PythonCelery.startBackground(null, tmp.resolve("worker.log"), env, tmp, "-m", "celery",
                    "-A", "proj", "worker", "-P", "solo", "-Q", queue, "--without-mingle", "--without-gossip",
                    "--without-heartbeat", "-n", queue + "@test");
            try {
                MainTest.Run ok = run("call", "proj.add", "--args", "[2, 3]", "--queue", queue, "--wait",
                        "--timeout", "60", "--broker", brokerDb.url(), "--backend", backendDb.url());
                assertThat(ok.code()).as(ok.err()).isZero();
                List<String> lines = ok.out().lines().toList();
                assertThat(lines).hasSize(2);
                assertThat(lines.get(1)).isEqualTo("5");
                MainTest.Run bad = run("call", "proj.fail", "--args", "[\"boom\"]", "--queue", queue, "--wait",
                        "--broker", brokerDb.url(), "--backend", backendDb.url());
                assertThat(bad.code()).isEqualTo(ExitCodes.TASK_FAILED);
                assertThat(bad.err()).contains("ValueError('boom')").contains("ValueError: boom");
            } finally {
                PythonCelery.stop(worker);
            }
        }
    }
}
