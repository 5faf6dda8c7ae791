package io.celeriac.backend.jdbc.bench;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A benchmark to run on purpose, not a test: single-thread {@code store_result} and {@code get_task_meta}
 * operations per second on PostgreSQL and SQLite, the wake-up latency of a PostgreSQL wait (p50/p99), and,
 * as the machine's yardstick, {@code pgbench -M prepared -c 1 -n} running the same upsert and the same
 * select against the same table, on a scratch database it creates and drops.
 *
 * <p>Run from the repository root:
 * <pre>
 * ./mvnw -q -pl backend-jdbc -am test-compile dependency:build-classpath -Dmdep.outputFile=$PWD/target-cp.txt -Dmdep.includeScope=test
 * java -cp backend-jdbc/target/test-classes:backend-jdbc/target/classes:$(cat target-cp.txt) io.celeriac.backend.jdbc.bench.JdbcBenchmark [seconds [nosync]]
 * </pre>
 * With {@code nosync}, both celeriac and pgbench run with {@code synchronous_commit=off}, which removes the
 * disk's fsync (noisy on a shared machine) from the write comparison.
 */
public final class JdbcBenchmark {

    private static final int ROUNDS = 5;
    private static String pgOptions;
    private static final double WARM_UP_SECONDS = 15;
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private JdbcBenchmark() {
    }

    /**
     * Runs the benchmark and prints the figures.
     *
     * @param args optionally the seconds each measurement runs (default 10)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        // "nosync": both sides run with synchronous_commit=off, which takes the disk's fsync (noisy on a shared
        // machine) out of the write comparison and leaves the statement's own cost
        boolean noSync = args.length > 1 && args[1].equals("nosync");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        PostgresTestServer pg = TestServices.postgres();
        String db = pg.createDatabase();
        Path tmp = Files.createTempDirectory("celeriac-bench");
        try {
            Celeriac celeriac = Celeriac.discover();
            System.out.printf("machine: %d cores, load average %.1f, Java %s, PostgreSQL at %s:%d, %d s per measurement%s%n",
                    Runtime.getRuntime().availableProcessors(), java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage(), System.getProperty("java.version"), pg.host(), pg.port(), seconds,
                    noSync ? ", synchronous_commit=off on both sides" : "");
            String pgUrl = pg.celeryUrl(db) + (noSync ? "?options=-c+synchronous_commit%3Doff" : "");
            pgOptions = noSync ? "-c synchronous_commit=off" : null;

            try (Backend b = celeriac.openBackend(pgUrl, BackendOptions.defaults())) {
                List<String> ids = populate(b, "sel-", 20_000);
                Runnable store = storer(b);
                Runnable get = getter(b, ids);
                run(WARM_UP_SECONDS, store); // the JIT needs a while on a small, busy machine
                run(WARM_UP_SECONDS, get);
                // interleaved rounds, so that a neighbour's load hits both sides alike
                List<double[]> rounds = new ArrayList<>();
                for (int r = 0; r < ROUNDS; r++) {
                    double js = run(seconds, store);
                    double ps = pgbench(pg, db, tmp, "upsert.sql", UPSERT, seconds);
                    double jg = run(seconds, get);
                    double pgs = pgbench(pg, db, tmp, "select.sql", SELECT, seconds);
                    rounds.add(new double[]{js, ps, jg, pgs});
                    System.out.printf("round %d: store %.0f ops/s vs pgbench upsert %.0f tps (%.2f); get %.0f ops/s vs pgbench select %.0f tps (%.2f)%n",
                            r + 1, js, ps, js / ps, jg, pgs, jg / pgs);
                }
                double[] med = new double[6];
                for (int k = 0; k < 6; k++) {
                    List<Double> v = new ArrayList<>();
                    for (double[] r : rounds) {
                        v.add(k < 4 ? r[k] : k == 4 ? r[0] / r[1] : r[2] / r[3]);
                    }
                    Collections.sort(v);
                    med[k] = v.get(v.size() / 2);
                }
                System.out.printf("PostgreSQL  store_result   %8.0f ops/s   pgbench same upsert %8.0f tps   median ratio per round %.2f (%d rounds)%n",
                        med[0], med[1], med[4], ROUNDS);
                System.out.printf("PostgreSQL  get_task_meta  %8.0f ops/s   pgbench same select %8.0f tps   median ratio per round %.2f%n",
                        med[2], med[3], med[5]);
                try (Backend waiter = celeriac.openBackend(pgUrl, BackendOptions.defaults())) {
                    latency(waiter, b, 1000);
                }
            }

            String sqlite = "db+sqlite:///" + tmp.resolve("bench.sqlite").toAbsolutePath();
            try (Backend b = celeriac.openBackend(sqlite, BackendOptions.defaults())) {
                List<String> ids = populate(b, "sel-", 20_000);
                Runnable store = storer(b);
                Runnable get = getter(b, ids);
                run(WARM_UP_SECONDS, store);
                run(WARM_UP_SECONDS, get);
                System.out.printf("SQLite      store_result   %8.0f ops/s (WAL, synchronous=normal)%n", run(seconds, store));
                System.out.printf("SQLite      get_task_meta  %8.0f ops/s%n", run(seconds, get));
            }
        } finally {
            pg.dropDatabase(db);
            try (var files = Files.walk(tmp)) {
                for (Path p : files.sorted(Collections.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static List<String> populate(Backend b, String prefix, int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            String id = prefix + i;
            ids.add(id);
        }
        // many rows quickly: several threads
        ids.parallelStream().forEach(id -> b.storeResult(id, 42L, TaskState.SUCCESS));
        return ids;
    }

    /** Stores results of new tasks; the ids are made cheaply, so that only store_result is measured. */
    private static Runnable storer(Backend b) {
        String run = UUID.randomUUID().toString();
        long[] n = {0};
        return () -> b.storeResult(run + "-" + n[0]++, 42L, TaskState.SUCCESS);
    }

