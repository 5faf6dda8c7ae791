package io.celeriac.benchmarks;

import io.celeriac.Celeriac;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The harness's client sections ({@code --only client}, or {@code client-redis} / {@code client-amqp}):
 * {@link CeleryClient} sending {@code proj.add(2, 3)} (a whole protocol-2 task message built, encoded and published
 * per send) on 1 and 16 threads with {@link CeleryClient#send}, and on 1 thread with {@link CeleryClient#sendAsync}
 * with up to {@value #WINDOW} sends awaiting their broker's reply or confirm; next to Python's
 * {@code app.send_task} doing the same in the same run (one process, one thread). Every queue is the harness's own
 * ({@code bench.client.<uuid>}), purged between figures and deleted at the end; on Redis in a leased database.
 */
final class ClientBench {

    /** Sends awaiting their confirmation at once in the asynchronous figure. */
    static final int WINDOW = 1000;

    private final Options options;
    private final Table table;
    private final Celeriac celeriac;
    private final CeleryReference celery;

    /**
     * @param celery Python Celery's reference, or {@code null} when it is missing or not wanted
     */
    ClientBench(Options options, Table table, Celeriac celeriac, CeleryReference celery) {
        this.options = options;
        this.table = table;
        this.celeriac = celeriac;
        this.celery = celery;
    }

    void redis() throws Exception {
        RedisTestServer server = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase()) {
            Harness.progress(String.format(Locale.ROOT, "Redis client: database %d at %s:%d, load average %.2f",
                    lease.db(), server.host(), server.port(), BrokerBench.load()));
            int requests = (int) Math.max(2_000, 20_000 * options.seconds());
            measure("Redis", lease.url(), "waits for the LPUSH reply", "awaiting their reply",
                    "redis-benchmark -c 1 LPUSH", q -> Yardsticks.redisBenchmarkLpush(server, lease.db(), 1, requests));
            roundTrip("Redis broker, Redis results", lease.url(), lease.url());
        }
    }

    void amqp() throws Exception {
        RabbitTestServer rabbit;
        try {
            rabbit = TestServices.rabbitmq();
        } catch (Exception | AssertionError e) { // no server: TestAbortedException or, under CI, AssertionError
            Harness.progress("RabbitMQ client: no server (" + e.getMessage() + "); skipped");
            return;
        }
        Harness.progress(String.format(Locale.ROOT, "RabbitMQ client: %s, load average %.2f", rabbit,
                BrokerBench.load()));
        java.nio.file.Path perfTest = BrokerBench.findPerfTest();
        int ptSeconds = (int) Math.max(2, Math.ceil(options.seconds())) + 1;
        String url = rabbit.url();
        measure("RabbitMQ", url, "waits for its confirm", "awaiting their confirm", "PerfTest --confirm 1",
                perfTest == null ? null : q -> Yardsticks.perfTest(perfTest, url, q, 1, TaskMessages.BODY_BYTES,
                        ptSeconds));
        roundTrip("RabbitMQ broker, rpc:// results", rabbit.url(), "rpc://");
    }

    /** Round trips measured per run, after the warm-up. */
    static final int ROUND_TRIPS = 300;

    /**
     * The round trip of {@code proj.add(2, 3)}: sent, run by a real Python worker (prefork, 2 processes), its result
     * read, one after the other; celeriac's {@code send(...).get()} next to Python's {@code send_task(...).get()} on
     * the same worker in the same run. Needs Python Celery; skipped without it.
     */
    private void roundTrip(String name, String brokerUrl, String backendUrl) throws Exception {
        if (celery == null) {
            Harness.progress(name + " round trip: no Python Celery; skipped");
            return;
        }
        int runs = options.runs();
        String queue = "bench.rt." + UUID.randomUUID();
        Map<String, String> env = Map.of("BENCH_BROKER_URL", brokerUrl, "BENCH_BACKEND_URL", backendUrl);
        java.nio.file.Path log = java.nio.file.Files.createTempFile("celeriac-bench-worker", ".log");
        Process worker = celery.startWorker(env, queue, log);
        double[] p50 = new double[runs];
        double[] p99 = new double[runs];
        List<Map<String, Object>> py = new ArrayList<>();
        try (CeleryClient client = CeleryClient.builder().celeriac(celeriac).brokerUrl(brokerUrl)
                .backendUrl(backendUrl).defaultQueue(queue).build()) {
            List<Object> args = List.of(2, 3);
            java.time.Duration wait = java.time.Duration.ofSeconds(60);
            client.send("proj.add", args, null, SendOptions.none()).get(wait); // the worker is up
            for (int i = 0; i < 50; i++) {
                client.send("proj.add", args, null, SendOptions.none()).get(wait);
            }
            for (int r = 0; r < runs; r++) {
                Harness.progress(name + " round trip run " + (r + 1) + ": " + ROUND_TRIPS + " x send → Python worker → "
                        + "result, celeriac then Python");
                double[] ms = new double[ROUND_TRIPS];
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    long t0 = System.nanoTime();
                    Object v = client.send("proj.add", args, null, SendOptions.none()).get(wait);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    if (!Long.valueOf(5).equals(v)) {
                        throw new IllegalStateException("proj.add(2, 3) gave " + v);
                    }
                }
                Stats s = Stats.of(ms);
                p50[r] = s.percentile(50);
                p99[r] = s.percentile(99);
                py.add(celery.run(600, env, "roundtrip", queue, Integer.toString(ROUND_TRIPS)));
                Harness.progress(String.format(Locale.ROOT, "  celeriac p50 %.2f ms, p99 %.2f ms; Python p50 %.2f ms, "
                        + "p99 %.2f ms", p50[r], p99[r], ((Number) py.get(r).get("p50")).doubleValue(),
                        ((Number) py.get(r).get("p99")).doubleValue()));
            }
            try {
                client.broker().deleteQueue(queue);
                client.broker().deleteExchange(queue);
            } catch (RuntimeException e) {
                Harness.progress("could not delete queue " + queue + ": " + e.getMessage());
            }
        } finally {
            worker.destroy();
            if (!worker.waitFor(20, TimeUnit.SECONDS)) {
                worker.destroyForcibly();
            }
            java.nio.file.Files.deleteIfExists(log);
        }
        Row rt50 = Row.plain(name + ": round trip p50 (send → Python worker add → result)", "ms", Stats.of(p50))
                .withCelery(Harness.celeryStats(py, m -> m.get("p50")));
        Row rt99 = Row.plain(name + ": round trip p99", "ms", Stats.of(p99))
                .withCelery(Harness.celeryStats(py, m -> m.get("p99")));
        table.add(rt50.withTarget("≤ Python's", rt50.celeryRatio() <= 1.0));
        table.add(rt99.withTarget("≤ Python's", rt99.celeryRatio() <= 1.0));
    }

    /** A yardstick measured once per run on a queue of its own, deleted afterwards. */
    interface Yardstick {
        double measure(String queue) throws Exception;
    }

    private void measure(String name, String url, String sync, String awaiting, String yardName, Yardstick yardstick)
            throws Exception {
        int runs = options.runs();
        double secs = options.seconds();
        String queue = "bench.client." + UUID.randomUUID();
        String pyQueue = queue + ".py";
        double[] send1 = new double[runs];
        double[] send16 = new double[runs];
        double[] async = new double[runs];
        double[] yard = yardstick == null ? null : new double[runs];
        List<Map<String, Object>> py = new ArrayList<>();
        List<Object> args = List.of(2, 3);
        try (CeleryClient client = CeleryClient.builder().celeriac(celeriac).brokerUrl(url).withoutBackend()
                .defaultQueue(queue).build()) {
            try {
                double w = Math.max(0.5, secs / 2);
                Load.throughput(1, w, (t, n) -> client.send("proj.add", args, null, SendOptions.none()));
                sendAsync(client, args, w);
                client.broker().purgeQueue(queue);
                for (int r = 0; r < runs; r++) {
                    Harness.progress(name + " client run " + (r + 1) + ": send (1 and 16 threads), sendAsync"
                            + (celery != null ? ", Python send_task" : ""));
                    if (yardstick != null) {
                        String yq = queue + ".yardstick-" + r;
                        yard[r] = yardstick.measure(yq);
                        try {
                            client.broker().deleteQueue(yq);
                        } catch (RuntimeException e) {
                            Harness.progress("could not delete queue " + yq + ": " + e.getMessage());
                        }
                    }
                    send1[r] = Load.throughput(1, secs, (t, n) -> client.send("proj.add", args, null,
                            SendOptions.none()));
                    client.broker().purgeQueue(queue);
                    send16[r] = Load.throughput(16, secs, (t, n) -> client.send("proj.add", args, null,
                            SendOptions.none()));
                    client.broker().purgeQueue(queue);
                    async[r] = sendAsync(client, args, secs);
                    client.broker().purgeQueue(queue);
                    if (celery != null) {
                        py.add(celery.run((long) (secs * 5) + 120, Map.of("BENCH_BROKER_URL", url), "send", pyQueue,
                                Double.toString(secs)));
                        client.broker().purgeQueue(pyQueue);
                    }
                    Harness.progress(String.format(Locale.ROOT, "  celeriac: send %,.0f/s (1 thread), %,.0f/s "
                                    + "(16 threads), sendAsync %,.0f/s%s", send1[r], send16[r], async[r],
                            py.isEmpty() ? "" : String.format(Locale.ROOT, "; Python send_task %,.0f/s",
                                    ((Number) py.get(py.size() - 1).get("send")).doubleValue())));
                }
            } finally {
                for (String q : List.of(queue, pyQueue)) {
                    try {
                        client.broker().deleteQueue(q);
                        client.broker().deleteExchange(q);
                    } catch (RuntimeException e) {
                        Harness.progress("could not delete queue " + q + ": " + e.getMessage());
                    }
                }
            }
        }
        Stats pySend = Harness.celeryStats(py, m -> m.get("send"));
        Row one = row(name + " client send, 1 thread, " + sync, send1, pySend, null);
        if (yard != null) {
            double[] ratio = new double[runs];
            for (int r = 0; r < runs; r++) {
                ratio[r] = send1[r] / yard[r];
            }
            Stats ratios = Stats.of(ratio);
            one = one.withYardstick(yardName, Stats.of(yard), ratios).withTarget("≥0.7× " + yardName,
                    ratios.median() >= 0.7);
        }
        table.add(one);
        table.add(row(name + " client send, 16 threads, each " + sync.replace("waits", "waiting"), send16, pySend,
                10.0));
        table.add(row(name + " client sendAsync, 1 thread, up to " + String.format(Locale.ROOT, "%,d", WINDOW) + " "
                + awaiting, async, pySend, 10.0));
    }

    private static Row row(String figure, double[] runs, Stats pySend, Double timesPython) {
        Row row = Row.plain(figure, "tasks/s", Stats.of(runs));
        if (pySend == null) {
            return row;
        }
        row = row.withCelery(pySend);
        return timesPython == null ? row : row.withTarget("≥" + timesPython.intValue() + "× Python's 1 thread",
                row.celeryRatio() >= timesPython);
    }

    /** Sends with {@link CeleryClient#sendAsync} from this thread, at most {@link #WINDOW} unconfirmed. */
    private static double sendAsync(CeleryClient client, List<Object> args, double seconds) throws Exception {
        Semaphore window = new Semaphore(WINDOW);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        long n = 0;
        while (System.nanoTime() < end && failure.get() == null) {
            window.acquire();
            client.sendAsync("proj.add", args, null, SendOptions.none()).whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                window.release();
            });
            n++;
        }
        if (!window.tryAcquire(WINDOW, 120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("sends still unconfirmed after 120 s");
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("a send failed: " + failure.get(), failure.get());
        }
        return n / elapsed;
    }
}
