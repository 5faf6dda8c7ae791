package io.celeriac.statedb.file;

import io.celeriac.state.LamportClock;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStore;
import io.celeriac.state.WorkerState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A small benchmark for the report, run on purpose (it is not a test):
 *
 * <pre>
 * ./mvnw -q -o -pl statedb-file -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp statedb-file/target/test-classes:statedb-file/target/classes:$(cat /tmp/cp.txt) \
 *      io.celeriac.statedb.file.StateDbBenchmark [directory]
 * </pre>
 *
 * <p>It measures, for 50,000 revoked UUIDs added in a loop (as Celery's figures were taken): the sync time
 * and the file size; open plus merge into a fresh worker; and the time one revoke takes to be journaled
 * and fsynced ({@code RevokedSet.add} returning), p50 and p99. Each figure is reported for the first
 * (cold) run and as the median of warm runs.
 */
public final class StateDbBenchmark {

    private StateDbBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("celeriac-bench-");
        Files.createDirectories(dir);
        Path file = dir.resolve("bench.state");
        int ids = 50_000;
        int warm = 15;

        WorkerState worker = new WorkerState(new RevokedSet(RevokedSet.DEFAULT_MAXLEN, Duration.ofSeconds(10_800), Clock.systemUTC()),
                new LamportClock());
        for (int i = 0; i < ids; i++) {
            worker.revoked().add(UUID.randomUUID().toString());
        }
        FileStateStoreConfig config = FileStateStoreConfig.builder(file).shutdownHook(false).build();
        StateStore store = FileStateStoreProvider.open(config);
        store.merge(worker); // journals the 50,000 ids the worker held before merge, in one batch

        List<Double> syncs = new ArrayList<>();
        for (int i = 0; i < warm + 1; i++) {
            long t = System.nanoTime();
            store.sync(worker);
            syncs.add((System.nanoTime() - t) / 1e6);
        }
        long size = Files.size(file);
        store.save(worker);

        List<Double> merges = new ArrayList<>();
        for (int i = 0; i < warm + 1; i++) {
            WorkerState fresh = new WorkerState(new RevokedSet(RevokedSet.DEFAULT_MAXLEN, Duration.ofSeconds(10_800), Clock.systemUTC()),
                    new LamportClock());
            long t = System.nanoTime();
            StateStore s = FileStateStoreProvider.open(config);
            s.merge(fresh);
            merges.add((System.nanoTime() - t) / 1e6);
            if (fresh.revoked().size() != ids) {
                throw new AssertionError("merged " + fresh.revoked().size() + " ids");
            }
            s.save(fresh);
        }

        WorkerState w = new WorkerState(new RevokedSet(RevokedSet.DEFAULT_MAXLEN, Duration.ofSeconds(10_800), Clock.systemUTC()),
                new LamportClock());
        StateStore s = FileStateStoreProvider.open(config);
        s.merge(w);
        int samples = 3000;
        double[] appends = new double[samples];
        for (int i = 0; i < 500; i++) {
            w.revoked().add(UUID.randomUUID().toString()); // warm-up
        }
        for (int i = 0; i < samples; i++) {
            String id = UUID.randomUUID().toString();
            long t = System.nanoTime();
            w.revoked().add(id);
            appends[i] = (System.nanoTime() - t) / 1e6;
        }
        s.save(w);
        Arrays.sort(appends);

        System.out.printf(Locale.ROOT, "ids: %d, directory: %s%n", ids, dir);
        System.out.printf(Locale.ROOT, "sync:        cold %.1f ms, warm median %.1f ms (min %.1f, max %.1f) over %d runs%n",
                syncs.get(0), median(syncs.subList(1, syncs.size())), min(syncs.subList(1, syncs.size())),
                max(syncs.subList(1, syncs.size())), warm);
        System.out.printf(Locale.ROOT, "file size:   %d bytes = %.1f KiB%n", size, size / 1024.0);
        System.out.printf(Locale.ROOT, "open+merge:  cold %.1f ms, warm median %.1f ms (min %.1f, max %.1f) over %d runs%n",
                merges.get(0), median(merges.subList(1, merges.size())), min(merges.subList(1, merges.size())),
                max(merges.subList(1, merges.size())), warm);
        System.out.printf(Locale.ROOT, "one revoke journaled and fsynced: p50 %.3f ms, p99 %.3f ms, max %.3f ms over %d revokes%n",
                appends[samples / 2], appends[(int) (samples * 0.99)], appends[samples - 1], samples);
        if (args.length == 0) {
            TempDirs.delete(dir);
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
