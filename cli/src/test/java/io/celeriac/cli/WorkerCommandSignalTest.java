package io.celeriac.cli;

import io.celeriac.backend.TaskState;
import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.testing.ChildJvm;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code celeriac worker} in a child JVM stopped by SIGTERM: the first signal is a warm shutdown that lets the
 * running task finish and exits 0; a second one during it is a cold shutdown that interrupts the task and exits 1.
 */
class WorkerCommandSignalTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private ChildJvm startWorker(RedisTestServer.DatabaseLease db, String queue) throws Exception {
        ChildJvm child = ChildJvm.start(Main.class, "worker", "--tasks", WorkerCommandTest.tasksJar(tmp).toString(),
                "--broker", db.url(), "--backend", db.url(), "-Q", queue, "-n", queue + "@%h", "-c", "1",
                "--track-started");
        child.awaitLine(l -> l.endsWith(" ready."), WAIT);
        return child;
    }

    /**
     * SIGTERM by pid, not {@link ChildJvm#terminate()}: {@code Process.destroy()} also closes the pipes, and the
     * lines printed during the shutdown would be lost.
     */
    private static void sigterm(ChildJvm child) {
        assertThat(ProcessHandle.of(child.pid()).orElseThrow().destroy()).isTrue();
    }

    @Test
    void theFirstSigtermIsAWarmShutdownThatLetsTheRunningTaskFinish() throws Exception {
        String queue = WorkerCommandTest.queue();
        try (RedisTestServer.DatabaseLease db = TestServices.redis().leaseDatabase();
             ChildJvm child = startWorker(db, queue);
             CeleryClient client = CeleryClient.builder().brokerUrl(db.url()).backendUrl(db.url()).build()) {
            AsyncResult r = client.send("proj.sleep", List.of(1.5), Map.of(), SendOptions.builder().queue(queue).build());
            await().atMost(WAIT).until(() -> TaskState.STARTED.equals(r.state()));
            sigterm(child);
            child.awaitLine(l -> l.startsWith("worker: warm shutdown (SIGTERM)"), WAIT);
            assertThat(child.awaitExit(WAIT)).as(child.stderr()).isEqualTo(ExitCodes.OK);
            assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(r.get(Duration.ofSeconds(1))).isEqualTo(1.5);
            assertThat(child.lines()).anyMatch(l -> l.matches("worker: " + queue + "@\\S+ stopped\\."));
        }
    }

    @Test
    void aSecondSigtermDuringTheWarmShutdownIsAColdShutdown() throws Exception {
        String queue = WorkerCommandTest.queue();
        try (RedisTestServer.DatabaseLease db = TestServices.redis().leaseDatabase();
             ChildJvm child = startWorker(db, queue);
             CeleryClient client = CeleryClient.builder().brokerUrl(db.url()).backendUrl(db.url()).build()) {
            AsyncResult r = client.send("proj.sleep", List.of(600), Map.of(), SendOptions.builder().queue(queue).build());
            await().atMost(WAIT).until(() -> TaskState.STARTED.equals(r.state()));
            sigterm(child);
            child.awaitLine(l -> l.startsWith("worker: warm shutdown (SIGTERM)"), WAIT);
            assertThat(child.lines()).noneMatch(l -> l.contains("stopped"));
            sigterm(child);
            child.awaitLine(l -> l.startsWith("worker: cold shutdown (SIGTERM)"), WAIT);
            assertThat(child.awaitExit(WAIT)).as(child.stderr()).isEqualTo(ExitCodes.ERROR);
            assertThat(child.lines()).anyMatch(l -> l.endsWith(" stopped (cold shutdown)."));
        }
    }
}
