package io.celeriac.benchmarks;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.client.control.Target;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import io.celeriac.worker.TaskRegistry;
import io.celeriac.worker.Worker;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The harness's worker sections ({@code --only worker}, or {@code worker-redis} / {@code worker-amqp}): end-to-end
 * throughput of celeriac's Java worker ({@code -c 8}, run in the harness JVM) beside Python Celery's workers
 * ({@code /usr/bin/python3 -m celery worker}, prefork {@code -c 2}, threads {@code -c 8}, solo) on the same broker and
 * the same Redis result database, measured the same way.
 *
 * <p>One measurement: the queue is filled beforehand with {@code bench.noop} (or {@code bench.sleep10}) task messages
 * sent by {@link CeleryClient#sendAsync}; then the worker starts, and the clock runs from the first result stored to
 * the last one (the results database is the harness's own, so its {@code DBSIZE} counts the results; it is polled
 * every {@value #POLL_MILLIS} ms); start-up is left out for both, as Python's takes seconds. Every result is then read
 * back and must be {@code SUCCESS}. Broker: a leased Redis database or a RabbitMQ queue of the harness's own
 * ({@code bench.worker.<uuid>}, deleted at the end); results: another leased Redis database.
 *
 * <p>Also measured once per broker: the heap (used after GC) and live threads the Java worker adds for 1,000 reserved
 * tasks, with all 8 slots held by a blocking task; and the resident set of each Python worker after its no-op run.
 */
final class WorkerBench {

    /** The Java worker's pool size, and the Python threads pool's. */
    static final int CONCURRENCY = 8;
    /** The task that does nothing (Python: {@code return None}). */
    static final String NOOP = "bench.noop";
    /** The task that sleeps 10 ms (Python: {@code time.sleep(0.01)}). */
    static final String SLEEP = "bench.sleep10";
    /** Tasks held reserved in the heap and thread figures. */
    static final int RESERVED = 1_000;
    /** How often the result count is read while a worker runs. */
    static final int POLL_MILLIS = 2;
    /** Sends awaiting their broker's reply at once while the queue is filled. */
    private static final int SEND_WINDOW = 1_000;
    /** A measurement fails when no result arrives for this long. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(90);

    /** A Python pool: {@code -P name -c concurrency}. */
    record Pool(String name, int concurrency) {
        String label() {
            return "Python " + name + ("solo".equals(name) ? "" : " -c " + concurrency);
        }
    }

    static final List<Pool> NOOP_POOLS = List.of(new Pool("prefork", 2), new Pool("threads", 8), new Pool("solo", 1));
    static final List<Pool> SLEEP_POOLS = List.of(new Pool("threads", 8), new Pool("prefork", 2));

    private final Options options;
    private final Table table;
    private final Celeriac celeriac;
    private final CeleryReference celery;
    private final Path tmp;
    private final int noops;
    private final int sleeps;

    /**
     * @param celery Python Celery's reference, or {@code null} when it is missing or not wanted
     * @param tmp a directory for the Python workers' logs
     */
    WorkerBench(Options options, Table table, Celeriac celeriac, CeleryReference celery, Path tmp) {
        this.options = options;
        this.table = table;
        this.celeriac = celeriac;
        this.celery = celery;
        this.tmp = tmp;
        this.noops = options.quick() ? 2_000 : 20_000;
        this.sleeps = options.quick() ? 400 : 2_000;
    }

    void redis() throws Exception {
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease brokerDb = server.leaseDatabase();
             RedisTestServer.DatabaseLease resultDb = server.leaseDatabase()) {
            Harness.progress(String.format(Locale.ROOT, "Redis worker: broker database %d, results database %d at "
                    + "%s:%d, load average %.2f", brokerDb.db(), resultDb.db(), server.host(), server.port(),
                    BrokerBench.load()));
            measure("Redis broker", brokerDb.url(), server, resultDb);
        }
    }

    void amqp() throws Exception {
        RabbitTestServer rabbit;
        try {
            rabbit = TestServices.rabbitmq();
        } catch (Exception | AssertionError e) { // no server: TestAbortedException or, under CI, AssertionError
            Harness.progress("RabbitMQ worker: no server (" + e.getMessage() + "); skipped");
            return;
        }
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease resultDb = server.leaseDatabase()) {
            Harness.progress(String.format(Locale.ROOT, "RabbitMQ worker: %s, results in Redis database %d at %s:%d, "
                    + "load average %.2f", rabbit, resultDb.db(), server.host(), server.port(), BrokerBench.load()));
            measure("RabbitMQ broker", rabbit.url(), server, resultDb);
        }
    }

    private void measure(String name, String brokerUrl, RedisTestServer server, RedisTestServer.DatabaseLease resultDb)
            throws Exception {
        int runs = options.runs();
        String queue = "bench.worker." + UUID.randomUUID();
        double[] javaNoop = new double[runs];
        double[] javaSleep = new double[runs];
        Map<Pool, double[]> pyNoop = new LinkedHashMap<>();
        Map<Pool, double[]> pySleep = new LinkedHashMap<>();
        Map<Pool, double[]> pyRss = new LinkedHashMap<>();
        if (celery != null) {
            NOOP_POOLS.forEach(p -> {
                pyNoop.put(p, new double[runs]);
                pyRss.put(p, new double[runs]);
            });
            SLEEP_POOLS.forEach(p -> pySleep.put(p, new double[runs]));
        }
        Reserved reserved;
        try (CeleryClient client = CeleryClient.builder().celeriac(celeriac).brokerUrl(brokerUrl).withoutBackend()
                .defaultQueue(queue).build();
             Backend results = celeriac.openBackend(resultDb.url(), BackendOptions.defaults());
             Resp counter = server.connect(resultDb.db())) {
            Session s = new Session(name, brokerUrl, resultDb.url(), queue, client, results, counter);
            try {
                int warm = Math.max(1_000, noops / 4);
                Harness.progress(name + ": Java worker warm-up, " + fmt(warm) + " no-op tasks");
                s.java(NOOP, warm);
                for (int r = 0; r < runs; r++) {
                    Harness.progress(name + " worker run " + (r + 1) + ": " + fmt(noops) + " no-op tasks, then "
                            + fmt(sleeps) + " 10 ms tasks; Java -c " + CONCURRENCY
                            + (celery == null ? "" : ", Python prefork -c 2, threads -c 8, solo")
                            + String.format(Locale.ROOT, " (load average %.2f)", BrokerBench.load()));
                    Timed j = s.java(NOOP, noops);
                    javaNoop[r] = j.rate();
                    report("Java -c " + CONCURRENCY, "no-op", j);
                    for (Pool p : pyNoop.keySet()) {
                        Timed t = s.python(p, NOOP, noops);
                        pyNoop.get(p)[r] = t.rate();
                        pyRss.get(p)[r] = t.rssKib() / 1024.0;
                        report(p.label(), "no-op", t);
                    }
                    Timed js = s.java(SLEEP, sleeps);
                    javaSleep[r] = js.rate();
                    report("Java -c " + CONCURRENCY, "10 ms", js);
                    for (Pool p : pySleep.keySet()) {
                        Timed t = s.python(p, SLEEP, sleeps);
                        pySleep.get(p)[r] = t.rate();
                        report(p.label(), "10 ms", t);
                    }
                }
                Harness.progress(name + ": Java worker heap and threads with " + fmt(RESERVED) + " reserved tasks");
                reserved = s.reserved();
            } finally {
                try {
                    client.broker().deleteQueue(queue);
                    client.broker().deleteExchange(queue);
                } catch (RuntimeException e) {
                    Harness.progress("could not delete queue " + queue + ": " + e.getMessage());
                }
            }
        }
        rows(name, javaNoop, javaSleep, pyNoop, pySleep, pyRss, reserved);
    }

    private static void report(String who, String what, Timed t) {
        Harness.progress(String.format(Locale.ROOT, "  %-22s %-5s %,8.0f tasks/s (first → last result; %,.0f/s from "
                + "worker start, %.2f s to the first result)%s", who, what, t.rate(), t.fromStart(), t.startup(),
                t.rssKib() > 0 ? String.format(Locale.ROOT, ", RSS %,.0f MiB", t.rssKib() / 1024.0) : ""));
    }

    private void rows(String name, double[] javaNoop, double[] javaSleep, Map<Pool, double[]> pyNoop,
                      Map<Pool, double[]> pySleep, Map<Pool, double[]> pyRss, Reserved reserved) {
        String java = "Java -c " + CONCURRENCY + " (harness JVM)";
        Stats jn = Stats.of(javaNoop);
        String noopFigure = name + ", Redis results: no-op end to end, " + fmt(noops) + " queued, " + java;
        if (pyNoop.isEmpty()) {
            table.add(Row.plain(noopFigure, "tasks/s", jn).withTarget("≥5× best Python", null));
        } else {
            Pool best = pyNoop.entrySet().stream()
                    .max((a, b) -> Double.compare(Stats.of(a.getValue()).median(), Stats.of(b.getValue()).median()))
                    .orElseThrow().getKey();
            for (Map.Entry<Pool, double[]> e : pyNoop.entrySet()) {
                Row row = Row.plain(noopFigure + " vs " + e.getKey().label(), "tasks/s", jn)
                        .withCelery(Stats.of(e.getValue()));
                if (e.getKey().equals(best)) {
                    row = row.withTarget("≥5× best Python", row.celeryRatio() >= 5);
                }
                table.add(row);
            }
        }
        String sleepFigure = name + ", Redis results: 10 ms sleep end to end, " + fmt(sleeps) + " queued, ";
        Row js = idealRow(sleepFigure + java + (pySleep.isEmpty() ? "" : " vs " + SLEEP_POOLS.get(0).label()),
                CONCURRENCY, javaSleep, Stats.of(javaSleep));
        if (!pySleep.isEmpty()) {
            js = js.withCelery(Stats.of(pySleep.get(SLEEP_POOLS.get(0))));
        }
        table.add(js.withTarget("≥0.9× ideal", js.yardstickRatio().median() >= 0.9));
        for (Map.Entry<Pool, double[]> e : pySleep.entrySet()) {
            Row py = idealRow(sleepFigure + e.getKey().label() + " (its figure under Celery)",
                    e.getKey().concurrency(), e.getValue(), null);
            table.add(py.withCelery(Stats.of(e.getValue())));
        }
        for (Map.Entry<Pool, double[]> e : pyRss.entrySet()) {
            table.add(Row.missing(name + ": " + e.getKey().label() + " RSS after its no-op run (each process summed)",
                    "MiB", "Python's →").withCelery(Stats.of(e.getValue())));
        }
        String held = " (" + CONCURRENCY + " slots held by a blocking task)";
        table.add(Row.plain(name + ": Java worker heap per " + fmt(RESERVED) + " reserved tasks, used after GC" + held,
                "KiB", Stats.of(reserved.heapKib())));
        table.add(Row.plain(name + ": Java worker threads per " + fmt(RESERVED) + " reserved tasks" + held,
                "threads", Stats.of(reserved.threadsPerReserved())));
        table.add(Row.plain(name + ": Java worker threads, idle (added to the JVM by start())", "threads",
                Stats.of(reserved.threadsIdle())));
        table.add(Row.plain(name + ": Java worker threads, " + CONCURRENCY + " tasks running (added by start())",
                "threads", Stats.of(reserved.threadsRunning())));
    }

    /**
     * A row with the ideal {@code c / 10 ms} as its yardstick: the figure is {@code celeriacRuns}' stats, or absent
     * (a Python row, whose ratio to the ideal is computed from {@code runs}).
     */
    private static Row idealRow(String figure, int concurrency, double[] runs, Stats celeriacStats) {
        double ideal = concurrency / 0.010;
        double[] ratio = Arrays.stream(runs).map(v -> v / ideal).toArray();
        return new Row(figure, "tasks/s", celeriacStats, "ideal " + concurrency + " / 10 ms", Stats.of(ideal),
                Stats.of(ratio), null, null, null, celeriacStats == null ? "Python's →" : null);
    }

    static String fmt(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    // -------------------------------------------------------------------------------------------- figures

    /**
     * One timed drain of the queue.
     *
     * @param rate results per second from the first stored to the last
     * @param fromStart results per second from the worker's start to the last
     * @param startup seconds from the worker's start to the first result
     * @param rssKib the worker's resident set after the drain, or 0 when not measured
     */
    record Timed(double rate, double fromStart, double startup, long rssKib) {
    }

    /**
     * The Java worker's heap and threads with {@value #RESERVED} reserved tasks.
     *
     * @param heapKib heap used after GC with the tasks reserved, minus the same with none reserved (both with all
     *                slots held)
     * @param threadsPerReserved live threads with the tasks reserved minus with none
     * @param threadsIdle live threads of the JVM with the worker started and idle, minus before it started
     * @param threadsRunning live threads with every slot running a task, minus before the worker started
     */
    record Reserved(double heapKib, double threadsPerReserved, double threadsIdle, double threadsRunning) {
    }

    /** A started worker. */
    private interface Running {
        /** Throws when the worker died. */
        void check() throws IOException;

        /** @return its resident set in KiB, or 0 */
        long rssKib() throws IOException, InterruptedException;

        void stop() throws Exception;
    }

    /** Starts a worker on the filled queue. */
    private interface Starter {
        Running start() throws Exception;
    }

    /** One broker's measurements: its queue, the client that fills it and the results database. */
    private final class Session {
        private final String name;
        private final String brokerUrl;
        private final String resultsUrl;
        private final String queue;
        private final CeleryClient client;
        private final Backend results;
        private final Resp counter;
        private final TaskRegistry tasks = new TaskRegistry().register(NOOP, ctx -> null).register(SLEEP, ctx -> {
            Thread.sleep(10);
            return null;
        });

        Session(String name, String brokerUrl, String resultsUrl, String queue, CeleryClient client, Backend results,
                Resp counter) {
            this.name = name;
            this.brokerUrl = brokerUrl;
            this.resultsUrl = resultsUrl;
            this.queue = queue;
            this.client = client;
            this.results = results;
            this.counter = counter;
        }

        private Worker javaWorker(TaskRegistry registry, String node, int prefetchMultiplier) {
            return Worker.builder().celeriac(celeriac).brokerUrl(brokerUrl).backendUrl(resultsUrl).tasks(registry)
                    .queues(List.of(queue)).defaultQueue(queue).concurrency(CONCURRENCY)
                    .prefetchMultiplier(prefetchMultiplier).nodename(node).environment(Map.of())
                    .shutdownTimeout(Duration.ofSeconds(30)).build().start();
        }

        Timed java(String task, int n) throws Exception {
            return timed(task, n, () -> {
                Worker w = javaWorker(tasks, "bench-java-" + shortId() + "@%h", 4);
                return new Running() {
                    @Override
                    public void check() {
                    }

                    @Override
                    public long rssKib() {
                        return 0;
                    }

                    @Override
                    public void stop() {
                        w.close();
                    }
                };
            });
        }

        Timed python(Pool pool, String task, int n) throws Exception {
            Map<String, String> env = Map.of("BENCH_BROKER_URL", brokerUrl, "BENCH_BACKEND_URL", resultsUrl);
            return timed(task, n, () -> {
                Path log = Files.createTempFile(tmp, "celery-worker-", ".log");
                Process p = celery.startWorker(env, queue, log, pool.name(), pool.concurrency(),
                        "bench-py-" + shortId() + "@%h");
                return new Running() {
                    @Override
                    public void check() throws IOException {
                        if (!p.isAlive()) {
                            throw new IllegalStateException(pool.label() + " worker exited with " + p.exitValue()
                                    + ":\n" + tail(log));
                        }
                    }

                    @Override
                    public long rssKib() throws IOException, InterruptedException {
                        return rss(p);
                    }

                    @Override
                    public void stop() throws Exception {
                        CeleryReference.stop(p);
                        Files.deleteIfExists(log);
                    }
                };
            });
        }

        /**
         * Fills the queue with {@code n} tasks, starts a worker, times the results from the first stored to the
         * last, checks that every one is SUCCESS, and stops the worker.
         */
        private Timed timed(String task, int n, Starter starter) throws Exception {
            counter.call("FLUSHDB"); // the results database is leased: only this harness's results are in it
            List<String> ids = publish(task, n);
            long depth = client.broker().queueStats(queue).messages();
            if (depth != n) {
                throw new IllegalStateException(name + ": " + depth + " messages in " + queue + " after sending " + n);
            }
            long t0 = System.nanoTime();
            Running w = starter.start();
            try {
                long first = 0;
                long countAtFirst = 0;
                long last;
                long seen = 0;
                long progressAt = t0;
                while (true) {
                    long c = dbsize();
                    long now = System.nanoTime();
                    if (c > 0 && first == 0) {
                        first = now;
                        countAtFirst = c;
                    }
                    if (c >= n) {
                        last = now;
                        break;
                    }
                    if (c != seen) {
                        seen = c;
                        progressAt = now;
                    } else if (now - progressAt > STALL_NANOS) {
                        throw new IllegalStateException(name + ": " + c + " of " + n + " " + task + " results, none "
                                + "for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s");
                    }
                    w.check();
                    Thread.sleep(POLL_MILLIS);
                }
                long rss = w.rssKib();
                verify(ids);
                double span = Math.max(1e-6, (last - first) / 1e9);
                return new Timed(Math.max(1, n - countAtFirst) / span, n / ((last - t0) / 1e9), (first - t0) / 1e9,
                        rss);
            } finally {
                w.stop();
                long left = client.broker().purgeQueue(queue);
                if (left != 0) {
                    Harness.progress(name + ": " + left + " messages were left in the queue");
                }
            }
        }

        private long dbsize() throws IOException {
            return ((Number) counter.call("DBSIZE")).longValue();
        }

        /** Every id's result must be SUCCESS. */
        private void verify(List<String> ids) {
            int ok = 0;
            String other = null;
            for (int i = 0; i < ids.size(); i += 1_000) {
                Map<String, TaskMeta> got = results.getMany(ids.subList(i, Math.min(ids.size(), i + 1_000)));
                for (TaskMeta m : got.values()) {
                    if (TaskState.SUCCESS.equals(m.status())) {
                        ok++;
                    } else if (other == null) {
                        other = m.taskId() + " " + m.status();
                    }
                }
            }
            if (ok != ids.size()) {
                throw new IllegalStateException(name + ": " + ok + " of " + ids.size() + " results are SUCCESS"
                        + (other == null ? "" : ", e.g. " + other));
            }
        }

        /** Sends {@code n} tasks with {@link CeleryClient#sendAsync}, at most {@link #SEND_WINDOW} unconfirmed. */
        List<String> publish(String task, int n) throws Exception {
            Semaphore window = new Semaphore(SEND_WINDOW);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            String[] ids = new String[n];
            for (int i = 0; i < n && failure.get() == null; i++) {
                window.acquire();
                int k = i;
                client.sendAsync(task, List.of(), null, SendOptions.none()).whenComplete((r, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        ids[k] = r.id();
                    }
                    window.release();
                });
            }
            if (!window.tryAcquire(SEND_WINDOW, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + ": sends still unconfirmed after 120 s");
            }
            if (failure.get() != null) {
                throw new IllegalStateException(name + ": a send failed: " + failure.get(), failure.get());
            }
            return Arrays.asList(ids);
        }

        /**
         * The heap and threads of {@value #RESERVED} reserved tasks: a Java worker whose prefetch window takes them
         * all ({@code -c 8}, multiplier 126), its 8 slots held by a task that blocks until released.
         */
        Reserved reserved() throws Exception {
            counter.call("FLUSHDB");
            CountDownLatch started = new CountDownLatch(CONCURRENCY);
            CountDownLatch release = new CountDownLatch(1);
            TaskRegistry registry = new TaskRegistry().register(NOOP, ctx -> null).register("bench.block", ctx -> {
                started.countDown();
                if (!release.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("bench.block was never released");
                }
                return null;
            });
            String node = Worker.expand("bench-java-" + shortId() + "@%h", null);
            // the client's control mailbox (its reply queue, consumer and threads) exists before the first count;
            // nobody answers yet, so this waits its 1 s timeout
            client.control().inspect(Target.nodes(node)).reserved();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            int before = threads.getThreadCount();
            int multiplier = (RESERVED + CONCURRENCY + CONCURRENCY - 1) / CONCURRENCY;
            Worker w = javaWorker(registry, node, multiplier);
            try {
                awaitReserved(node, 0);
                Harness.usedAfterGc(mem);
                int idle = threads.getThreadCount();
                publish("bench.block", CONCURRENCY);
                if (!started.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + ": the blocking tasks did not all start in 60 s");
                }
                long heapRunning = Harness.usedAfterGc(mem);
                int running = threads.getThreadCount();
                publish(NOOP, RESERVED);
                awaitReserved(node, RESERVED);
                long heapReserved = Harness.usedAfterGc(mem);
                int withReserved = threads.getThreadCount();
                release.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (dbsize() < RESERVED + CONCURRENCY && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                return new Reserved((heapReserved - heapRunning) / 1024.0, withReserved - running, idle - before,
                        running - before);
            } finally {
                release.countDown();
                w.close();
                client.broker().purgeQueue(queue);
            }
        }

        /** Waits until the worker answers {@code inspect reserved} with {@code n} requests (60 s at most). */
        private void awaitReserved(String node, int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int got = -1;
            while (System.nanoTime() < deadline) {
                List<Object> l = client.control().inspect(Target.nodes(node)).reserved().lists().get(node);
                got = l == null ? -1 : l.size();
                if (got == n) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException(name + ": " + node + " has " + got + " reserved tasks, not " + n);
        }
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** The resident set of a process and its descendants (the prefork pool), in KiB, from {@code ps}. */
    private static long rss(Process p) throws IOException, InterruptedException {
        String pids = java.util.stream.Stream.concat(java.util.stream.Stream.of(p.toHandle()), p.descendants())
                .map(h -> Long.toString(h.pid())).collect(Collectors.joining(","));
        String out = Yardsticks.run(new ProcessBuilder("ps", "-o", "rss=", "-p", pids).redirectErrorStream(true), 30);
        long kib = 0;
        for (String line : out.strip().split("\\s+")) {
            if (!line.isEmpty()) {
                kib += Long.parseLong(line);
            }
        }
        return kib;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
