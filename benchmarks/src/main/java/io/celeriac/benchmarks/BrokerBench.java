package io.celeriac.benchmarks;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Subscription;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The harness's broker sections ({@code --only broker}, or {@code broker-redis} / {@code broker-amqp}): celeriac's
 * {@link Broker}, opened by URL through the registry, publishing and consuming a 200-byte Celery task message,
 * next to {@code redis-benchmark -t lpush} and RabbitMQ's PerfTest doing the same kind of publish and to kombu
 * doing the same work, in the same run. Each run measures, in this order: the 1-client yardstick; celeriac's
 * synchronous publish on 1 and 16 threads ({@link Broker#publish} returns when Redis replied to the {@code LPUSH}
 * / RabbitMQ confirmed); celeriac's asynchronous publish on 1 thread with up to {@value #WINDOW} publishes
 * awaiting their confirmation; celeriac's consume + ack of a pre-filled queue with 1 and {@value #MANY_CONSUMERS}
 * subscriptions of prefetch {@value #PREFETCH}; the 16-client or confirm-window yardstick; kombu (one Python
 * process: publish, consume + ack, and on RabbitMQ publish with {@code confirm_publish}).
 *
 * <p>Every queue is the harness's own ({@code bench.<uuid>}), purged between figures and deleted at the end; on
 * Redis in a leased database with a {@code global_keyprefix} of its own. Until a broker plugin for a scheme is
 * installed, its celeriac rows say "not installed" and only the yardsticks and kombu are measured.
 */
final class BrokerBench {

    /** Publishes awaiting their confirmation at once in the asynchronous figure. */
    static final int WINDOW = 1000;
    /** The prefetch of every consuming subscription. */
    static final int PREFETCH = 100;
    /** The subscriptions of the "several consumers" figure. */
    static final int MANY_CONSUMERS = 4;
    /** The most messages a queue is filled with for a consume figure. */
    static final int MAX_FILL = 60_000;
    private static final int MIN_FILL = 5_000;

    private final Options options;
    private final Table table;
    private final Celeriac celeriac;
    private final KombuReference kombu;
    private final Path perfTest;
    private final TaskMessages messages = new TaskMessages();

    /**
     * @param kombu kombu's reference, or {@code null} when kombu is missing or not wanted
     * @param perfTest the directory of PerfTest's jars, or {@code null} when it is missing
     */
    BrokerBench(Options options, Table table, Celeriac celeriac, KombuReference kombu, Path perfTest) {
        this.options = options;
        this.table = table;
        this.celeriac = celeriac;
        this.kombu = kombu;
        this.perfTest = perfTest;
    }

    /**
     * Where {@code run.sh} puts PerfTest: the system property {@code celeriac.bench.perftest}, else
     * {@code perf-test/} beside the harness's jar (or classes directory) in {@code benchmarks/target}.
     *
     * @return the directory when it holds PerfTest's jar, else {@code null}
     */
    static Path findPerfTest() {
        String p = System.getProperty("celeriac.bench.perftest");
        Path dir;
        if (p != null) {
            dir = Path.of(p);
        } else {
            try {
                dir = Path.of(BrokerBench.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                        .getParent().resolve("perf-test");
            } catch (Exception e) {
                return null;
            }
        }
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("perf-test-")) ? dir : null;
        } catch (Exception e) {
            return null;
        }
    }

    private boolean installed(String scheme) {
        return celeriac.brokers().schemes().contains(scheme);
    }

    // ---------------------------------------------------------------------------------------------- Redis

    void redis() throws Exception {
        RedisTestServer server = TestServices.redis();
        boolean installed = installed("redis");
        int runs = options.runs();
        double secs = options.seconds();
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase()) {
            String id = UUID.randomUUID().toString();
            String prefix = "celeriac-bench-" + id.substring(0, 8) + ":";
            String queue = "bench." + id;
            String url = lease.url() + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
            Harness.progress(String.format(Locale.ROOT, "Redis broker: database %d at %s:%d, queue %s, key prefix %s, "
                    + "celeriac's Redis broker %s, load average %.2f", lease.db(), server.host(), server.port(), queue, prefix,
                    installed ? "installed" : "not installed (broker schemes: " + celeriac.brokers().schemes() + ")", load()));
            int c1 = (int) Math.max(10_000, 10_000 * secs);
            int c16 = (int) Math.max(20_000, 50_000 * secs);
            double[] yard1 = new double[runs];
            double[] yard16 = new double[runs];
            List<Map<String, Object>> py = new ArrayList<>();
            Figures f = new Figures(runs);
            Broker b = installed ? celeriac.openBroker(url) : null;
            try {
                if (b != null) {
                    b.declareQueue(CeleryTopology.taskQueue(queue));
                    f.warmUp(b, queue);
                }
                for (int r = 0; r < runs; r++) {
                    Harness.progress("Redis broker run " + (r + 1) + ": redis-benchmark -c 1 -t lpush, celeriac"
                            + (b != null ? " publish, publishAsync, consume+ack" : " (not installed)")
                            + ", redis-benchmark -c 16 -t lpush" + (kombu != null ? ", kombu" : ""));
                    yard1[r] = Yardsticks.redisBenchmarkLpush(server, lease.db(), 1, c1);
                    if (b != null) {
                        f.run(b, queue, r);
                    }
                    yard16[r] = Yardsticks.redisBenchmarkLpush(server, lease.db(), 16, c16);
                    if (kombu != null) {
                        py.add(kombu.broker(lease.url(), queue + ".kombu", secs, TaskMessages.BODY, prefix + "kombu:", false));
                    }
                }
            } finally {
                if (b != null) {
                    try {
                        b.deleteQueue(queue);
                    } finally {
                        b.close();
                    }
                }
                server.deleteKeys(lease.db(), prefix);
            }
            Harness.progress(String.format(Locale.ROOT, "Redis broker done, load average %.2f", load()));
            String sync = "waits for the LPUSH reply";
            f.rows("Redis", installed, sync, "awaiting their reply", new Yard("redis-benchmark -c 1 LPUSH", yard1),
                    new Yard("redis-benchmark -c 16 LPUSH", yard16), null, null, py);
        }
    }

    // ------------------------------------------------------------------------------------------- RabbitMQ

    void amqp() throws Exception {
        RabbitTestServer rabbit;
        try {
            rabbit = TestServices.rabbitmq();
        } catch (Exception | AssertionError e) { // no server: TestAbortedException or, under CI, AssertionError
            Harness.progress("RabbitMQ broker: no server (" + e.getMessage() + "); skipped");
            return;
        }
        boolean installed = installed("amqp");
        int runs = options.runs();
        double secs = options.seconds();
        String url = rabbit.url();
        String id = UUID.randomUUID().toString();
        String queue = "bench." + id;
        String kombuQueue = queue + ".kombu";
        Harness.progress(String.format(Locale.ROOT, "RabbitMQ broker: %s, queue %s, celeriac's AMQP broker %s, PerfTest %s, "
                        + "load average %.2f", rabbit, queue, installed ? "installed" : "not installed",
                perfTest != null ? "in " + perfTest : "not found (./benchmarks/run.sh copies it into benchmarks/target/perf-test)", load()));
        int ptSeconds = (int) Math.max(2, Math.ceil(secs)) + 1; // + the first second, which PerfTestRate leaves out
        double[] pt1 = perfTest != null ? new double[runs] : null;
        double[] ptWindow = perfTest != null ? new double[runs] : null;
        List<Map<String, Object>> py = new ArrayList<>();
        Figures f = new Figures(runs);
        List<String> perfQueues = new ArrayList<>();
        Broker b = installed ? celeriac.openBroker(url) : null;
        try {
            if (b != null) {
                b.declareQueue(CeleryTopology.taskQueue(queue));
                f.warmUp(b, queue);
                if (perfTest != null) {
                    f.consumeYardstick(ptSeconds + 1, () -> Yardsticks.perfTestConsume(perfTest, url, queue, PREFETCH, ptSeconds + 1));
                }
            }
            for (int r = 0; r < runs; r++) {
                Harness.progress("RabbitMQ broker run " + (r + 1) + ": " + (perfTest != null ? "PerfTest --confirm 1, " : "")
                        + "celeriac" + (b != null ? " publish, publishAsync, consume+ack" : " (not installed)")
                        + (perfTest != null ? (b != null ? ", PerfTest -y 1 on the same messages" : "") + ", PerfTest --confirm " + WINDOW : "")
                        + (kombu != null ? ", kombu" : ""));
                if (perfTest != null) {
                    String q = queue + ".perf-test-" + r + "-1";
                    perfQueues.add(q);
                    pt1[r] = Yardsticks.perfTest(perfTest, url, q, 1, TaskMessages.BODY_BYTES, ptSeconds);
                    deleteQuietly(b, q);
                }
                if (b != null) {
                    f.run(b, queue, r);
                }
                if (perfTest != null) {
                    String q = queue + ".perf-test-" + r + "-" + WINDOW;
                    perfQueues.add(q);
                    ptWindow[r] = Yardsticks.perfTest(perfTest, url, q, WINDOW, TaskMessages.BODY_BYTES, ptSeconds);
                    deleteQuietly(b, q);
                }
                if (kombu != null) {
                    py.add(kombu.broker(url, kombuQueue, secs, TaskMessages.BODY, "", true));
                }
            }
        } finally {
            if (b != null) {
                try {
                    deleteQuietly(b, kombuQueue);
                    for (String q : perfQueues) {
                        deleteQuietly(b, q);
                    }
                    b.deleteQueue(queue);
                } finally {
                    b.close();
                }
            }
        }
        Harness.progress(String.format(Locale.ROOT, "RabbitMQ broker done, load average %.2f", load()));
        f.rows("RabbitMQ", installed, "waits for its confirm", "awaiting their confirm",
                pt1 == null ? null : new Yard("PerfTest -x 1 --confirm 1", pt1), null,
                ptWindow == null ? null : new Yard("PerfTest -x 1 --confirm " + WINDOW, ptWindow),
                f.consumeYardstick == null ? null : new Yard("PerfTest -y 1 -q " + PREFETCH + ", same messages", f.consumeYardstick), py);
    }

    private static void deleteQuietly(Broker b, String queue) {
        if (b == null) {
            return;
        }
        try {
            b.deleteQueue(queue);
        } catch (RuntimeException e) {
            Harness.progress("could not delete queue " + queue + ": " + e.getMessage());
        }
    }

    static double load() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    // ------------------------------------------------------------------------------------------ figures

    /** A yardstick's figures, one per run. */
    record Yard(String name, double[] perRun) {
    }

    /** celeriac's broker figures over the runs (messages per second). */
    final class Figures {
        final double[] publish1;
        final double[] publish16;
        final double[] async;
        final double[] consume1;
        final double[] consumeMany;

        /** The fastest consume+ack seen so far (messages/s), to size the next fill. */
        private double consumeRate;
        /** The consume yardstick's figures per run, or {@code null} when there is none. */
        double[] consumeYardstick;
        private double consumeYardstickSeconds;
        private java.util.concurrent.Callable<Double> consumeYardstickRun;

        Figures(int runs) {
            publish1 = new double[runs];
            publish16 = new double[runs];
            async = new double[runs];
            consume1 = new double[runs];
            consumeMany = new double[runs];
        }

        /** Runs every operation briefly, so that the measured runs find the code compiled and the connections open. */
        void warmUp(Broker b, String queue) throws Exception {
            double w = Math.max(0.5, options.seconds() / 2);
            Load.throughput(1, w, (t, n) -> b.publish("", queue, messages.next()));
            Load.throughput(16, w, (t, n) -> b.publish("", queue, messages.next()));
            publishAsync(b, queue, w, Long.MAX_VALUE);
            b.purgeQueue(queue);
            publishAsync(b, queue, 60, MIN_FILL);
            consumeRate = consume(b, queue, MANY_CONSUMERS, w);
            b.purgeQueue(queue);
        }

        /** @return how many messages keep consumers busy for {@code seconds}: twice the fastest consume rate seen, bounded */
        private long fill(double seconds) {
            return Math.max(MIN_FILL, Math.min(MAX_FILL, Math.round(consumeRate * seconds * 2)));
        }

        void run(Broker b, String queue, int r) throws Exception {
            double secs = options.seconds();
            publish1[r] = Load.throughput(1, secs, (t, n) -> b.publish("", queue, messages.next()));
            b.purgeQueue(queue);
            publish16[r] = Load.throughput(16, secs, (t, n) -> b.publish("", queue, messages.next()));
            b.purgeQueue(queue);
            async[r] = publishAsync(b, queue, secs, Long.MAX_VALUE);
            b.purgeQueue(queue);
            // enough messages for the consumers to stay busy for the whole measurement (when they drain the
            // queue earlier, the figure is the messages over the time it took)
            topUp(b, queue, fill(secs));
            consume1[r] = consume(b, queue, 1, secs);
            consumeRate = Math.max(consumeRate, consume1[r]);
            topUp(b, queue, fill(secs));
            consumeMany[r] = consume(b, queue, MANY_CONSUMERS, secs);
            consumeRate = Math.max(consumeRate, consumeMany[r]);
            Harness.progress(String.format(Locale.ROOT, "  celeriac: publish %,.0f/s (1 thread), %,.0f/s (16 threads), "
                            + "async %,.0f/s; consume+ack %,.0f/s (1), %,.0f/s (%d)", publish1[r], publish16[r], async[r],
                    consume1[r], consumeMany[r], MANY_CONSUMERS));
            if (consumeYardstick != null) {
                // the yardstick consumes the same messages from the same queue, topped up for its longer run
                topUp(b, queue, fill(consumeYardstickSeconds * 1.5));
                consumeYardstick[r] = consumeYardstickRun.call();
            }
            b.purgeQueue(queue);
        }

        /** Publishes into the queue until it holds {@code count} ready messages. */
        private void topUp(Broker b, String queue, long count) throws Exception {
            long more = count - b.queueStats(queue).messages();
            if (more > 0) {
                publishAsync(b, queue, 120, more);
            }
        }

        /**
         * Has every run end with a consume yardstick that reads the queue celeriac's consumers just read, before it
         * is purged.
         *
         * @param seconds how long the yardstick consumes
         * @param run runs it and returns its messages per second
         */
        void consumeYardstick(double seconds, java.util.concurrent.Callable<Double> run) {
            consumeYardstick = new double[publish1.length];
            consumeYardstickSeconds = seconds;
            consumeYardstickRun = run;
        }

        /**
         * Publishes from this thread with {@link Broker#publishAsync}, at most {@link #WINDOW} awaiting their
         * confirmation, for {@code seconds} or {@code count} messages, whichever comes first.
         *
         * @return messages confirmed per second, from the first publish to the last confirmation
         */
        double publishAsync(Broker b, String queue, double seconds, long count) throws Exception {
            Semaphore window = new Semaphore(WINDOW);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            long n = 0;
            while (n < count && System.nanoTime() < end && failure.get() == null) {
                window.acquire();
                b.publishAsync("", queue, messages.next()).whenComplete((v, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                    window.release();
                });
                n++;
            }
            if (!window.tryAcquire(WINDOW, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("publishes still unconfirmed after 120 s");
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (failure.get() != null) {
                throw new IllegalStateException("a publish failed: " + failure.get(), failure.get());
            }
            return n / elapsed;
        }

        /**
         * Consumes the queue with {@code consumers} subscriptions of prefetch {@link #PREFETCH}, each delivery
         * acknowledged by its handler, for {@code seconds} or until the messages that were in the queue are all
         * acknowledged. Unacknowledged deliveries go back to the queue when the subscriptions are cancelled.
         *
         * @return messages acknowledged per second
         */
        double consume(Broker b, String queue, int consumers, double seconds) throws Exception {
            long ready = b.queueStats(queue).messages();
            if (ready == 0) {
                throw new IllegalStateException("nothing to consume in " + queue);
            }
            AtomicLong acked = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch drained = new CountDownLatch(1);
            // handlers ack under the read lock; the measurement ends under the write lock, so that no ack is
            // counted after the end and none is attempted on a cancelled subscription
            ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
            boolean[] stop = {false};
            List<Subscription> subs = new ArrayList<>();
            long t0 = System.nanoTime();
            long stopped;
            long count;
            try {
                for (int i = 0; i < consumers; i++) {
                    subs.add(b.consume(List.of(queue), ConsumeOptions.prefetch(PREFETCH), d -> {
                        lock.readLock().lock();
                        try {
                            if (stop[0]) {
                                return; // left unsettled: requeued by the cancel
                            }
                            d.ack();
                            if (acked.incrementAndGet() == ready) {
                                drained.countDown();
                            }
                        } catch (RuntimeException e) {
                            failure.compareAndSet(null, e);
                            throw e;
                        } finally {
                            lock.readLock().unlock();
                        }
                    }));
                }
                drained.await((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
            } finally {
                lock.writeLock().lock();
                try {
                    stop[0] = true;
                    stopped = System.nanoTime();
                    count = acked.get();
                } finally {
                    lock.writeLock().unlock();
                }
                for (Subscription s : subs) {
                    s.cancel();
                }
            }
            if (failure.get() != null) {
                throw new IllegalStateException("an ack failed: " + failure.get(), failure.get());
            }
            if (count == 0) {
                throw new IllegalStateException("no message was consumed from " + queue + " in " + seconds + " s");
            }
            return count / ((stopped - t0) / 1e9);
        }

        /**
         * Adds the rows.
         *
         * @param name {@code Redis} or {@code RabbitMQ}
         * @param installed whether celeriac's figures were measured
         * @param sync how a synchronous publish ends, e.g. {@code waits for its confirm}
         * @param awaiting what the asynchronous publishes await
         * @param yard1 the 1-client yardstick, or {@code null}
         * @param yard16 the 16-client yardstick, or {@code null}
         * @param yardWindow the confirm-window yardstick, or {@code null}
         * @param yardConsume the 1-consumer yardstick, or {@code null}
         * @param py kombu's figures per run (may be empty)
         */
        void rows(String name, boolean installed, String sync, String awaiting, Yard yard1, Yard yard16, Yard yardWindow,
                  Yard yardConsume, List<Map<String, Object>> py) {
            Stats kPublish = Harness.celeryStats(py, m -> m.get("publish"));
            Stats kConsume = Harness.celeryStats(py, m -> m.get("consume"));
            Stats kConfirm = Harness.celeryStats(py, m -> m.get("publish_confirm"));
            String tenX = "≥10× kombu, 1 thread";
            table.add(row(installed, name + " publish, 1 thread, " + sync, publish1, yard1, 0.7, kPublish, null));
            table.add(row(installed, name + " publish, 16 threads, each " + sync.replace("waits", "waiting"), publish16, yard16,
                    null, kPublish, tenX));
            table.add(row(installed, name + " publishAsync, 1 thread, up to " + String.format(Locale.ROOT, "%,d", WINDOW)
                    + " " + awaiting, async, yardWindow, null, kPublish, tenX));
            table.add(row(installed, name + " consume+ack, 1 consumer, prefetch " + PREFETCH, consume1, yardConsume, null, kConsume,
                    "≥10× kombu"));
            table.add(row(installed, name + " consume+ack, " + MANY_CONSUMERS + " consumers, prefetch " + PREFETCH + " each",
                    consumeMany, null, null, kConsume, "≥10× kombu"));
            if (kConfirm != null) {
                table.add(row(installed, name + " publish, 1 thread, " + sync + ", against kombu with confirm_publish",
                        publish1, null, null, kConfirm, null));
            }
        }

        /**
         * One row: celeriac's figure (or "not installed"), a yardstick with its per-run ratio and a target on it, kombu
         * with a target on the ratio to it.
         */
        Row row(boolean installed, String figure, double[] celeriacRuns, Yard yard, Double yardTarget, Stats kombuStats,
                String kombuTarget) {
            return brokerRow(installed ? Stats.of(celeriacRuns) : null, celeriacRuns, figure, yard, yardTarget, kombuStats, kombuTarget);
        }
    }

    /**
     * Builds a broker row; package-private and static so that the table logic is tested without servers.
     *
     * @param celeriacStats celeriac's figures, or {@code null} when not installed
     * @param celeriacRuns celeriac's figure per run (read only when {@code celeriacStats} is given)
     * @param yard the yardstick, or {@code null}
     * @param yardTarget the least celeriac / yardstick ratio (median of the runs), or {@code null}
     * @param kombuStats kombu's figures, or {@code null} when not measured
     * @param kombuTarget the target on celeriac / kombu in words (its number is the first number in it), or {@code null}
     */
    static Row brokerRow(Stats celeriacStats, double[] celeriacRuns, String figure, Yard yard, Double yardTarget, Stats kombuStats,
                   String kombuTarget) {
        Row row = celeriacStats == null ? Row.missing(figure, "msgs/s", "not installed") : Row.plain(figure, "msgs/s", celeriacStats);
        String target = null;
        Boolean met = null;
        if (yard != null) {
            Stats ratios = null;
            if (celeriacStats != null) {
                double[] ratio = new double[yard.perRun().length];
                for (int r = 0; r < ratio.length; r++) {
                    ratio[r] = celeriacRuns[r] / yard.perRun()[r];
                }
                ratios = Stats.of(ratio);
            }
            row = row.withYardstick(yard.name(), Stats.of(yard.perRun()), ratios);
            if (yardTarget != null) {
                target = "≥" + yardTarget + "× " + yard.name();
                met = ratios == null ? null : ratios.median() >= yardTarget;
            }
        }
        if (kombuStats != null) {
            row = row.withCelery(kombuStats);
        }
        if (kombuTarget != null) {
            double least = Double.parseDouble(kombuTarget.replaceAll("^[^0-9]*([0-9.]+).*$", "$1"));
            Boolean kombuMet = row.celeryRatio() == null ? null : row.celeryRatio() >= least;
            target = target == null ? kombuTarget : target + "; " + kombuTarget;
            if (met == null) {
                met = kombuMet;
            } else if (kombuMet != null) {
                met = met && kombuMet;
            }
        }
        return target == null ? row : row.withTarget(target, met);
    }
}
