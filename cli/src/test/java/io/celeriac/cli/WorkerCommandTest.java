package io.celeriac.cli;

import io.celeriac.backend.TaskState;
import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.client.TaskFailedException;
import io.celeriac.client.control.Target;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;

import static io.celeriac.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code celeriac worker}: its options, its configuration errors, and a real run on Redis of the tasks of
 * {@code examples/java-tasks} (compiled with these tests; the {@code --tasks} jar made here holds the example's
 * service file), called with {@link CeleryClient} and stopped by a remote {@code shutdown}.
 */
class WorkerCommandTest {

    /** The example's service file, read from its sources (the test runs in the cli module's directory). */
    static final Path EXAMPLE_SERVICES = Path.of("..", "examples", "java-tasks", "src", "main", "resources",
            WorkerCommand.SERVICE_FILE);

    @TempDir
    Path tmp;

    /**
     * A tasks jar that lists the example's provider; its classes load from the test class path, the jar's parent.
     */
    static Path tasksJar(Path dir) throws IOException {
        return jar(dir.resolve("java-tasks.jar"), Files.readAllBytes(EXAMPLE_SERVICES));
    }

    static Path jar(Path file, byte[] services) throws IOException {
        try (OutputStream o = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(o)) {
            if (services != null) {
                jar.putNextEntry(new JarEntry(WorkerCommand.SERVICE_FILE));
                jar.write(services);
                jar.closeEntry();
            }
        }
        return file;
    }

    static String queue() {
        return "cli-worker-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void helpListsTheOptionsAndHowToStop() {
        MainTest.Run r = run("worker", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--broker=URL", "--backend, --result-backend=URL", "-S, --statedb=URL",
                "-Q, --queues=QUEUE", "-c, --concurrency=N", "-n, --hostname=NAME", "-E, --task-events",
                "--tasks=JAR", "--prefetch-multiplier=N", "--acks-late", "--track-started", "--time-limit=SECONDS",
                "--soft-time-limit=SECONDS", "-l, --loglevel=LEVEL", "celeriac@%h", "$CELERY_BROKER_URL",
                "$CELERY_RESULT_BACKEND", "warm shutdown", "cold", "Exit codes");
        assertThat(run("--help").out()).containsPattern("worker\\s+Run Java tasks as a Celery worker");
    }

