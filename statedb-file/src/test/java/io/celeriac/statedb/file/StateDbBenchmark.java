package io.celeriac.statedb.file;

import io.celeriac.state.LamportClock;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStore;
import io.celeriac.state.WorkerState;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
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
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        FileStateStoreConfig config = FileStateStoreConfig.builder(file).shutdownHook(false).build();

        // 1. one revoke journaled and fsynced (first, before the large snapshot writes below load the disk)
        WorkerState w = fresh();
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
        s.close();
        Files.deleteIfExists(file);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "bench.state.journal.*")) {
            for (Path p : ds) {
                Files.delete(p);
            }
        }
        Arrays.sort(appends);

        // 2. sync of 50,000 ids added in a loop
        WorkerState worker = fresh();
        for (int i = 0; i < ids; i++) {
            worker.revoked().add(UUID.randomUUID().toString());
        }
        StateStore store = FileStateStoreProvider.open(config);
        store.merge(worker); // journals the 50,000 ids the worker held before merge, in one batch
        List<Double> syncs = new ArrayList<>();
        List<Double> syncCpu = new ArrayList<>();
        for (int i = 0; i < warm + 1; i++) {
            long c = cpu.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            store.sync(worker);
            syncs.add((System.nanoTime() - t) / 1e6);
            syncCpu.add((cpu.getCurrentThreadCpuTime() - c) / 1e6);
        }
        long size = Files.size(file);
        store.save(worker);

        // 3. open + merge into a fresh worker
        List<Double> merges = new ArrayList<>();
        List<Double> mergeCpu = new ArrayList<>();
        for (int i = 0; i < warm + 1; i++) {
            WorkerState f = fresh();
            long c = cpu.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            StateStore o = FileStateStoreProvider.open(config);
            o.merge(f);
            merges.add((System.nanoTime() - t) / 1e6);
            mergeCpu.add((cpu.getCurrentThreadCpuTime() - c) / 1e6);
            if (f.revoked().size() != ids) {
                throw new AssertionError("merged " + f.revoked().size() + " ids");
            }
            o.save(f);
        }

        System.out.printf(Locale.ROOT, "ids: %d, directory: %s, load average before/after: see uptime%n", ids, dir);
        System.out.printf(Locale.ROOT, "sync:        cold %.1f ms; warm median %.1f ms wall (min %.1f, max %.1f), %.1f ms CPU, over %d runs%n",
                syncs.get(0), median(rest(syncs)), min(rest(syncs)), max(rest(syncs)), median(rest(syncCpu)), warm);
        System.out.printf(Locale.ROOT, "file size:   %d bytes = %.1f KiB%n", size, size / 1024.0);
        System.out.printf(Locale.ROOT, "open+merge:  cold %.1f ms; warm median %.1f ms wall (min %.1f, max %.1f), %.1f ms CPU, over %d runs%n",
                merges.get(0), median(rest(merges)), min(rest(merges)), max(rest(merges)), median(rest(mergeCpu)), warm);
        System.out.printf(Locale.ROOT, "one revoke journaled and fsynced: p50 %.3f ms, p99 %.3f ms, max %.3f ms over %d revokes%n",
                appends[samples / 2], appends[(int) (samples * 0.99)], appends[samples - 1], samples);
        if (args.length == 0) {
            TempDirs.delete(dir);
        }
    }

    private static WorkerState fresh() {
        return new WorkerState(new RevokedSet(RevokedSet.DEFAULT_MAXLEN, Duration.ofSeconds(10_800), Clock.systemUTC()),
                new LamportClock());
    }

    private static List<Double> rest(List<Double> xs) {
        return xs.subList(1, xs.size());
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
