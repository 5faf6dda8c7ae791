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
            measure("Redis", lease.url(), "waits for the LPUSH reply", "awaiting their reply");
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
        measure("RabbitMQ", rabbit.url(), "waits for its confirm", "awaiting their confirm");
    }

    private void measure(String name, String url, String sync, String awaiting) throws Exception {
        int runs = options.runs();
        double secs = options.seconds();
        String queue = "bench.client." + UUID.randomUUID();
        String pyQueue = queue + ".py";
        double[] send1 = new double[runs];
        double[] send16 = new double[runs];
        double[] async = new double[runs];
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
        table.add(row(name + " client send, 1 thread, " + sync, send1, pySend));
        table.add(row(name + " client send, 16 threads, each " + sync.replace("waits", "waiting"), send16, pySend));
        table.add(row(name + " client sendAsync, 1 thread, up to " + String.format(Locale.ROOT, "%,d", WINDOW) + " "
                + awaiting, async, pySend));
    }

    private static Row row(String figure, double[] runs, Stats pySend) {
        Row row = Row.plain(figure, "tasks/s", Stats.of(runs));
        return pySend == null ? row : row.withCelery(pySend);
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
