package io.celeriac.statedb.file;

import io.celeriac.state.StateStore;
import io.celeriac.state.WorkerState;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Racing changes of the same ids (revokes, re-revokes, discards, a clear, updates from a peer) on several
 * threads: the journal records them in the order they took effect in memory, so a restart finds exactly
 * the set the worker had, timestamps included.
 */
class OrderingTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TempDirs.create("celeriac-ordering-");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        TempDirs.delete(dir);
    }

    @Test
    void aRestartFindsExactlyTheSetTheWorkerHad() throws Exception {
        FileStateStoreConfig config = FileStateStoreConfig.builder(dir.resolve("w.state")).journalFsync(false).shutdownHook(false).build();
        for (int round = 0; round < 3; round++) {
            WorkerState w = WorkerState.withCeleryDefaults();
            StateStore s = FileStateStoreProvider.open(config);
            s.merge(w);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int k = t;
                    fs.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < 3_000; i++) {
                            String id = "id-" + ((i * 7 + k) % 4);
                            switch ((i + k) % 5) {
                                case 0, 1 -> w.revoked().add(id);
                                case 2 -> w.revoked().discard(id);
                                case 3 -> w.revoked().update(java.util.Map.of(id, w.revoked().now() - 1));
                                default -> {
                                    if (i % 300 == 299) {
                                        w.revoked().clear();
                                    } else {
                                        w.revoked().add(id);
                                    }
                                }
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : fs) {
                    f.get(Tck.timeout(Duration.ofSeconds(60)).toSeconds(), TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            var expected = w.revoked().asMap();
            s.close();

            WorkerState restarted = WorkerState.withCeleryDefaults();
            try (StateStore again = FileStateStoreProvider.open(config)) {
                again.merge(restarted);
            }
            assertThat(restarted.revoked().asMap()).as("round %d", round).containsExactlyInAnyOrderEntriesOf(expected);
            Set<String> keys = expected.keySet();
            assertThat(keys).allMatch(id -> id.startsWith("id-"));
        }
    }
}
