package io.celeriac.statedb.file.internal;

import io.celeriac.state.StateStore;
import io.celeriac.state.WorkerState;
import io.celeriac.statedb.file.FileStateStoreConfig;
import io.celeriac.statedb.file.FileStateStoreProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How the clock is journaled (one write per reserve of steps), and the journal compacting itself. */
class ClockAndCompactionTest {

    private Path dir;
    private Path file;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("celeriac-clock-");
        file = dir.resolve("w.state");
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    private List<JournalCodec.Record> journalRecords() throws IOException {
        List<JournalCodec.Record> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "w.state.journal.*")) {
            for (Path p : ds) {
                long gen = Long.parseLong(p.getFileName().toString().substring("w.state.journal.".length()));
                out.addAll(JournalCodec.scan(Files.readAllBytes(p), gen).records());
            }
        }
        return out;
    }

    private static List<Long> clocks(List<JournalCodec.Record> records) {
        List<Long> out = new ArrayList<>();
        for (JournalCodec.Record r : records) {
            if (r instanceof JournalCodec.Clock c) {
                out.add(c.value());
            }
        }
        return out;
    }

    @Test
    void oneClockStepInAThousandPaysForAJournalWrite() throws IOException {
        StateStore s = FileStateStoreProvider.open(FileStateStoreConfig.builder(file).shutdownHook(false).build());
        WorkerState w = WorkerState.withCeleryDefaults();
        s.merge(w);                      // 1, ceiling 1001
        for (int i = 0; i < 5_000; i++) {
            w.clock().forward();         // to 5001; steps 1002, 2003, 3004 and 4005 pass the ceiling
        }
        assertThat(clocks(journalRecords())).containsExactly(1001L, 2002L, 3003L, 4004L, 5005L);
        s.close();
        assertThat(clocks(journalRecords())).as("close stores the exact value last").endsWith(5001L);
        WorkerState again = WorkerState.withCeleryDefaults();
        try (StateStore s2 = FileStateStoreProvider.open(FileStateStoreConfig.builder(file).shutdownHook(false).build())) {
            s2.merge(again);
        }
        assertThat(again.clock().value()).isEqualTo(5002);
    }

    @Test
    void aReserveOfZeroJournalsEveryStep() throws IOException {
        StateStore s = FileStateStoreProvider.open(FileStateStoreConfig.builder(file).clockReserve(0).shutdownHook(false).build());
        WorkerState w = WorkerState.withCeleryDefaults();
        s.merge(w);
        for (int i = 0; i < 50; i++) {
            w.clock().forward();
        }
        List<Long> c = clocks(journalRecords());
        assertThat(c).hasSize(51).startsWith(1L, 2L, 3L).endsWith(51L);
        s.close();
    }

    @Test
    void aLargeJournalCompactsItselfIntoTheSnapshot() throws IOException {
        FileStateStoreConfig config = FileStateStoreConfig.builder(file).journalCompactSize(4096).shutdownHook(false).build();
        StateStore s = FileStateStoreProvider.open(config);
        WorkerState w = WorkerState.withCeleryDefaults();
        s.merge(w);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String id = "compact-" + i;
            w.revoked().add(id);
            ids.add(id);
        }
        assertThat(Files.exists(file)).as("a snapshot was written without a sync").isTrue();
        long journalBytes = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "w.state.journal.*")) {
            for (Path p : ds) {
                journalBytes += Files.size(p);
            }
        }
        assertThat(journalBytes).as("400 records would take about 16 KiB").isLessThan(4096 + 200);
        SnapshotCodec.Decoded d = SnapshotCodec.decode(Files.readAllBytes(file));
        assertThat(d.entries().size()).as("all but the last journal's worth (records are about 30 bytes)").isGreaterThan(400 - 150);
        s.close();

        WorkerState again = WorkerState.withCeleryDefaults();
        try (StateStore s2 = FileStateStoreProvider.open(config)) {
            s2.merge(again);
        }
        assertThat(again.revoked().asMap().keySet()).containsExactlyElementsOf(ids);
    }
}