    private static Runnable getter(Backend b, List<String> ids) {
        return () -> {
            TaskMeta m = b.getTaskMeta(ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
            if (!m.status().equals(TaskState.SUCCESS)) {
                throw new IllegalStateException("not found");
            }
        };
    }

    private static double run(double seconds, Runnable op) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long n = 0;
        while (System.nanoTime() < end) {
            op.run();
            n++;
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static void latency(Backend waiter, Backend writer, int n) throws Exception {
        List<Long> afterCommit = new ArrayList<>(n);
        List<Long> endToEnd = new ArrayList<>(n);
        for (int i = 0; i < n + 50; i++) {
            String id = "lat-" + UUID.randomUUID();
            CompletableFuture<TaskMeta> f = waiter.waitForAsync(id);
            long[] woke = new long[1];
            CompletableFuture<Void> timed = f.thenRun(() -> woke[0] = System.nanoTime());
            if (i == 0) {
                Thread.sleep(500); // the first wait starts the listener
            }
            long start = System.nanoTime();
            writer.storeResult(id, Map.of("i", (long) i), TaskState.SUCCESS);
            long committed = System.nanoTime();
            timed.get(30, TimeUnit.SECONDS);
            if (i >= 50) {
                afterCommit.add(Math.max(0, woke[0] - committed));
                endToEnd.add(woke[0] - start);
            }
        }
        Collections.sort(afterCommit);
        Collections.sort(endToEnd);
        System.out.printf("PostgreSQL  wait wake-up (another backend's commit -> waiter)  p50 %.2f ms  p99 %.2f ms  (%d waits)%n",
                afterCommit.get(n / 2) / 1e6, afterCommit.get(n * 99 / 100) / 1e6, n);
        System.out.printf("PostgreSQL  wait end to end (store call -> waiter, incl. commit) p50 %.2f ms  p99 %.2f ms%n",
                endToEnd.get(n / 2) / 1e6, endToEnd.get(n * 99 / 100) / 1e6);
    }

    /** The statement celeriac's store_result runs on PostgreSQL (trigger installed), for a new task id. */
    static final String UPSERT = "\\set n random(1, 1000000000)\n"
            + "INSERT INTO celery_taskmeta AS t (id, task_id, status, result, date_done, traceback) VALUES "
            + "(COALESCE((SELECT id FROM celery_taskmeta WHERE task_id = 'pgb-' || :n), nextval('task_id_sequence')), "
            + "'pgb-' || :n, 'SUCCESS', '\\x80044b2a2e'::bytea, now() AT TIME ZONE 'utc', NULL) "
            + "ON CONFLICT (task_id) DO UPDATE SET status = excluded.status, result = excluded.result, "
            + "date_done = excluded.date_done, traceback = excluded.traceback WHERE t.status IS DISTINCT FROM 'SUCCESS';\n";

    /** The statement celeriac's get_task_meta runs, for an existing task id. */
    static final String SELECT = "\\set n random(1, 20000)\n"
            + "SELECT task_id, status, result, date_done, traceback, name, args, kwargs, worker, retries, queue "
            + "FROM celery_taskmeta WHERE task_id = 'sel-' || :n;\n";

    private static double pgbench(PostgresTestServer pg, String db, Path dir, String name, String script, int seconds)
            throws IOException, InterruptedException {
        Path f = dir.resolve(name);
        Files.writeString(f, script, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of("pgbench", "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(),
                "-M", "prepared", "-c", "1", "-T", Integer.toString(seconds), "-n", "-f", f.toString(), db));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (pg.password() != null) {
            pb.environment().put("PGPASSWORD", pg.password());
        }
        if (pgOptions != null) {
            pb.environment().put("PGOPTIONS", pgOptions);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("pgbench failed:\n" + out);
        }
        Matcher m = TPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no tps in pgbench's output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }
}