    @Test
    void badSettingsAreConfigErrorsThatNameTheSettingAndNoPassword() throws IOException {
        Path jar = tasksJar(tmp);
        MainTest.Run zero = run("worker", "--tasks", jar.toString(), "-c", "0",
                "--broker", "redis://user:hunter2@127.0.0.1:1/0");
        assertThat(zero.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(zero.err()).contains("concurrency must be from 1 to 10000, not 0").doesNotContain("hunter2");
        assertThat(zero.out()).doesNotContain("[tasks]");

        MainTest.Run both = run("worker", "--tasks", jar.toString(), "-c", "0", "--prefetch-multiplier", "-1",
                "--broker", "redis://127.0.0.1:1/0");
        assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("2 problems").contains("concurrency").contains("worker_prefetch_multiplier");

        MainTest.Run soft = run("worker", "--tasks", jar.toString(), "--soft-time-limit", "-1");
        assertThat(soft.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(soft.err()).contains("--soft-time-limit must be a positive number of seconds");

        MainTest.Run level = run("worker", "--tasks", jar.toString(), "--loglevel", "loud");
        assertThat(level.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(level.err()).contains("--loglevel must be");
    }

    @Test
    void noTasksIsAConfigErrorThatSaysWhereItLooked() throws IOException {
        Path empty = jar(tmp.resolve("empty.jar"), null);
        MainTest.Run r = run("worker", "--tasks", empty.toString(), "--broker", "redis://127.0.0.1:1/0");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("No tasks found in " + empty).contains(WorkerCommand.SERVICE_FILE);

        MainTest.Run none = run("worker", "--broker", "redis://127.0.0.1:1/0");
        assertThat(none.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).contains("No tasks found on the class path (no --tasks given)");

        MainTest.Run missing = run("worker", "--tasks", tmp.resolve("nope.jar").toString());
        assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("--tasks: no such jar: " + tmp.resolve("nope.jar"));

        Path bad = jar(tmp.resolve("bad.jar"), "com.example.NoSuchProvider\n".getBytes());
        MainTest.Run broken = run("worker", "--tasks", bad.toString());
        assertThat(broken.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(broken.err()).contains("the task providers cannot be loaded").contains("com.example.NoSuchProvider");
    }

    @Test
    void runsTheExampleTasksOnRedisUntilARemoteShutdown() throws Exception {
        RedisTestServer redis = TestServices.redis();
        String queue = queue();
        Path jar = tasksJar(tmp);
        try (RedisTestServer.DatabaseLease db = redis.leaseDatabase()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            String[] args = {"worker", "--tasks", jar.toString(), "--broker", db.url(), "--backend", db.url(),
                "-Q", queue, "-n", queue + "@%h", "-c", "2", "--soft-time-limit", "1"};
            Thread command = new Thread(() -> {
                try {
                    exit.complete(Main.run(args, new PrintWriter(out), new PrintWriter(err)));
                } catch (Throwable t) {
                    exit.completeExceptionally(t);
                }
            }, "celeriac-worker-command");
            command.start();
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> exit.isDone() || out.toString().contains(" ready."));
                assertThat(exit).as(err.toString()).isNotDone();
                String banner = out.toString();
                String node = banner.lines().filter(l -> l.endsWith(" ready.")).findFirst().orElseThrow()
                        .replace(" ready.", "");
                assertThat(node).startsWith(queue + "@").doesNotContain("%h");
                assertThat(banner).containsPattern("\\.> node:\\s+" + Pattern.quote(node) + "\n")
                        .containsPattern("\\.> transport:\\s+" + Pattern.quote(db.url()) + "\n")
                        .containsPattern("\\.> results:\\s+" + Pattern.quote(db.url()) + "\n")
                        .containsPattern("\\.> concurrency:\\s+2 \\(threads\\)")
                        .containsPattern("\\.> time limits:\\s+hard none, soft 1 s")
                        .contains("[queues]\n  .> " + queue + "\n", "[tasks]\n  . proj.add\n  . proj.fail\n"
                                + "  . proj.progress\n  . proj.retry\n  . proj.sleep\n");

                try (CeleryClient client = CeleryClient.builder().brokerUrl(db.url()).backendUrl(db.url()).build()) {
                    SendOptions toQueue = SendOptions.builder().queue(queue).build();
                    Duration wait = Duration.ofSeconds(30);
                    assertThat(client.send("proj.add", List.of(2, 3), Map.of(), toQueue).get(wait)).isEqualTo(5L);

                    AsyncResult failed = client.send("proj.fail", List.of("boom"), Map.of(), toQueue);
                    assertThatThrownBy(() -> failed.get(wait)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
                        assertThat(e.excType()).isEqualTo("ValueError");
                        assertThat(e.excMessage()).contains("boom");
                    });

                    assertThat(client.send("proj.retry", List.of(), Map.of("until", 2), toQueue).get(wait))
                            .isEqualTo(2L);

                    AsyncResult progress = client.send("proj.progress", List.of(4), Map.of("delay", 0.2), toQueue);
                    await().atMost(wait).until(() -> new TaskState("PROGRESS").equals(progress.state()));
                    assertThat(progress.info()).isInstanceOfSatisfying(Map.class,
                            m -> assertThat(m).containsEntry("total", 4L).containsKey("current"));
                    assertThat(progress.get(wait)).isEqualTo(4L);

                    AsyncResult slept = client.send("proj.sleep", List.of(60), Map.of(), toQueue);
                    assertThatThrownBy(() -> slept.get(wait)).isInstanceOfSatisfying(TaskFailedException.class,
                            e -> assertThat(e.excType()).isEqualTo("SoftTimeLimitExceeded"));

                    client.control().shutdown(Target.nodes(node));
                }
                assertThat(exit.get(60, TimeUnit.SECONDS)).as(err.toString()).isEqualTo(ExitCodes.OK);
                assertThat(out.toString()).contains("worker: " + node + " stopped.");
            } finally {
                command.interrupt();
                command.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
    }
}
