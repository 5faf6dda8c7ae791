package io.celeriac.statedb.file.internal;

import io.celeriac.tck.Tck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The group-commit journal on a real file. */
class JournalTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("celeriac-journal-");
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

    private static ByteSink add(String id) {
        ByteSink b = new ByteSink(64);
        JournalCodec.add(b, id, 1_763_726_400_000_000L);
        return b;
    }

    private static Set<String> ids(Path file, long generation) throws IOException {
        JournalCodec.Scan scan = JournalCodec.scan(Files.readAllBytes(file), generation);
        assertThat(scan.corruption()).isNull();
        assertThat(scan.tornBytes()).isZero();
        Set<String> out = new HashSet<>();
        for (JournalCodec.Record r : scan.records()) {
            out.add(((JournalCodec.Add) r).id());
        }
        return out;
    }

    @Test
    void concurrentAppendersShareOneWriteWithinTheCommitDelay() throws Exception {
        Path file = dir.resolve("j.journal.1");
        Journal j = new Journal(file, 1, true, Duration.ofSeconds(1).toNanos(), 8);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String id = "t" + t;
                fs.add(pool.submit(() -> {
                    start.await();
                    ByteSink r = add(id);
                    j.append(r.array(), r.length(), 1);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get(Tck.timeout(Duration.ofSeconds(30)).toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(j.batches()).as("eight appends, fewer fsyncs").isLessThan(8);
        j.seal();
        assertThat(ids(file, 1)).containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7");
    }

    @Test
    void manyThreadsWithoutDelayLoseNothingAndShareWrites() throws Exception {
        Path file = dir.resolve("j.journal.2");
        Journal j = new Journal(file, 2, true, 0, 4096);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int k = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        ByteSink r = add(k + "-" + i);
                        j.append(r.array(), r.length(), 1);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(Tck.timeout(Duration.ofSeconds(60)).toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(j.batches()).isLessThanOrEqualTo(600);
        j.seal();
        assertThat(ids(file, 2)).hasSize(600);
    }

    @Test
    void sealFlushesAndRefusesLaterAppends() throws Exception {
        Path file = dir.resolve("j.journal.3");
        Journal j = new Journal(file, 3, false, 0, 16);
        ByteSink r = add("before");
        j.append(r.array(), r.length(), 1);
        j.seal();
        j.seal();
        assertThatThrownBy(() -> j.append(r.array(), r.length(), 1)).isInstanceOf(Journal.Sealed.class);
        assertThat(ids(file, 3)).containsExactly("before");
    }

    @Test
    void anUnwrittenJournalLeavesNoFileAndAnExistingFileIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("j.journal.4");
        Journal unused = new Journal(file, 4, true, 0, 16);
        unused.seal();
        assertThat(Files.exists(file)).isFalse();

        Files.writeString(file, "somebody else's");
        Journal j = new Journal(file, 4, true, 0, 16);
        ByteSink r = add("x");
        assertThatThrownBy(() -> j.append(r.array(), r.length(), 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("exists already");
        assertThat(Files.readString(file)).isEqualTo("somebody else's");
    }
}
