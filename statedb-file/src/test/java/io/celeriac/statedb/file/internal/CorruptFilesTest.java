package io.celeriac.statedb.file.internal;

import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.ParameterizedTest;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.state.CorruptStateException;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Truncated, damaged and foreign snapshot and journal files: refused by name with nothing moved, or, with
 * {@code on_corrupt=keep_aside}, kept aside under a new name while the store starts from what is valid.
 */
class CorruptFilesTest {

    private Path dir;
    private Path file;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("celeriac-corrupt-");
        file = dir.resolve("worker.state");
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private StateStore open(FileStateStoreConfig.OnCorrupt mode) {
        return FileStateStoreProvider.open(FileStateStoreConfig.builder(file).onCorrupt(mode).shutdownHook(false).build());
    }

    private StateStore open() {
        return open(FileStateStoreConfig.OnCorrupt.FAIL);
    }

    /** Every file of the directory with its bytes. */
    /**
     * Every file of the directory and its bytes; the lock file is listed with no bytes, as each open rewrites its
     * informational holder text (pid, host, the second it was taken), which is not state.
     */
    private Map<String, List<Byte>> contents() throws IOException {
        Map<String, List<Byte>> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (p.getFileName().toString().endsWith(".lock")) {
                    out.put(p.getFileName().toString(), List.of());
                    continue;
                }
                byte[] b = Files.readAllBytes(p);
                List<Byte> l = new ArrayList<>(b.length);
                for (byte x : b) {
                    l.add(x);
                }
                out.put(p.getFileName().toString(), l);
            }
        }
        return out;
    }

    private List<Path> named(String glob) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            ds.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    /** Saves ids a1..a5 in the snapshot, then journals b1..b5 and closes without a save. */
    private void snapshotThenJournal() {
        WorkerState w = WorkerState.withCeleryDefaults();
        StateStore s = open();
        s.merge(w);
        for (int i = 1; i <= 5; i++) {
            w.revoked().add("a" + i);
        }
        s.save(w);
        WorkerState w2 = WorkerState.withCeleryDefaults();
        StateStore s2 = open();
        s2.merge(w2);
        for (int i = 1; i <= 5; i++) {
            w2.revoked().add("b" + i);
        }
        s2.close();
    }

    private WorkerState mergeFresh(StateStore s) {
        WorkerState w = WorkerState.withCeleryDefaults();
        s.merge(w);
        return w;
    }

    @Test
    void aDamagedSnapshotIsRefusedByNameAndNothingIsMoved() throws IOException {
        snapshotThenJournal();
        byte[] b = Files.readAllBytes(file);
        b[b.length - 10] ^= 0x04;
        Files.write(file, b);
        Map<String, List<Byte>> before = contents();

        CorruptStateException e = catchThrowableOfType(CorruptStateException.class, this::open);
        assertThat(e).hasMessageContaining(file.toString()).hasMessageContaining("checksum")
                .hasMessageContaining("on_corrupt=keep_aside").hasMessageContaining("Nothing was changed or moved");
        assertThat(e.location()).isEqualTo(file.toString());
        assertThat(contents()).isEqualTo(before);
    }

    @Test
    void keepAsideRenamesTheDamagedSnapshotAndKeepsTheValidJournal() throws IOException {
        snapshotThenJournal();
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x04;
        Files.write(file, b);

        try (StateStore s = open(FileStateStoreConfig.OnCorrupt.KEEP_ASIDE)) {
            WorkerState w = mergeFresh(s);
            assertThat(w.revoked().asMap().keySet()).as("the journal's ids survive; the snapshot's are in the copy")
                    .containsExactly("b1", "b2", "b3", "b4", "b5");
            assertThat(((FileStateStore) s).keptAside()).hasSize(1);
        }
        List<Path> aside = named("worker.state.corrupt-*");
        assertThat(aside).hasSize(1);
        assertThat(Files.readAllBytes(aside.get(0))).as("the damaged bytes, kept as they were").isEqualTo(b);
        try (StateStore s = open()) {
            assertThat(mergeFresh(s).revoked().asMap().keySet()).containsExactly("b1", "b2", "b3", "b4", "b5");
        }
        assertThat(named("worker.state.corrupt-*")).isEqualTo(aside);
    }

    @Test
    void aSnapshotCutShortIsCorruptionAndCanBeKeptAside() throws IOException {
        snapshotThenJournal();
        byte[] b = Files.readAllBytes(file);
        for (int len : new int[] {0, 5, 63, b.length - 1}) {
            Files.write(file, Arrays.copyOf(b, len));
            CorruptStateException e = catchThrowableOfType(CorruptStateException.class, this::open);
            assertThat(e).as("cut to %d bytes", len).hasMessageContaining(file.toString()).hasMessageContaining("cut short");
        }
        Files.write(file, Arrays.copyOf(b, 5));
        try (StateStore s = open(FileStateStoreConfig.OnCorrupt.KEEP_ASIDE)) {
            assertThat(mergeFresh(s).revoked().asMap()).containsOnlyKeys("b1", "b2", "b3", "b4", "b5");
        }
        assertThat(named("worker.state.corrupt-*")).hasSize(1);
    }

    @Test
    void aTornJournalTailIsIgnoredAndEveryAcknowledgedRecordKept() throws IOException {
        snapshotThenJournal();
        List<Path> journals = named("worker.state.journal.*");
        assertThat(journals).hasSize(1);
        ByteSink rec = new ByteSink(64);
        JournalCodec.add(rec, UUID.randomUUID().toString(), 1);
        byte[] partial = Arrays.copyOf(rec.array(), rec.length() - 3); // a write cut by a crash
        Files.write(journals.get(0), partial, java.nio.file.StandardOpenOption.APPEND);

        try (StateStore s = open()) {
            WorkerState w = mergeFresh(s);
            assertThat(w.revoked().asMap().keySet()).containsExactly("a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4", "b5");
        }
        assertThat(named("*.corrupt-*")).isEmpty();
    }

    @Test
    void aDamagedJournalIsRefusedNamingTheFileAndOffsetOrKeptAsideWithItsValidPrefix() throws IOException {
        snapshotThenJournal();
        Path journal = named("worker.state.journal.*").get(0);
        byte[] j = Files.readAllBytes(journal);
        JournalCodec.Scan scan = JournalCodec.scan(j, Long.parseLong(journal.getFileName().toString().replaceAll(".*\\.", "")));
        assertThat(scan.records()).hasSizeGreaterThan(4);
        // damage the third record (b2): b1 stays valid before it, b3.. follow it
        int offset = JournalCodec.HEADER;
        for (int r = 0; r < 2; r++) {
            offset += 4 + ByteSource.getInt(j, offset) + 4;
        }
        byte[] bad = j.clone();
        bad[offset + 8] ^= 0x01;
        Files.write(journal, bad);
        Map<String, List<Byte>> before = contents();

        CorruptStateException e = catchThrowableOfType(CorruptStateException.class, this::open);
        assertThat(e).hasMessageContaining(journal.toString()).hasMessageContaining("offset " + offset)
                .hasMessageContaining("on_corrupt=keep_aside");
        assertThat(contents()).as("nothing changed or moved").isEqualTo(before);

        try (StateStore s = open(FileStateStoreConfig.OnCorrupt.KEEP_ASIDE)) {
            WorkerState w = mergeFresh(s);
            assertThat(w.revoked().asMap().keySet()).as("the snapshot and the journal's records before the damage")
                    .containsExactly("a1", "a2", "a3", "a4", "a5", "b1");
        }
        List<Path> aside = named("worker.state.journal.*.corrupt-*");
        assertThat(aside).hasSize(1);
        assertThat(Files.readAllBytes(aside.get(0))).isEqualTo(bad);
        assertThat(Files.exists(journal)).as("folded into a fresh snapshot").isFalse();
        try (StateStore s = open()) {
            assertThat(mergeFresh(s).revoked().asMap().keySet()).containsExactly("a1", "a2", "a3", "a4", "a5", "b1");
        }
    }

    @Test
    void aStaleJournalTheSnapshotCoversIsDeletedNotReplayed() throws IOException {
        snapshotThenJournal();
        try (StateStore s = open()) { // replays the journal; then a save writes a snapshot covering it
            WorkerState w = mergeFresh(s);
            s.save(w);
        }
        assertThat(named("worker.state.journal.*")).isEmpty();
        SnapshotCodec.Decoded d = SnapshotCodec.decode(Files.readAllBytes(file));
        long stale = d.nextGeneration() - 1;
        ByteSink out = new ByteSink(128);
        JournalCodec.header(out, stale);
        JournalCodec.add(out, "ghost", 1);
        Files.write(dir.resolve("worker.state.journal." + stale), out.toByteArray());

        try (StateStore s = open()) {
            assertThat(mergeFresh(s).revoked().contains("ghost")).isFalse();
        }
        assertThat(named("worker.state.journal." + stale)).isEmpty();
    }

    @Test
    void aForeignFileIsNeverMovedEvenWithKeepAside() throws IOException {
        byte[] text = "these are somebody's notes, not a state file\n".getBytes();
        Files.write(file, text);
        for (FileStateStoreConfig.OnCorrupt mode : FileStateStoreConfig.OnCorrupt.values()) {
            CorruptStateException e = catchThrowableOfType(CorruptStateException.class, () -> open(mode));
            assertThat(e).as("mode %s", mode).hasMessageContaining(file.toString()).hasMessageContaining("not a celeriac state file")
                    .hasMessageContaining("never moves or overwrites");
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(text);
        assertThat(named("*.corrupt-*")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.celeriac.testing.CeleryVersion#matrix")
    void pythonCelerysOwnStatedbIsRecognizedAndLeftAlone(CeleryVersion celery) throws IOException {
        PythonPeer.of(celery).assumeAvailable();
        String script = String.join("\n",
                "import sys",
                "from celery.worker import state",
                "from celery.utils.collections import LimitedSet",
                "from kombu.clocks import LamportClock",
                "class S: pass",
                "s = S(); s.revoked = LimitedSet(maxlen=50000, expires=10800)",
                "s.revoked.add('celery-revoked-1')",
                "p = state.Persistent(s, sys.argv[1], LamportClock())",
                "p.save()");
        PythonPeer.of(celery).run(script, Duration.ofSeconds(60), Map.of(), dir.resolve("celery.state").toString()).assertSuccess();
        List<Path> written = named("celery.state*");
        assertThat(written).as("the shelve file Celery wrote").isNotEmpty();
        Path celeryFile = written.get(0);
        byte[] before = Files.readAllBytes(celeryFile);

        file = celeryFile; // a user pointing celeriac at Celery's own file
        CorruptStateException e = catchThrowableOfType(CorruptStateException.class, () -> open(FileStateStoreConfig.OnCorrupt.KEEP_ASIDE));
        assertThat(e).hasMessageContaining(celeryFile.toString()).hasMessageContaining("Python Celery");
        assertThat(Files.readAllBytes(celeryFile)).isEqualTo(before);
        assertThat(named("*.corrupt-*")).isEmpty();
    }
}
