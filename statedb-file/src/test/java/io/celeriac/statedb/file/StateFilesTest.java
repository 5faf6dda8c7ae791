package io.celeriac.statedb.file;

import io.celeriac.state.CorruptStateException;
import io.celeriac.state.StateStore;
import io.celeriac.state.WorkerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading a state from outside, beside a running store, changing nothing. */
class StateFilesTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TempDirs.create("celeriac-read-");
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

    @Test
    void readsTheSnapshotAndTheJournalsOfARunningStoreWithoutTouchingThem() throws Exception {
        Path file = dir.resolve("w.state");
        assertThat(StateFiles.read(file).revoked()).isEmpty();
        FileStateStoreConfig config = FileStateStoreConfig.builder(file).shutdownHook(false).build();
        Instant before = Instant.now().minusSeconds(1);
        try (StateStore s = FileStateStoreProvider.open(config)) {
            WorkerState w = WorkerState.withCeleryDefaults();
            s.merge(w);
            w.revoked().add("in-snapshot");
            s.sync(w);
            w.revoked().add("in-journal");
            long clock = w.clock().value();
            List<String> files = names();

            StateFiles.Contents c = StateFiles.read(file);
            assertThat(c.revoked().keySet()).containsExactly("in-snapshot", "in-journal");
            assertThat(c.clock()).as("a ceiling at or above the running clock").isGreaterThanOrEqualTo(clock);
            assertThat(c.writtenAt()).hasValueSatisfying(t -> assertThat(t).isAfter(before));
            assertThat(c.journals()).hasSize(1);
            assertThat(c.tornBytes()).isZero();
            assertThat(names()).as("nothing written, moved or deleted").isEqualTo(files);
        }
    }

    @Test
    void reportsCorruptionWithoutMovingAnything() throws Exception {
        Path file = dir.resolve("w.state");
        try (StateStore s = FileStateStoreProvider.open(FileStateStoreConfig.builder(file).shutdownHook(false).build())) {
            WorkerState w = WorkerState.withCeleryDefaults();
            s.merge(w);
            w.revoked().add("x");
            s.save(w);
        }
        byte[] b = Files.readAllBytes(file);
        b[b.length - 6] ^= 1;
        Files.write(file, b);
        assertThatThrownBy(() -> StateFiles.read(file)).isInstanceOf(CorruptStateException.class).hasMessageContaining(file.toString());
        assertThat(Files.readAllBytes(file)).isEqualTo(b);
    }
}
