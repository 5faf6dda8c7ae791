package io.celeriac.statedb.file;

import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which files the store keeps beside the state file, and how it treats leftovers and links. */
class FileLayoutTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private Path dir;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TempDirs.create("celeriac-layout-");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        TempDirs.delete(dir);
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private StateStore open(Path file) {
        return CELERIAC.openStateStore(file.toString(), StateStoreOptions.defaults());
    }

    @Test
    void aSavedStateIsOneFileAndItsLock() throws Exception {
        Path file = dir.resolve("w.state");
        StateStore s = open(file);
        assertThat(names()).as("opening writes nothing but the lock").containsExactly("w.state.lock");
        WorkerState w = WorkerState.withCeleryDefaults();
        s.merge(w);
        w.revoked().add("a");
        assertThat(names()).containsExactly("w.state.journal.1", "w.state.lock");
        s.sync(w);
        w.revoked().add("b");
        assertThat(names()).containsExactly("w.state", "w.state.journal.2", "w.state.lock");
        s.save(w);
        assertThat(names()).containsExactly("w.state", "w.state.lock");
        assertThat(Files.readString(dir.resolve("w.state.lock"))).contains("pid " + ProcessHandle.current().pid());
    }

    @Test
    void aLeftoverTemporaryFileIsRemovedAtOpen() throws Exception {
        Path file = dir.resolve("w.state");
        Files.writeString(dir.resolve("w.state.tmp"), "a sync a crash interrupted");
        try (StateStore s = open(file)) {
            s.merge(WorkerState.withCeleryDefaults());
        }
        assertThat(names()).doesNotContain("w.state.tmp");
    }

    @Test
    void aSymbolicLinkIsFollowedAndKept() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link.state"), real.resolve("w.state"));
        WorkerState w = WorkerState.withCeleryDefaults();
        try (StateStore s = open(link)) {
            assertThat(s.location()).isEqualTo(link.toString());
            s.merge(w);
            w.revoked().add("through-the-link");
            s.save(w);
        }
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.exists(real.resolve("w.state"))).isTrue();
        WorkerState again = WorkerState.withCeleryDefaults();
        try (StateStore s = open(real.resolve("w.state"))) {
            s.merge(again);
        }
        assertThat(again.revoked().contains("through-the-link")).isTrue();
    }
}
