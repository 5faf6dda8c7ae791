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
import java.util.HashMap;
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
 * <p>The result-backend sections, each figure measured in every run, its median and spread over the runs shown:
 * <ul>
 *   <li>Redis: {@code store_result} and {@code get_task_meta} at {@link #REDIS_THREADS} threads, each against
 *       {@code redis-benchmark -c N} (SET / GET, every client waiting for each reply) and against
 *       {@code redis-benchmark -c N -P 16} (what one Redis does here when the requests are pipelined), both at every N;
 *       the bare clients at the same N, as yardsticks of what each client can do here: Jedis with a pool of N
 *       connections and Lettuce with ONE connection shared by the threads (its automatic pipelining), both doing
 *       {@code SETEX} of the bytes celeriac stored, and {@code GET}; {@code storeResultAsync} and
 *       {@code getTaskMetaAsync} from one thread keeping {@link #IN_FLIGHT} calls in flight (a service on an
 *       event loop); wake-up latencies of a waiter.</li>
 *   <li>PostgreSQL: the same at {@link #DB_THREADS} threads against {@code pgbench -c N} running the very
 *       statements celeriac runs; wake-up latencies.</li>
 *   <li>SQLite: the same at {@link #DB_THREADS} threads.</li>
 *   <li>On each of them, {@code get_many} of 10,000 ready ids as a user first calls it: a new instance of the
 *       backend is opened in the warm harness, 10,000 results are stored through it and its first
 *       {@link #FIRST_CALLS} calls are timed (the target's figure); and again after the warm-up and the
 *       throughput runs.</li>
 * </ul>
 *
 * <p>It leases a Redis database (and uses a key prefix in it), works in its own PostgreSQL schema, in its own
 * RabbitMQ queues and in temporary files, and removes all of them at the end, also when a section fails.
 */
public final class Harness {

    /** The thread counts of the Redis figures (and of its yardsticks: {@code redis-benchmark -c N}, the bare clients). */
    static final int[] REDIS_THREADS = {1, 4, 16, 64};
    /** The thread counts of the PostgreSQL figures ({@code pgbench -c N} beside) and of SQLite's. */
    static final int[] DB_THREADS = {1, 4, 16};
    /** {@code redis-benchmark -P}: the requests each of its clients keeps in flight in the pipelined yardstick. */
    static final int PIPELINE = 16;
    /** The asynchronous calls one thread keeps in flight in the async figures. */
    static final int IN_FLIGHT = 64;
    /** How many get_many calls of a just-opened instance make the "first calls" figure. */
    static final int FIRST_CALLS = 3;
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
                Measured m = throughputs(b, "redis", REDIS_THREADS, () -> celeriac.openBackend(url, BackendOptions.defaults()));
                double ys = yardstickSeconds();
                Series plain = new Series("redis-benchmark -c %d", "SET", "GET", REDIS_THREADS.length, options.runs());
                Series piped = new Series("redis-benchmark -c %d -P " + PIPELINE, "SET", "GET", REDIS_THREADS.length, options.runs());
                Series jedis = new Series("bare Jedis (pool of %d)", "SETEX", "GET", REDIS_THREADS.length, options.runs());
                Series lettuce = new Series("bare Lettuce (1 shared connection)", "SETEX", "GET", REDIS_THREADS.length, options.runs());
                Map<String, Double> lastRate = new HashMap<>();
                List<Map<String, Object>> py = new ArrayList<>();
                try (Yardsticks.BareRedis bare = Yardsticks.bareRedis(server, lease.db(), prefix + "celery-task-meta-get-0",
                        prefix + "bare:", GET_IDS)) {
                    for (int r = 0; r < options.runs(); r++) {
                        progress("Redis run " + (r + 1) + ": redis-benchmark -c N, bare Jedis, celeriac, bare Lettuce, "
                                + "redis-benchmark -c N -P " + PIPELINE + ", async, at N = " + Arrays.toString(REDIS_THREADS));
                        redisBenchmarks(server, lease.db(), plain, 1, r, ys / 2, lastRate);
                        jedis.putAll(r, Yardsticks.jedisPooled(bare, REDIS_THREADS, ys, r == 0));
                        m.firstGetMany(r);
                        m.run(r);
                        lettuce.putAll(r, Yardsticks.lettuce(bare, REDIS_THREADS, ys, r == 0));
                        redisBenchmarks(server, lease.db(), piped, PIPELINE, r, ys / 2, lastRate);
                        m.async(r);
                        m.getMany(r);
                        m.waits(waiter, r);
                        if (celery != null) {
                            py.add(celery.run(600, "backend", lease.url(), Double.toString(options.seconds()), "py" + r + "-"));
                        }
                    }
                }
                Targets targets = (op, threads, versus) -> {
                    if (threads == 1 && versus == 0) {
                        return 0.75; // no worse than before the concurrency work (0.74-0.83x in RESULTS.md)
                    }
                    if (threads == 16) {
                        return versus == 0 ? 1.0 : 0.5;
                    }
                    return null;
                };
                m.rows("Redis", List.of(plain, piped), py, targets, 5.0);
                m.clientRows("Redis", jedis, lettuce, plain);
                m.asyncRows("Redis", plain);
            }
            server.deleteKeys(lease.db(), prefix);
        }
    }

    /**
     * The seconds of one bare client's figure in the Redis section: half a celeriac figure's, at least 0.5 s
     * ({@code redis-benchmark}'s tests are sized to half of that), so that the section stays short.
     */
    private double yardstickSeconds() {
        return Math.max(0.5, options.seconds() / 2);
    }

    /**
     * Runs {@code redis-benchmark} at every thread count, each test sized to take about {@code seconds} at the last
     * rate seen (or a guess).
     */
    private static void redisBenchmarks(RedisTestServer server, int db, Series into, int pipeline, int r, double seconds,
                                        Map<String, Double> lastRate) throws Exception {
        for (int t = 0; t < REDIS_THREADS.length; t++) {
            int c = REDIS_THREADS[t];
            String key = c + "/" + pipeline;
            double guess = (pipeline > 1 ? 150_000 : 15_000) * (c == 1 ? 1 : 3);
            double[] rps = Yardsticks.redisBenchmark(server, db, c, pipeline,
                    Yardsticks.requestsFor(lastRate.getOrDefault(key, guess), seconds, c));
            lastRate.put(key, (rps[0] + rps[1]) / 2);
            into.put(t, r, rps);
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
                Measured m = throughputs(b, "postgres", DB_THREADS, () -> celeriac.openBackend(url, bo));
                String upsert = upsertScript(pg, schema);
                String select = "\\set n random(0, " + (GET_IDS - 1) + ")\n"
                        + "SELECT task_id, status, result, date_done, traceback, name, args, kwargs, worker, retries, queue "
                        + "FROM celery_taskmeta WHERE task_id = 'get-' || :n;\n";
                int secs = (int) Math.max(1, Math.round(options.seconds()));
                Series pgbench = new Series("pgbench -c %d", "same upsert", "same select", DB_THREADS.length, options.runs());
                List<Map<String, Object>> py = new ArrayList<>();
                for (int r = 0; r < options.runs(); r++) {
                    progress("PostgreSQL run " + (r + 1) + ": pgbench -c N and celeriac at N = " + Arrays.toString(DB_THREADS));
                    m.firstGetMany(r);
                    for (int t = 0; t < DB_THREADS.length; t++) {
                        if (t == DB_THREADS.length / 2) {
                            m.run(r); // between the yardstick's figures, so that both see the same machine
                        }
                        pgbench.put(t, r, new double[] {
                            Yardsticks.pgbench(pg, PG_DATABASE, schema, tmp, "upsert.sql", upsert, DB_THREADS[t], secs),
                            Yardsticks.pgbench(pg, PG_DATABASE, schema, tmp, "select.sql", select, DB_THREADS[t], secs)});
                    }
                    m.getMany(r);
                    m.waits(waiter, r);
                    if (celery != null) {
                        py.add(celery.run(600, "backend", url, Double.toString(options.seconds()), "py" + r + "-", schema));
                    }
                }
                Targets targets = (op, threads, versus) -> {
                    if (threads == 1) {
                        return 0.7;
                    }
                    return threads == 16 && op == 0 ? 1.5 : null;
                };
                m.rows("PostgreSQL", List.of(pgbench), py, targets, 10.0);
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
            Measured m = throughputs(b, "sqlite", DB_THREADS, () -> celeriac.openBackend(url, BackendOptions.defaults()));
            List<Map<String, Object>> py = new ArrayList<>();
            for (int r = 0; r < options.runs(); r++) {
                progress("SQLite run " + (r + 1) + ": celeriac at " + Arrays.toString(DB_THREADS) + " threads");
                m.firstGetMany(r);
                m.run(r);
                m.getMany(r);
                if (celery != null) {
                    py.add(celery.run(600, "backend", "db+sqlite:///" + tmp.resolve("celery.sqlite").toAbsolutePath(),
                            Double.toString(options.seconds()), "py" + r + "-"));
                }
            }
            m.rows("SQLite", List.of(), py, (op, threads, versus) -> null, null);
        }
    }

    // ----------------------------------------------------------------------------------- backend figures

    private Measured throughputs(Backend b, String name, int[] threads, Opener opener) throws InterruptedException {
        progress(name + ": storing " + GET_IDS + " + " + MANY + " results to read, warming up");
        List<String> ids = Load.populate(b, "get-", GET_IDS);
        List<String> many = Load.populate(b, "many-", MANY);
        Measured m = new Measured(b, threads, ids, many, opener);
        double warm = Math.max(1, options.seconds() * 2);
        Load.throughput(4, warm, Load.store(b, "warm-"));
        Load.throughput(4, warm, Load.get(b, ids));
        return m;
    }

    /** Opens another instance of the backend measured. */
    @FunctionalInterface
    interface Opener {
        Backend open() throws Exception;
    }

    /** The target ratios of a backend's throughput rows. */
    @FunctionalInterface
    interface Targets {
        /**
         * The target of one row.
         *
         * @param op 0 for store_result, 1 for get_task_meta
         * @param threads the thread count
         * @param versus the index of the yardstick series the row is measured against
         * @return the least ratio to the yardstick, or {@code null} for no target
         */
        Double of(int op, int threads, int versus);
    }

    /**
     * A yardstick's figures over thread counts and runs: per operation (0: the store's counterpart, 1: the read's),
     * thread count index and run. Its name is a format taking the thread count ({@code "redis-benchmark -c %d"}).
     */
    static final class Series {
        final String name;
        final String[] ops;
        final double[][][] values;

        Series(String name, String storeOp, String getOp, int threadCounts, int runs) {
            this.name = name;
            this.ops = new String[] {storeOp, getOp};
            this.values = new double[2][threadCounts][runs];
        }

        /** Records run {@code r}'s figures at thread count index {@code t}: {store op, get op}. */
        void put(int t, int r, double[] pair) {
            values[0][t][r] = pair[0];
            values[1][t][r] = pair[1];
        }

        /** Records run {@code r}'s figures at every thread count: per index, {store op, get op}. */
        void putAll(int r, double[][] pairs) {
            for (int t = 0; t < pairs.length; t++) {
                put(t, r, pairs[t]);
            }
        }

        /** @return the name at {@code threads} */
        String name(int threads) {
            return String.format(Locale.ROOT, name, threads);
        }
    }

    /** Per run, {@code fig / yard}. */
    static Stats ratios(double[] fig, double[] yard) {
        double[] ratio = new double[fig.length];
        for (int r = 0; r < fig.length; r++) {
            ratio[r] = fig[r] / yard[r];
        }
        return Stats.of(ratio);
    }

    static String threads(int n) {
        return n + (n == 1 ? " thread" : " threads");
    }

    /** The figures of one backend over the runs. */
    private final class Measured {
        private final Backend backend;
        private final int[] threads;
        private final List<String> ids;
        private final List<String> many;
        private final Opener opener;
        /** [0: store_result, 1: get_task_meta][thread count index][run] */
        private final double[][][] ops;
        private final double[][] cpu = new double[2][options.runs()];
        private final double[][] async = new double[2][options.runs()];
        private final double[] getMany = new double[options.runs()];
        /** [0: the first call, 1: the mean of the first calls][run] */
        private final double[][] firstMany = new double[2][options.runs()];
        private final double[][] wait = new double[4][options.runs()];

        Measured(Backend backend, int[] threads, List<String> ids, List<String> many, Opener opener) {
            this.backend = backend;
            this.threads = threads.clone();
            this.ids = ids;
            this.many = many;
            this.opener = opener;
            this.ops = new double[2][threads.length][options.runs()];
        }

        void run(int r) throws InterruptedException {
            for (int t = 0; t < threads.length; t++) {
                double[] s = Load.measure(threads[t], options.seconds(), Load.store(backend, "r" + r + "-" + threads[t] + "-"));
                double[] g = Load.measure(threads[t], options.seconds(), Load.get(backend, ids));
                ops[0][t][r] = s[0];
                ops[1][t][r] = g[0];
                if (threads[t] == 1) {
                    cpu[0][r] = s[1];
                    cpu[1][r] = g[1];
                }
            }
        }

        /**
         * The asynchronous calls from ONE thread, {@link #IN_FLIGHT} in flight: storeResultAsync of fresh ids, then
         * getTaskMetaAsync of the stored ones.
         */
        void async(int r) throws InterruptedException {
            async[0][r] = Load.inFlight(IN_FLIGHT, options.seconds(), Load.storeAsync(backend, "async-" + r + "-"));
            async[1][r] = Load.inFlight(IN_FLIGHT, options.seconds(), Load.getAsync(backend, ids));
        }

        /**
         * get_many as a user first calls it: a new instance of the backend is opened, {@link #MANY} results are
         * stored through it, and its first {@link #FIRST_CALLS} get_many calls of them are timed.
         */
        void firstGetMany(int r) throws Exception {
            try (Backend fresh = opener.open()) {
                List<String> mine = Load.populate(fresh, "first-" + r + "-", MANY);
                double sum = 0;
                for (int i = 0; i < FIRST_CALLS; i++) {
                    double ms = timeGetMany(fresh, mine);
                    if (i == 0) {
                        firstMany[0][r] = ms;
                    }
                    sum += ms;
                }
                firstMany[1][r] = sum / FIRST_CALLS;
            }
        }

        /** get_many after the warm-up and the throughput runs: the median of 3 calls. */
        void getMany(int r) {
            double[] ms = new double[3];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = timeGetMany(backend, many);
            }
            getMany[r] = Stats.of(ms).median();
        }

        private static double timeGetMany(Backend b, List<String> ids) {
            long t0 = System.nanoTime();
            Map<String, TaskMeta> got = b.getMany(ids);
            double ms = (System.nanoTime() - t0) / 1e6;
            if (got.size() != ids.size()) {
                throw new IllegalStateException("get_many returned " + got.size() + " of " + ids.size());
            }
            return ms;
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
         * Adds the rows of the bare clients at every thread count against the non-pipelined yardstick, then
         * celeriac's single-thread store and read against bare Jedis on one thread, so that what celeriac adds shows
         * apart from the machine's speed, and what each client can do here shows beside the server's own tool.
         */
        void clientRows(String name, Series jedis, Series lettuce, Series yard) {
            String[] op = {"store_result", "get_task_meta"};
            for (Series client : List.of(jedis, lettuce)) {
                for (int k = 0; k < 2; k++) {
                    for (int t = 0; t < threads.length; t++) {
                        String figure = client.name(threads[t]) + " " + client.ops[k] + ", " + threads(threads[t]);
                        table.add(new Row(figure, "ops/s", Stats.of(client.values[k][t]),
                                yard.name(threads[t]) + " " + yard.ops[k], Stats.of(yard.values[k][t]),
                                ratios(client.values[k][t], yard.values[k][t]), null, null, null));
                    }
                }
            }
            int one = indexOf(1);
            for (int k = 0; k < 2; k++) {
                table.add(new Row(name + " " + op[k] + ", 1 thread, against the bare client", "ops/s", Stats.of(ops[k][one]),
                        jedis.name(1) + " " + jedis.ops[k] + ", 1 thread", Stats.of(jedis.values[k][one]),
                        ratios(ops[k][one], jedis.values[k][one]), null, null, null));
            }
        }

        /** Adds the rows of the asynchronous calls, against the yardstick with as many clients as calls in flight. */
        void asyncRows(String name, Series yard) {
            String[] op = {"storeResultAsync", "getTaskMetaAsync"};
            int t = indexOf(IN_FLIGHT);
            for (int k = 0; k < 2; k++) {
                String figure = name + " " + op[k] + ", 1 thread, " + IN_FLIGHT + " calls in flight";
                table.add(t < 0 ? Row.plain(figure, "ops/s", Stats.of(async[k]))
                        : new Row(figure, "ops/s", Stats.of(async[k]), yard.name(IN_FLIGHT) + " " + yard.ops[k],
                                Stats.of(yard.values[k][t]), ratios(async[k], yard.values[k][t]), null, null, null));
            }
        }

        private int indexOf(int n) {
            for (int t = 0; t < threads.length; t++) {
                if (threads[t] == n) {
                    return t;
                }
            }
            return -1;
        }

        /**
         * Adds the throughput rows: at every thread count, one row per yardstick series (the first named plainly,
         * the others "against" theirs), the CPU, get_many and wake-up rows; py: Celery's figures per run.
         */
        void rows(String name, List<Series> yards, List<Map<String, Object>> py, Targets targets, Double waitP99Target) {
            String[] op = {"store_result", "get_task_meta"};
            String[] pyKey = {"store", "get"};
            for (int k = 0; k < 2; k++) {
                for (int t = 0; t < threads.length; t++) {
                    String figure = name + " " + op[k] + ", " + threads(threads[t]);
                    Stats own = Stats.of(ops[k][t]);
                    List<Row> rows = new ArrayList<>();
                    if (yards.isEmpty()) {
                        rows.add(Row.plain(figure, "ops/s", own));
                    }
                    for (int v = 0; v < yards.size(); v++) {
                        Series yard = yards.get(v);
                        String yardName = yard.name(threads[t]);
                        Stats ratio = ratios(ops[k][t], yard.values[k][t]);
                        Row row = new Row(v == 0 ? figure : figure + ", against " + yardName, "ops/s", own,
                                yardName + " " + yard.ops[k], Stats.of(yard.values[k][t]), ratio, null, null, null);
                        Double target = targets.of(k, threads[t], v);
                        if (target != null) {
                            row = row.withTarget("≥" + target + "× " + yardName, ratio.median() >= target);
                        }
                        rows.add(row);
                    }
                    if (threads[t] == 1) {
                        String key = pyKey[k];
                        rows.set(0, rows.get(0).withCelery(celeryStats(py, m -> m.get(key))));
                    }
                    rows.forEach(table::add);
                }
            }
            table.add(Row.plain(name + " store_result client CPU per op, 1 thread", "µs", Stats.of(cpu[0])));
            table.add(Row.plain(name + " get_task_meta client CPU per op, 1 thread", "µs", Stats.of(cpu[1])));
            String of = " of " + String.format(Locale.ROOT, "%,d", MANY) + " ready ids";
            table.add(Row.plain(name + " get_many" + of + ", first call (new instance, just populated)", "ms", Stats.of(firstMany[0])));
            Row first = Row.plain(name + " get_many" + of + ", mean of the first " + FIRST_CALLS + " calls (new instance, just populated)",
                    "ms", Stats.of(firstMany[1])).withCelery(celeryStats(py, m -> m.get("get_many_ms")));
            table.add(first.withTarget("≤25 ms", first.celeriac().median() <= 25));
            table.add(Row.plain(name + " get_many" + of + ", after warm-up (median of 3 calls after the throughput runs)",
                    "ms", Stats.of(getMany)));
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
