package io.celeriac.statedb.file;

import io.celeriac.testing.ChildJvm;
import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreLockedException;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Real processes on one state file: the exclusive lock between processes and within one JVM, the save at a
 * normal JVM exit, and a journal write failing for want of space (a file size limit) without harm.
 */
class ProcessesTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private Path dir;
    private Path file;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TempDirs.create("celeriac-processes-");
        file = dir.resolve("worker.state");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        TempDirs.delete(dir);
    }

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    private StateStore open() {
        return CELERIAC.openStateStore(file.toString(), StateStoreOptions.defaults());
    }

    @Test
    void aSecondProcessGetsTheLockErrorNamingTheFileAndTheHolder() throws Exception {
        try (ChildJvm holder = ChildJvm.start(StateChild.class, "hold", file.toString())) {
            holder.awaitLine("LOCKED"::equals, t(60));
            for (int attempt = 0; attempt < 2; attempt++) {
                StateStoreLockedException e = catchThrowableOfType(StateStoreLockedException.class, this::open);
                assertThat(e).hasMessageContaining(file.toString())
                        .hasMessageContaining("pid " + holder.pid())
                        .hasMessageContaining("on host " + InetAddress.getLocalHost().getHostName())
                        .hasMessageContaining("node child@");
                assertThat(e.location()).isEqualTo(file.toString());
            }
            holder.closeStdin(); // the holder saves and exits normally
            assertThat(holder.awaitExit(t(60))).isZero();
            assertThat(holder.lines()).contains("SAVED");
        }
        try (StateStore s = open()) {
            s.merge(WorkerState.withCeleryDefaults());
        }
    }

    @Test
    void aKilledHolderLeavesNoLockBehind() throws Exception {
        try (ChildJvm holder = ChildJvm.start(StateChild.class, "hold", file.toString())) {
            holder.awaitLine("LOCKED"::equals, t(60));
            holder.kill();
        }
        try (StateStore s = open()) {
            s.merge(WorkerState.withCeleryDefaults());
            assertThat(Files.readString(dir.resolve("worker.state.lock"))).as("the new holder is recorded")
                    .contains("pid " + ProcessHandle.current().pid());
        }
    }

    @Test
    void whileThisProcessHoldsTheFileAnotherProcessIsRefused() throws Exception {
        try (StateStore s = open()) {
            s.merge(WorkerState.withCeleryDefaults());
            try (ChildJvm other = ChildJvm.start(StateChild.class, "open", file.toString())) {
                String line = other.awaitLine(l -> l.startsWith("FAILED") || l.equals("OPENED"), t(60));
                assertThat(line).startsWith("FAILED " + StateStoreLockedException.class.getName())
                        .contains(file.toString()).contains("pid " + ProcessHandle.current().pid());
                assertThat(other.awaitExit(t(60))).isZero();
            }
            // the refused process closed its own descriptor of the lock file: this process must still hold the lock
            try (ChildJvm again = ChildJvm.start(StateChild.class, "open", file.toString())) {
                assertThat(again.awaitLine(l -> l.startsWith("FAILED") || l.equals("OPENED"), t(60))).startsWith("FAILED");
            }
        }
    }

    @Test
    void aSecondStoreInThisJvmIsRefusedAndDoesNotReleaseTheFirstOnesLock() throws Exception {
        StateStore first = open();
        try {
            first.merge(WorkerState.withCeleryDefaults());
            for (int attempt = 0; attempt < 3; attempt++) {
                StateStoreLockedException e = catchThrowableOfType(StateStoreLockedException.class, this::open);
                assertThat(e).hasMessageContaining(file.toString()).hasMessageContaining("this process")
                        .hasMessageContaining("pid " + ProcessHandle.current().pid());
            }
            try (ChildJvm other = ChildJvm.start(StateChild.class, "open", file.toString())) {
                assertThat(other.awaitLine(l -> l.startsWith("FAILED") || l.equals("OPENED"), t(60)))
                        .as("refused openers in this JVM must not have dropped the OS lock").startsWith("FAILED");
            }
        } finally {
            first.close();
        }
        try (StateStore s = open()) {
            s.merge(WorkerState.withCeleryDefaults());
        }
    }

    @Test
    void aNormalExitSavesThroughTheShutdownHook() throws Exception {
        long clock;
        try (ChildJvm child = ChildJvm.start(StateChild.class, "exit", file.toString(), "25")) {
            String done = child.awaitLine(l -> l.startsWith("DONE "), t(60));
            clock = Long.parseLong(done.substring(5));
            assertThat(child.awaitExit(t(60))).as("stderr: %s", child.stderr()).isZero();
        }
        List<Path> journals = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "worker.state.journal.*")) {
            ds.forEach(journals::add);
        }
        assertThat(journals).as("the hook saved: a snapshot, no journal left").isEmpty();
        WorkerState w = WorkerState.withCeleryDefaults();
        try (StateStore s = open()) {
            s.merge(w);
        }
        for (int i = 0; i < 25; i++) {
            assertThat(w.revoked().contains("exit-" + i)).isTrue();
        }
        assertThat(w.clock().value()).as("saved with Celery's forward, then adjusted").isEqualTo(clock + 2);
    }

    @Test
    void sigtermSavesThroughTheShutdownHookAsOnKubernetes() throws Exception {
        long clock;
        try (ChildJvm child = ChildJvm.start(StateChild.class, "term", file.toString(), "10")) {
            clock = Long.parseLong(child.awaitLine(l -> l.startsWith("READY "), t(60)).substring(6));
            child.terminate(); // SIGTERM: the JVM exits normally, running its shutdown hooks
            assertThat(child.awaitExit(t(60))).as("killed by SIGTERM").isEqualTo(143);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "worker.state.journal.*")) {
            assertThat(ds.iterator().hasNext()).as("the hook saved: no journal left").isFalse();
        }
        WorkerState w = WorkerState.withCeleryDefaults();
        try (StateStore s = open()) {
            s.merge(w);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(w.revoked().contains("term-" + i)).isTrue();
        }
        assertThat(w.clock().value()).isEqualTo(clock + 2);
    }

    @Test
    void aJournalWriteThatFailsForWantOfSpaceIsReportedAndHarmsNothing() throws Exception {
        // 'ulimit -f 64' caps every file this child writes at 32 KiB: journal appends start failing (EFBIG)
        List<String> prefix = List.of("sh", "-c", "ulimit -f 64 && exec \"$0\" \"$@\"");
        List<String> acked = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        try (ChildJvm child = ChildJvm.start(prefix, StateChild.class, "fill", file.toString())) {
            child.awaitLine(l -> l.equals("CLOSED") || l.startsWith("SYNCFAILED"), t(120));
            assertThat(child.awaitExit(t(60))).as("stderr: %s", child.stderr()).isZero();
            for (String line : child.lines()) {
                if (line.startsWith("ACK ")) {
                    acked.add(line.substring(4));
                } else if (line.startsWith("ERR ")) {
                    failed.add(line);
                }
            }
            assertThat(child.lines()).contains("SYNCED", "CLOSED");
        }
        assertThat(failed).hasSize(3);
        assertThat(failed.get(0)).contains("UnableToSaveStateException").contains(file.toString()).contains("File too large");
        assertThat(acked).hasSizeGreaterThan(100).contains("after-sync-9");

        WorkerState w = WorkerState.withCeleryDefaults();
        try (StateStore s = open()) { // fail mode: a partial batch left in the journal would be refused here
            s.merge(w);
        }
        for (String id : acked) {
            assertThat(w.revoked().contains(id)).as(id).isTrue();
        }
    }

    @Test
    void aSnapshotThatCannotBeWrittenForWantOfSpaceFailsTheSyncAndKeepsTheLastGoodState() throws Exception {
        // 'ulimit -f 64' caps every file at 32 KiB: the journal (rotated at each sync) stays under it, the
        // snapshot of every id so far outgrows it after a few syncs
        List<String> prefix = List.of("sh", "-c", "ulimit -f 64 && exec \"$0\" \"$@\"");
        List<String> acked = new ArrayList<>();
        List<String> syncFailed = new ArrayList<>();
        int synced = 0;
        try (ChildJvm child = ChildJvm.start(prefix, StateChild.class, "grow", file.toString())) {
            child.awaitLine("DONE"::equals, t(120));
            assertThat(child.awaitExit(t(60))).as("stderr: %s", child.stderr()).isZero();
            for (String line : child.lines()) {
                if (line.startsWith("ACK ")) {
                    acked.add(line.substring(4));
                } else if (line.startsWith("SYNCED ")) {
                    synced++;
                } else if (line.startsWith("SYNCFAILED ")) {
                    syncFailed.add(line);
                }
            }
            assertThat(child.lines()).noneMatch(l -> l.startsWith("ERR "));
        }
        assertThat(synced).as("syncs that fitted before the snapshot outgrew the limit").isPositive();
        assertThat(syncFailed).hasSize(1);
        assertThat(syncFailed.get(0)).contains("UnableToSaveStateException").contains(file.toString()).contains("File too large");
        assertThat(acked).contains("after-failed-sync-9");

        WorkerState w = WorkerState.withCeleryDefaults();
        try (StateStore s = open()) { // fail mode: a torn snapshot or journal would be refused here
            s.merge(w);
        }
        for (String id : acked) {
            assertThat(w.revoked().contains(id)).as(id).isTrue();
        }
    }
}
