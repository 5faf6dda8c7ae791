package io.celeriac.backend.jdbc.backend.internal;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A throwaway load probe, not a test of behaviour and never run by default: store and get throughput at 1, 4
 * and 16 threads, {@code pgbench -c 16} with one upsert per transaction for reference, and {@code get_many} of
 * 10,000 ready ids, first calls and warm, with where the time goes (statement and transfer, row decode, map).
 * Run with {@code -Dtest=LoadProbeTest -Dceleriac.probe=true} (add {@code -Dceleriac.probe.seconds=3}, or
 * {@code -Dprobe.manyOnly=true} for get_many alone).
 */
@EnabledIfSystemProperty(named = "celeriac.probe", matches = "true")
class LoadProbeTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final String RESULT = "x".repeat(48);
    private static final int GET_IDS = 20_000;
    private static final int MANY = 10_000;
    private static final double SECONDS = Double.parseDouble(System.getProperty("celeriac.probe.seconds", "3"));

    @TempDir
    Path dir;

    @Test
    void postgres() throws Exception {
        PostgresTestServer pg = TestServices.postgres();
        String schema = pg.createSchema();
        try {
            String url = pg.celeryUrl(pg.database());
            BackendOptions options = BackendOptions.builder().property(JdbcBackendConfig.TASK_SCHEMA, schema)
                    .property(JdbcBackendConfig.GROUP_SCHEMA, schema).build();
            try (Backend b = CELERIAC.openBackend(url, options)) {
                List<String> ids = populate(b);
                getManyFirstCalls("PostgreSQL", url, options, ids);
                getManyWarm("PostgreSQL (before the load)", b, ids);
                try (Backend off = CELERIAC.openBackend(url, options.toBuilder().property(JdbcBackendConfig.BATCHING, "false").build())) {
                    if (!Boolean.getBoolean("probe.manyOnly")) {
                    throughput("PostgreSQL", b, off, ids);
                }
                }
                if (!Boolean.getBoolean("probe.manyOnly")) {
                    pgbench(pg, schema);
                }
                split("PostgreSQL", (JdbcBackend) b, ids, () -> pg.connect(pg.database()));
                getManyWarm("PostgreSQL", b, ids);
            }
        } finally {
            pg.dropSchema(schema);
        }
    }

    @Test
    void sqlite() throws Exception {
        Path file = dir.resolve("probe.sqlite").toAbsolutePath();
        String url = "db+sqlite:///" + file;
        BackendOptions options = BackendOptions.defaults();
        try (Backend b = CELERIAC.openBackend(url, options)) {
            List<String> ids = populate(b);
            getManyFirstCalls("SQLite", url, options, ids);
            getManyWarm("SQLite (before the load)", b, ids);
            try (Backend off = CELERIAC.openBackend(url, BackendOptions.builder().property(JdbcBackendConfig.BATCHING, "false").build())) {
                if (!Boolean.getBoolean("probe.manyOnly")) {
                    throughput("SQLite", b, off, ids);
                }
            }
            split("SQLite", (JdbcBackend) b, ids, () -> DriverManager.getConnection("jdbc:sqlite:" + file));
            getManyWarm("SQLite", b, ids);
        }
    }

    private static List<String> populate(Backend b) {
        List<String> ids = new ArrayList<>(GET_IDS);
        for (int i = 0; i < GET_IDS; i++) {
            ids.add("get-" + i);
        }
        ids.parallelStream().forEach(id -> b.storeResult(id, RESULT, TaskState.SUCCESS));
        return ids;
    }

    private static void getManyFirstCalls(String name, String url, BackendOptions options, List<String> ids) {
        List<String> many = ids.subList(0, MANY);
        try (Backend fresh = CELERIAC.openBackend(url, options)) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                Map<String, TaskMeta> got = fresh.getMany(many);
                double ms = (System.nanoTime() - t0) / 1e6;
                check(got);
                sb.append(String.format(Locale.ROOT, " %.1f", ms));
            }
            System.out.println("PROBE " + name + " get_many 10,000 first 5 calls of a fresh backend (ms):" + sb);
        }
    }

    private static void getManyWarm(String name, Backend b, List<String> ids) {
        List<String> many = ids.subList(0, MANY);
        double[] ms = new double[30];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            check(b.getMany(many));
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "PROBE %s get_many 10,000 next 30 calls: first %.1f ms, median %.1f ms, min %.1f ms%n",
                name, ms[0], sorted[sorted.length / 2], sorted[0]);
    }

    private static void check(Map<String, TaskMeta> got) {
        if (got.size() != MANY || got.values().stream().anyMatch(m -> m.status() != TaskState.SUCCESS)) {
            throw new AssertionError("get_many read the wrong metas");
        }
    }

    private interface Connect {
        Connection open() throws Exception;
    }

    /** Where the time of get_many goes: statement and transfer with row reading, then the decode, then the map. */
    private static void split(String name, JdbcBackend b, List<String> ids, Connect connect) throws Exception {
        Dialect d = b.config().connection().database() == io.celeriac.backend.jdbc.JdbcConnectionConfig.Database.POSTGRESQL
                ? new PostgresDialect(b.config()) : new SqliteDialect(b.config());
        ResultCodec codec = new ResultCodec(b.config(), b.options().resultExpires());
        List<String> many = ids.subList(0, MANY);
        try (Connection c = connect.open()) {
            double[] sqlMs = new double[10];
            double[] decodeMs = new double[10];
            double[] mapMs = new double[10];
            for (int round = 0; round < 10; round++) {
                long t0 = System.nanoTime();
                List<TaskRow> rows = new ArrayList<>(MANY);
                for (int i = 0; i < MANY; i += 1000) {
                    rows.addAll(d.selectTasks(c, many.subList(i, i + 1000)));
                }
                long t1 = System.nanoTime();
                List<TaskMeta> metas = new ArrayList<>(rows.size());
                for (TaskRow r : rows) {
                    metas.add(codec.toMeta(r, r.taskId(), false));
                }
                long t2 = System.nanoTime();
                Map<String, TaskMeta> byId = new HashMap<>(MANY * 2);
                for (TaskMeta m : metas) {
                    byId.put(m.taskId(), m);
                }
                Map<String, TaskMeta> out = new LinkedHashMap<>(MANY * 2);
                for (String id : many) {
                    out.put(id, byId.get(id));
                }
                long t3 = System.nanoTime();
                sqlMs[round] = (t1 - t0) / 1e6;
                decodeMs[round] = (t2 - t1) / 1e6;
                mapMs[round] = (t3 - t2) / 1e6;
            }
            if (d instanceof PostgresDialect) {
                String table = b.config().taskTable().schema() + "." + b.config().taskTable().name();
                double[] serverMs = new double[10];
                for (int round = 0; round < 10; round++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < MANY; i += 1000) {
                        try (java.sql.PreparedStatement st = c.prepareStatement("SELECT count(status) FROM " + table
                                + " WHERE task_id = ANY(?)")) {
                            st.setArray(1, c.createArrayOf("varchar", many.subList(i, i + 1000).toArray()));
                            try (java.sql.ResultSet rs = st.executeQuery()) {
                                rs.next();
                            }
                        }
                    }
                    serverMs[round] = (System.nanoTime() - t0) / 1e6;
                }
                System.out.printf(Locale.ROOT, "PROBE %s get_many server only (the same lookups, a count sent back): first %.1f,"
                        + " median %.1f ms%n", name, serverMs[0], median(serverMs));
            }
            System.out.printf(Locale.ROOT, "PROBE %s get_many split, 10 chunks of 1000 on one connection (first / median of 10):"
                            + " statement+transfer+rows %.1f / %.1f ms, decode %.1f / %.1f ms, map %.1f / %.1f ms%n", name,
                    sqlMs[0], median(sqlMs), decodeMs[0], median(decodeMs), mapMs[0], median(mapMs));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void throughput(String name, Backend b, Backend off, List<String> ids) throws Exception {
        for (int threads : new int[]{1, 4, 16}) {
            for (Backend x : new Backend[]{off, b}) {
                String prefix = "st" + threads + "-" + System.nanoTime() + "-";
                double store = run(threads, (t, n) -> x.storeResult(prefix + t + "-" + n, RESULT, TaskState.SUCCESS));
                double get = run(threads, (t, n) -> x.getTaskMeta(ids.get(ThreadLocalRandom.current().nextInt(ids.size()))));
                System.out.printf(Locale.ROOT, "PROBE %s %2d threads, batching %-5s: store %,.0f ops/s, get %,.0f ops/s%n", name,
                        threads, x == b, store, get);
            }
        }
    }

    private interface Op {
        void run(int thread, long n);
    }

    private static double run(int threads, Op op) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        List<Thread> ts = new ArrayList<>();
        // a short warm-up, then the timed window
        for (int t = 0; t < threads; t++) {
            int thread = t;
            ts.add(new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    op.run(thread, n++);
                    done.increment();
                }
            }));
        }
        ts.forEach(Thread::start);
        Thread.sleep(500);
        long c0 = done.sum();
        long t0 = System.nanoTime();
        Thread.sleep((long) (SECONDS * 1000));
        long c1 = done.sum();
        long t1 = System.nanoTime();
        stop.set(true);
        for (Thread t : ts) {
            t.join();
        }
        return (c1 - c0) / ((t1 - t0) / 1e9);
    }

    private static void pgbench(PostgresTestServer pg, String schema) throws Exception {
        byte[] result;
        try (Connection c = pg.connect(pg.database());
             java.sql.PreparedStatement st = c.prepareStatement("SELECT result FROM " + schema + ".celery_taskmeta WHERE task_id = 'get-0'");
             java.sql.ResultSet rs = st.executeQuery()) {
            rs.next();
            result = rs.getBytes(1);
        }
        String script = "\\set n random(1, 1000000000)\n"
                + "INSERT INTO celery_taskmeta AS t (id, task_id, status, result, date_done, traceback) VALUES "
                + "(COALESCE((SELECT id FROM celery_taskmeta WHERE task_id = 'pgb-' || :n), nextval('task_id_sequence')), "
                + "'pgb-' || :n, 'SUCCESS', '\\x" + HexFormat.of().formatHex(result) + "'::bytea, now() AT TIME ZONE 'utc', NULL) "
                + "ON CONFLICT (task_id) DO UPDATE SET status = excluded.status, result = excluded.result, "
                + "date_done = excluded.date_done, traceback = excluded.traceback WHERE t.status IS DISTINCT FROM 'SUCCESS';\n";
        Path f = Files.createTempFile("upsert", ".sql");
        Files.writeString(f, script);
        for (int clients : new int[]{1, 16}) {
            ProcessBuilder p = new ProcessBuilder("pgbench", "-n", "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(),
                    "-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString((int) Math.max(1, Math.round(SECONDS))),
                    "-M", "prepared", "-f", f.toString(), pg.database());
            p.environment().put("PGOPTIONS", "-c search_path=" + schema);
            if (pg.password() != null) {
                p.environment().put("PGPASSWORD", pg.password());
            }
            p.redirectErrorStream(true);
            Process proc = p.start();
            String out = new String(proc.getInputStream().readAllBytes());
            proc.waitFor();
            String tps = out.lines().filter(l -> l.startsWith("tps")).findFirst().orElse(out);
            System.out.println("PROBE pgbench -c " + clients + " upsert: " + tps);
        }
        Files.delete(f);
    }
}
