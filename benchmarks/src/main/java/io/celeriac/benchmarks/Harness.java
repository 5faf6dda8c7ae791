package io.celeriac.benchmarks;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.events.Event;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.state.internal.MemoryEventState;
import io.celeriac.state.LamportClock;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStore;
import io.celeriac.state.WorkerState;
import io.celeriac.statedb.file.FileStateStoreConfig;
import io.celeriac.statedb.file.FileStateStoreProvider;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The side-by-side load harness: celeriac against real servers on loopback, next to {@code redis-benchmark},
 * {@code pgbench}, RabbitMQ's PerfTest, Python Celery and kombu doing the same operations in the same run, printed
 * as one table with median, spread and ratios, and the targets met or missed. Run it with
 * {@code ./benchmarks/run.sh} (see {@link Options#USAGE} for the options).
 *
 * <p>It leases a Redis database (and uses a key prefix in it), works in its own PostgreSQL schema, in its own
 * RabbitMQ queues and in temporary files, and removes all of them at the end, also when a section fails.
 */
public final class Harness {

    private static final int[] THREADS = {1, 4, 16};
    private static final int GET_IDS = 20_000;
    private static final int MANY = 10_000;
    private static final int REVOKED = 50_000;
    /** The PostgreSQL database the harness makes its schema in. */
    private static final String PG_DATABASE = "test";

    private final Options options;
    private final Table table = new Table();
    private final Path tmp;
    private final CeleryReference celery;
    private final KombuReference kombu;
    private final Celeriac celeriac = Celeriac.discover();

    private Harness(Options options, Path tmp, CeleryReference celery, KombuReference kombu) {
        this.options = options;
        this.tmp = tmp;
        this.celery = celery;
        this.kombu = kombu;
    }

    /**
     * Runs the harness and prints the table.
     *
     * @param args see {@link Options#USAGE}
     * @throws Exception when a server or tool is missing or an operation fails
     */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path tmp = Files.createTempDirectory("celeriac-harness-");
        long start = System.nanoTime();
        try {
            boolean brokers = options.runs("broker-redis") || options.runs("broker-amqp");
            CeleryReference celery = options.celery() ? CeleryReference.find(tmp) : null;
            KombuReference kombu = options.celery() && brokers ? KombuReference.find(tmp) : null;
            Harness h = new Harness(options, tmp, celery, kombu);
            System.out.println(machine());
            System.out.printf(Locale.ROOT, "%d run(s), %.1f s per throughput figure, %d waits per latency figure, Python Celery: %s%s%n",
                    options.runs(), options.seconds(), options.waits(),
                    celery != null ? "yes" : options.celery() ? "not installed (" + CeleryReference.PYTHON + " -c 'import celery' fails)" : "skipped",
                    !brokers ? "" : ", kombu: " + (kombu != null ? "yes" : options.celery()
                            ? "not installed (" + CeleryReference.PYTHON + " -c 'import kombu' fails; the broker rows have no kombu figures)" : "skipped"));
            h.runSections();
            String md = h.table.toMarkdown();
            System.out.println();
            System.out.print(md);
            System.out.printf(Locale.ROOT, "%ntotal time %.0f s%n", (System.nanoTime() - start) / 1e9);
            if (options.markdown() != null) {
                Files.writeString(options.markdown(), md, StandardCharsets.UTF_8);
            }
        } finally {
            deleteTree(tmp);
        }
    }

    /** @return one line describing the machine and the software measured */
    static String machine() {
        return String.format(Locale.ROOT, "machine: %d cores, %.1f GiB RAM, load average %.2f, Java %s (%s), max heap %d MiB",
                Runtime.getRuntime().availableProcessors(),
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() / 1073741824.0,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() / 1048576);
    }

    private void runSections() throws Exception {
        if (options.runs("redis")) {
            redis();
        }
        if (options.runs("postgres")) {
            postgres();
        }
        if (options.runs("sqlite")) {
            sqlite();
        }
        if (options.runs("events")) {
            events();
        }
        if (options.runs("statedb")) {
            statedb();
        }
        if (options.runs("broker-redis") || options.runs("broker-amqp")) {
            BrokerBench brokers = new BrokerBench(options, table, celeriac, kombu, BrokerBench.findPerfTest());
            if (options.runs("broker-redis")) {
                brokers.redis();
            }
            if (options.runs("broker-amqp")) {
                brokers.amqp();
            }
        }
        if (options.runs("monitor")) {
            new MonitorBench(options, table, celeriac).run();
        }
        if (options.runs("client-redis") || options.runs("client-amqp")) {
            ClientBench clients = new ClientBench(options, table, celeriac, celery);
            if (options.runs("client-redis")) {
                clients.redis();
            }
            if (options.runs("client-amqp")) {
                clients.amqp();
            }
        }
        if (options.runs("worker-redis") || options.runs("worker-amqp")) {
            WorkerBench workers = new WorkerBench(options, table, celeriac, celery, tmp);
            if (options.runs("worker-redis")) {
                workers.redis();
            }
            if (options.runs("worker-amqp")) {
                workers.amqp();
            }
        }
    }

    static void progress(String what) {
        System.out.printf(Locale.ROOT, "[%tT] %s%n", System.currentTimeMillis(), what);
    }

    // ---------------------------------------------------------------------------------------------- Redis

    private void redis() throws Exception {
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase()) {
            String prefix = "celeriac-bench-" + UUID.randomUUID().toString().substring(0, 8) + ":";
            String url = lease.url() + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
            progress("Redis: database " + lease.db() + " at " + server.host() + ":" + server.port());
            try (Backend b = celeriac.openBackend(url, BackendOptions.defaults());
                 Backend waiter = celeriac.openBackend(url, BackendOptions.defaults())) {
                Measured m = throughputs(b, "redis");
                int c1 = (int) Math.max(10_000, 25_000 * options.seconds());
                int c16 = (int) Math.max(20_000, 60_000 * options.seconds());
                List<double[]> yard1 = new ArrayList<>();
                List<double[]> yard16 = new ArrayList<>();
                List<double[]> raw = new ArrayList<>();
                List<Map<String, Object>> py = new ArrayList<>();
                for (int r = 0; r < options.runs(); r++) {
                    progress("Redis run " + (r + 1) + ": redis-benchmark -c 1 and -c 16, bare Jedis, celeriac at 1, 4, 16 threads");
                    yard1.add(Yardsticks.redisBenchmark(server, lease.db(), 1, c1));
                    raw.add(Yardsticks.rawJedis(server, lease.db(), prefix + "raw-jedis:", options.seconds(), GET_IDS));
                    m.run(r);
                    yard16.add(Yardsticks.redisBenchmark(server, lease.db(), 16, c16));
                    m.getMany(r);
                    m.waits(waiter, r);
                    if (celery != null) {
                        py.add(celery.run(600, "backend", lease.url(), Double.toString(options.seconds()), "py" + r + "-"));
                    }
                }
                m.rows("Redis", "redis-benchmark", yard1, yard16, py, 0.75, 0.75, 0.6, 5.0);
                m.clientRows("Redis", raw);
            }
            server.deleteKeys(lease.db(), prefix);
        }
    }

    // ---------------------------------------------------------------------------------------- PostgreSQL

    private void postgres() throws Exception {
        PostgresTestServer pg = TestServices.postgres();
        String schema = "celeriac_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        sql(pg, "CREATE SCHEMA " + schema);
        progress("PostgreSQL: schema " + schema + " in database " + PG_DATABASE + " at " + pg.host() + ":" + pg.port());
        try {
            BackendOptions bo = BackendOptions.builder().property(JdbcBackendConfig.TASK_SCHEMA, schema)
                    .property(JdbcBackendConfig.GROUP_SCHEMA, schema).property(JdbcConnectionConfig.POOL_SIZE, "16").build();
            String url = pg.celeryUrl(PG_DATABASE);
            try (Backend b = celeriac.openBackend(url, bo); Backend waiter = celeriac.openBackend(url, bo)) {
                Measured m = throughputs(b, "postgres");
                String upsert = upsertScript(pg, schema);
                String select = "\\set n random(0, " + (GET_IDS - 1) + ")\n"
                        + "SELECT task_id, status, result, date_done, traceback, name, args, kwargs, worker, retries, queue "
                        + "FROM celery_taskmeta WHERE task_id = 'get-' || :n;\n";
                int secs = (int) Math.max(1, Math.round(options.seconds()));
                List<double[]> yard1 = new ArrayList<>();
                List<double[]> yard16 = new ArrayList<>();
                List<Map<String, Object>> py = new ArrayList<>();
                for (int r = 0; r < options.runs(); r++) {
                    progress("PostgreSQL run " + (r + 1) + ": pgbench -c 1 and -c 16, celeriac at 1, 4, 16 threads");
                    yard1.add(new double[] {Yardsticks.pgbench(pg, PG_DATABASE, schema, tmp, "upsert.sql", upsert, 1, secs),
                        Yardsticks.pgbench(pg, PG_DATABASE, schema, tmp, "select.sql", select, 1, secs)});
                    m.run(r);
                    yard16.add(new double[] {Yardsticks.pgbench(pg, PG_DATABASE, schema, tmp, "upsert.sql", upsert, 16, secs),
                        Yardsticks.pgbench(pg, PG_DATABASE, schema, tmp, "select.sql", select, 16, secs)});
                    m.getMany(r);
                    m.waits(waiter, r);
                    if (celery != null) {
                        py.add(celery.run(600, "backend", url, Double.toString(options.seconds()), "py" + r + "-", schema));
                    }
                }
                m.rows("PostgreSQL", "pgbench", yard1, yard16, py, 0.7, 0.7, null, 10.0);
            }
        } finally {
            sql(pg, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static void sql(PostgresTestServer pg, String statement) throws java.sql.SQLException {
        try (Connection c = pg.connect(PG_DATABASE); java.sql.Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    /**
     * The statement celeriac's {@code store_result} runs on PostgreSQL (the notify trigger installed), for a
     * new task id, with the very bytes celeriac stored in the {@code result} column.
     */
    private static String upsertScript(PostgresTestServer pg, String schema) throws Exception {
        byte[] result;
        try (Connection c = pg.connect(PG_DATABASE);
             PreparedStatement st = c.prepareStatement("SELECT result FROM " + schema + ".celery_taskmeta WHERE task_id = 'get-0'")) {
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the populated result is missing");
                }
                result = rs.getBytes(1);
            }
        }
        return "\\set n random(1, 1000000000)\n"
                + "INSERT INTO celery_taskmeta AS t (id, task_id, status, result, date_done, traceback) VALUES "
                + "(COALESCE((SELECT id FROM celery_taskmeta WHERE task_id = 'pgb-' || :n), nextval('task_id_sequence')), "
                + "'pgb-' || :n, 'SUCCESS', '\\x" + HexFormat.of().formatHex(result) + "'::bytea, now() AT TIME ZONE 'utc', NULL) "
                + "ON CONFLICT (task_id) DO UPDATE SET status = excluded.status, result = excluded.result, "
                + "date_done = excluded.date_done, traceback = excluded.traceback WHERE t.status IS DISTINCT FROM 'SUCCESS';\n";
    }

    // -------------------------------------------------------------------------------------------- SQLite

    private void sqlite() throws Exception {
        Path file = tmp.resolve("bench.sqlite");
        progress("SQLite: " + file);
        String url = "db+sqlite:///" + file.toAbsolutePath();
        try (Backend b = celeriac.openBackend(url, BackendOptions.defaults())) {
            Measured m = throughputs(b, "sqlite");
            List<Map<String, Object>> py = new ArrayList<>();
            for (int r = 0; r < options.runs(); r++) {
                progress("SQLite run " + (r + 1) + ": celeriac at 1, 4, 16 threads");
                m.run(r);
                m.getMany(r);
                if (celery != null) {
                    py.add(celery.run(600, "backend", "db+sqlite:///" + tmp.resolve("celery.sqlite").toAbsolutePath(),
                            Double.toString(options.seconds()), "py" + r + "-"));
                }
            }
            m.rows("SQLite", null, null, null, py, null, null, null, null);
        }
    }

    // ----------------------------------------------------------------------------------- backend figures

    private Measured throughputs(Backend b, String name) throws InterruptedException {
        progress(name + ": storing " + GET_IDS + " + " + MANY + " results to read, warming up");
        List<String> ids = Load.populate(b, "get-", GET_IDS);
        List<String> many = Load.populate(b, "many-", MANY);
        Measured m = new Measured(b, ids, many);
        double warm = Math.max(1, options.seconds() * 2);
        Load.throughput(4, warm, Load.store(b, "warm-"));
        Load.throughput(4, warm, Load.get(b, ids));
        return m;
    }

    /** The figures of one backend over the runs. */
    private final class Measured {
        private final Backend backend;
        private final List<String> ids;
        private final List<String> many;
        private final double[][] store = new double[THREADS.length][options.runs()];
        private final double[][] get = new double[THREADS.length][options.runs()];
        private final double[][] cpu = new double[2][options.runs()];
        private final double[] getMany = new double[options.runs()];
        private final double[][] wait = new double[4][options.runs()];

        Measured(Backend backend, List<String> ids, List<String> many) {
            this.backend = backend;
            this.ids = ids;
            this.many = many;
        }

        void run(int r) throws InterruptedException {
            for (int t = 0; t < THREADS.length; t++) {
                double[] s = Load.measure(THREADS[t], options.seconds(), Load.store(backend, "r" + r + "-" + THREADS[t] + "-"));
                double[] g = Load.measure(THREADS[t], options.seconds(), Load.get(backend, ids));
                store[t][r] = s[0];
                get[t][r] = g[0];
                if (THREADS[t] == 1) {
                    cpu[0][r] = s[1];
                    cpu[1][r] = g[1];
                }
            }
        }

        void getMany(int r) {
            double[] ms = new double[3];
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                Map<String, TaskMeta> got = backend.getMany(many);
                ms[i] = (System.nanoTime() - t0) / 1e6;
                if (got.size() != MANY) {
                    throw new IllegalStateException("get_many returned " + got.size() + " of " + MANY);
                }
            }
            getMany[r] = Stats.of(ms).median();
        }

        void waits(Backend waiter, int r) throws Exception {
            double[][] ms = Load.wakeUps(waiter, backend, "r" + r + "-", options.waits());
            Stats s = Stats.of(ms[0]);
            wait[0][r] = s.median();
            wait[1][r] = s.percentile(99);
            wait[2][r] = s.max();
            wait[3][r] = Stats.of(ms[1]).percentile(99);
        }

        /**
         * Adds the rows that set celeriac's single-thread store and read beside the bare client's SETEX and GET
         * measured in the same run ({@code raw}: per run {SETEX, GET} ops/s), so what celeriac adds shows apart
         * from the machine's speed.
         */
        void clientRows(String name, List<double[]> raw) {
            String[] op = {"store_result", "get_task_meta"};
            String[] rawOp = {"bare Jedis SETEX, 1 thread", "bare Jedis GET, 1 thread"};
            int one = Arrays.binarySearch(THREADS, 1);
            for (int k = 0; k < 2; k++) {
                double[][] fig = k == 0 ? store : get;
                int kk = k;
                double[] y = raw.stream().mapToDouble(a -> a[kk]).toArray();
                double[] ratio = new double[y.length];
                for (int r = 0; r < y.length; r++) {
                    ratio[r] = fig[one][r] / y[r];
                }
                table.add(new Row(name + " " + op[k] + ", 1 thread, against the bare client", "ops/s", Stats.of(fig[one]),
                        rawOp[k], Stats.of(y), Stats.of(ratio), null, null, null));
            }
        }

        /**
         * Adds the rows. yard1/yard16: per run {store yardstick, get yardstick} at 1 and 16 clients;
         * py: Celery's figures per run.
         */
        void rows(String name, String yardName, List<double[]> yard1, List<double[]> yard16, List<Map<String, Object>> py,
                  Double storeTarget1, Double getTarget1, Double target16, Double waitP99Target) {
            String[] op = {"store_result", "get_task_meta"};
            String[] yardOp = "redis-benchmark".equals(yardName) ? new String[] {"SET", "GET"}
                    : new String[] {"same upsert", "same select"};
            String[] pyKey = {"store", "get"};
            for (int k = 0; k < 2; k++) {
                double[][] fig = k == 0 ? store : get;
                for (int t = 0; t < THREADS.length; t++) {
                    String figure = name + " " + op[k] + ", " + THREADS[t] + (THREADS[t] == 1 ? " thread" : " threads");
                    Row row = Row.plain(figure, "ops/s", Stats.of(fig[t]));
                    List<double[]> yard = THREADS[t] == 1 ? yard1 : THREADS[t] == 16 ? yard16 : null;
                    if (yardName != null && yard != null) {
                        int kk = k;
                        double[] y = yard.stream().mapToDouble(a -> a[kk]).toArray();
                        double[] ratio = new double[y.length];
                        for (int r = 0; r < y.length; r++) {
                            ratio[r] = fig[t][r] / y[r];
                        }
                        Stats ratios = Stats.of(ratio);
                        row = new Row(figure, "ops/s", Stats.of(fig[t]), yardName + " -c " + THREADS[t] + " " + yardOp[k],
                                Stats.of(y), ratios, null, null, null);
                        Double target = THREADS[t] == 1 ? (k == 0 ? storeTarget1 : getTarget1) : target16;
                        if (target != null) {
                            row = row.withTarget("≥" + target + "× " + yardName + " -c " + THREADS[t], ratios.median() >= target);
                        }
                    }
                    if (THREADS[t] == 1) {
                        String key = pyKey[k];
                        row = row.withCelery(celeryStats(py, m -> m.get(key)));
                    }
                    table.add(row);
                }
            }
            table.add(Row.plain(name + " store_result client CPU per op, 1 thread", "µs", Stats.of(cpu[0])));
            table.add(Row.plain(name + " get_task_meta client CPU per op, 1 thread", "µs", Stats.of(cpu[1])));
            Row many = Row.plain(name + " get_many of " + String.format(Locale.ROOT, "%,d", MANY) + " ready ids", "ms", Stats.of(getMany))
                    .withCelery(celeryStats(py, m -> m.get("get_many_ms")));
            table.add(many.withTarget("≤25 ms", many.celeriac().median() <= 25));
            if (waitP99Target != null) {
                String[] label = {"wake-up p50 (store returned → waiter woke, " + options.waits() + " waits)", "wake-up p99", "wake-up max",
                    "end to end p99 (store called → waiter woke, write included)"};
                for (int i = 0; i < label.length; i++) {
                    Row w = Row.plain(name + " wait " + label[i], "ms", Stats.of(wait[i]));
                    if (i == 1) {
                        w = w.withTarget("≤" + waitP99Target.intValue() + " ms", w.celeriac().median() <= waitP99Target);
                    }
                    table.add(w);
                }
            }
        }
    }

    /** Celery's figure from each run's output, or {@code null} when it was not measured. */
    static Stats celeryStats(List<Map<String, Object>> py, Function<Map<String, Object>, Object> key) {
        List<Double> v = new ArrayList<>();
        for (Map<String, Object> m : py) {
            Object o = key.apply(m);
            if (o instanceof Number n) {
                v.add(n.doubleValue());
            }
        }
        return v.isEmpty() ? null : Stats.of(v);
    }

    // -------------------------------------------------------------------------------------- EventState

    private void events() throws Exception {
        progress("EventState: generating " + String.format(Locale.ROOT, "%,d", SyntheticEvents.EVENTS) + " events");
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long baseline = usedAfterGc(mem);
        List<Event> events = SyntheticEvents.generate(42);
        Map<String, Object> py = null;
        if (celery != null) {
            Path jsonl = tmp.resolve("events.jsonl");
            SyntheticEvents.writeJsonl(events, jsonl);
            progress("EventState: Python Celery's State on the same stream");
            py = celery.run(900, "state", jsonl.toString(), "1");
            Files.delete(jsonl);
        }
        double[] rates = new double[options.runs()];
        MemoryEventState kept = null;
        for (int r = -2; r < options.runs(); r++) { // runs -2 and -1 warm the JIT up
            MemoryEventState state = new MemoryEventState(EventStateOptions.defaults());
            long t0 = System.nanoTime();
            for (Event e : events) {
                state.event(e);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (r >= 0) {
                rates[r] = events.size() / secs;
                progress(String.format(Locale.ROOT, "EventState run %d: %,.0f events/s", r + 1, rates[r]));
            }
            if (kept != null) {
                kept.close();
            }
            kept = state;
        }
        events = null; // only the state is left for the heap figure
        long used = usedAfterGc(mem);
        Row row = Row.plain("EventState, 1,000,000 events (10 workers, 50,000 tasks)", "events/s", Stats.of(rates));
        if (py != null) {
            @SuppressWarnings("unchecked")
            List<Number> pr = (List<Number>) py.get("events_per_s");
            row = row.withCelery(Stats.of(pr));
            row = row.withTarget("≥25× Celery", row.celeryRatio() >= 25);
        } else {
            row = row.withTarget("≥25× Celery", null);
        }
        table.add(row);
        table.add(Row.plain("EventState heap after (default limits: " + kept.tasks().size() + " tasks, "
                + kept.workers().size() + " workers kept)", "MiB", Stats.of((used - baseline) / 1048576.0)));
        kept.close();
    }

    /** @return the heap in use after three {@code System.gc()} calls 100 ms apart */
    static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    // ---------------------------------------------------------------------------------------- statedb

    private void statedb() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("statedb"));
        Path file = dir.resolve("worker.state");
        FileStateStoreConfig config = FileStateStoreConfig.builder(file).shutdownHook(false).build();
        int samples = Math.max(5, options.runs() * 3);
        progress("statedb: journal appends");
        // one revoke journaled and fsynced, first, before the large writes load the disk
        int appends = Math.max(200, options.waits() * 2);
        double[] appendMs = new double[appends];
        WorkerState w = fresh();
        try (StateStore s = FileStateStoreProvider.open(config)) {
            s.merge(w);
            for (int i = 0; i < 200; i++) {
                w.revoked().add(UUID.randomUUID().toString());
            }
            for (int i = 0; i < appends; i++) {
                String id = UUID.randomUUID().toString();
                long t = System.nanoTime();
                w.revoked().add(id);
                appendMs[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        deleteTree(dir);
        Files.createDirectories(dir);

        progress("statedb: sync and open+merge of " + REVOKED + " revoked ids");
        WorkerState worker = fresh();
        for (int i = 0; i < REVOKED; i++) {
            worker.revoked().add(UUID.randomUUID().toString());
        }
        double[] syncs = new double[samples];
        long size;
        try (StateStore store = FileStateStoreProvider.open(config)) {
            store.merge(worker);
            for (int i = -3; i < samples; i++) {
                long t = System.nanoTime();
                store.sync(worker);
                if (i >= 0) {
                    syncs[i] = (System.nanoTime() - t) / 1e6;
                }
            }
            size = directorySize(dir);
            store.save(worker);
        }
        double[] merges = new double[samples];
        for (int i = -3; i < samples; i++) {
            WorkerState f = fresh();
            long t = System.nanoTime();
            try (StateStore o = FileStateStoreProvider.open(config)) {
                o.merge(f);
                if (i >= 0) {
                    merges[i] = (System.nanoTime() - t) / 1e6;
                }
                if (f.revoked().size() != REVOKED) {
                    throw new IllegalStateException("merged " + f.revoked().size() + " ids of " + REVOKED);
                }
                o.save(f);
            }
        }
        Map<String, Object> py = null;
        if (celery != null) {
            Path pyDir = Files.createDirectories(tmp.resolve("celery-statedb"));
            progress("statedb: Python Celery's Persistent");
            py = celery.run(600, "statedb", pyDir.toString(), Integer.toString(REVOKED), Integer.toString(samples));
        }
        Row sync = Row.plain("statedb sync of 50,000 revoked ids", "ms", Stats.of(syncs));
        Row merge = Row.plain("statedb open+merge of 50,000 revoked ids", "ms", Stats.of(merges));
        Row fileSize = Row.plain("statedb file size, 50,000 revoked ids", "KiB", Stats.of(size / 1024.0));
        if (py != null) {
            sync = sync.withCelery(numbers(py.get("sync_ms")));
            merge = merge.withCelery(numbers(py.get("merge_ms")));
            fileSize = fileSize.withCelery(Stats.of(((Number) py.get("size")).doubleValue() / 1024.0));
            sync = sync.withTarget("≤0.2× Celery", sync.celeryRatio() <= 0.2);
            merge = merge.withTarget("≤0.2× Celery", merge.celeryRatio() <= 0.2);
        }
        table.add(sync).add(merge).add(fileSize);
        Stats a = Stats.of(appendMs);
        table.add(Row.plain("statedb journal append (one revoke, fsynced) p50, " + appends + " revokes", "ms", Stats.of(a.median())));
        table.add(Row.plain("statedb journal append (one revoke, fsynced) p99", "ms", Stats.of(a.percentile(99))));
    }

    @SuppressWarnings("unchecked")
    private static Stats numbers(Object list) {
        return Stats.of((List<Number>) list);
    }

    private static WorkerState fresh() {
        return new WorkerState(new RevokedSet(RevokedSet.DEFAULT_MAXLEN, Duration.ofSeconds(10_800), Clock.systemUTC()),
                new LamportClock());
    }

    private static long directorySize(Path dir) throws IOException {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
        }
        return total;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
