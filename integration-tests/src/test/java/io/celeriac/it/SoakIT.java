package io.celeriac.it;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak: 16 threads run a mix of stores, reads, waits and forgets on the Redis (a leased database) and
 * the PostgreSQL (a schema of its own) of the test environment for {@code -Dsoak.minutes} (default 10, at
 * most 10), printing the throughput every {@code -Dsoak.interval.seconds} (default 30). It fails on any error
 * and when the heap after GC, the live threads or the connections each backend holds (Redis
 * {@code CLIENT LIST}, PostgreSQL {@code pg_stat_activity}) grow beyond what the pools allow: flat, no leak.
 *
 * <p>Tagged {@code soak}, so the default build leaves it out; {@code -Psoak} runs it alone:
 * {@code ./mvnw -B -Psoak -pl integration-tests -am verify -Dsoak.minutes=10}.
 */
@Tag("soak")
class SoakIT {

    private static final int THREADS = 16;
    private static final int REDIS_POOL = 16;
    private static final int PG_POOL = 8;
    /** Each thread keeps at most this many of its ids stored; older ones are forgotten. */
    private static final int KEEP = 500;

    /** Counters of one backend. */
    private static final class Stats {
        final String name;
        final LongAdder stores = new LongAdder();
        final LongAdder reads = new LongAdder();
        final LongAdder waits = new LongAdder();
        final LongAdder forgets = new LongAdder();
        final LongAdder errors = new LongAdder();

        Stats(String name) {
            this.name = name;
        }

        long ops() {
            return stores.sum() + reads.sum() + waits.sum() + forgets.sum();
        }
    }

    /** One sample of the resources the run holds. */
    private record Sample(double minute, long heapAfterGc, int threads, int redisConnections, int pgConnections) {
    }

    @Test
    void mixedLoadOnRedisAndPostgresRunsWithoutErrorsAndWithFlatResources() throws Exception {
        double minutes = Math.min(10.0, Double.parseDouble(System.getProperty("soak.minutes", "10")));
        long intervalSeconds = Long.getLong("soak.interval.seconds", 30);
        assertThat(minutes).as("soak.minutes").isPositive();
        RedisTestServer redis = TestServices.redis();
        PostgresTestServer pg = TestServices.postgres();
        String tag = "celeriac-soak-" + UUID.randomUUID().toString().substring(0, 8);
        String schema = pg.createSchema();
        Celeriac celeriac = Celeriac.discover();
        try (RedisTestServer.DatabaseLease lease = redis.leaseDatabase();
             Backend onRedis = celeriac.openBackend(lease.url() + "?client_name=" + tag + "&max_connections=" + REDIS_POOL
                     + "&result_expires=3600");
             Backend onPg = celeriac.openBackend(pg.celeryUrl(pg.database()) + "?application_name=" + tag + "&pool_size=" + PG_POOL,
                     BackendOptions.builder().property(JdbcBackendConfig.TASK_SCHEMA, schema)
                             .property(JdbcBackendConfig.GROUP_SCHEMA, schema).build())) {
            Stats redisStats = new Stats("redis");
            Stats pgStats = new Stats("postgresql");
            ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < THREADS; w++) {
                boolean useRedis = w % 2 == 0;
                Backend b = useRedis ? onRedis : onPg;
                Stats s = useRedis ? redisStats : pgStats;
                int me = w;
                workers.add(pool.submit(() -> work(b, s, me, tag, stop, end, firstErrors)));
            }

            List<Sample> samples = new ArrayList<>();
            long lastRedisOps = 0;
            long lastPgOps = 0;
            long intervalStart = System.nanoTime();
            System.out.printf(Locale.ROOT, "soak: %.1f min, %d threads, report every %d s%n", minutes, THREADS, intervalSeconds);
            while (System.nanoTime() < end) {
                long next = Math.min(end, intervalStart + TimeUnit.SECONDS.toNanos(intervalSeconds));
                while (System.nanoTime() < next && firstErrors.isEmpty()) {
                    TimeUnit.MILLISECONDS.sleep(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()))));
                }
                double secs = (System.nanoTime() - intervalStart) / 1e9;
                intervalStart = System.nanoTime();
                long r = redisStats.ops();
                long p = pgStats.ops();
                Sample sample = sample(start, redis, lease.db(), pg, tag);
                samples.add(sample);
                System.out.printf(Locale.ROOT,
                        "soak %5.1f min: redis %8.0f ops/s, postgresql %8.0f ops/s, errors %d; heap after GC %d MiB,"
                                + " threads %d, redis connections %d, postgresql connections %d%n",
                        sample.minute(), (r - lastRedisOps) / secs, (p - lastPgOps) / secs,
                        redisStats.errors.sum() + pgStats.errors.sum(), sample.heapAfterGc() >> 20, sample.threads(),
                        sample.redisConnections(), sample.pgConnections());
                lastRedisOps = r;
                lastPgOps = p;
                if (!firstErrors.isEmpty()) {
                    break;
                }
            }
            stop.set(true);
            pool.shutdown();
            for (Future<?> f : workers) {
                f.get(2, TimeUnit.MINUTES);
            }
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            Sample last = sample(start, redis, lease.db(), pg, tag);
            samples.add(last);
            for (Stats s : List.of(redisStats, pgStats)) {
                System.out.printf(Locale.ROOT, "soak total %s: %d stores, %d reads, %d waits, %d forgets, %d errors%n",
                        s.name, s.stores.sum(), s.reads.sum(), s.waits.sum(), s.forgets.sum(), s.errors.sum());
            }
            System.out.printf(Locale.ROOT, "soak end: heap after GC %d MiB, threads %d, redis connections %d, postgresql connections %d%n",
                    last.heapAfterGc() >> 20, last.threads(), last.redisConnections(), last.pgConnections());

            assertThat(firstErrors).as("errors during the soak (first ones)").isEmpty();
            assertThat(redisStats.errors.sum() + pgStats.errors.sum()).isZero();
            assertThat(redisStats.stores.sum()).isPositive();
            assertThat(pgStats.stores.sum()).isPositive();
            assertThat(redisStats.waits.sum()).isPositive();
            assertThat(pgStats.waits.sum()).isPositive();
            // flat: never more connections than the pools allow (+1 subscriber / listener), and the heap and
            // threads at the end no larger than after the first interval beyond a fixed margin
            for (Sample s : samples) {
                assertThat(s.redisConnections()).as("redis connections at %.1f min", s.minute()).isLessThanOrEqualTo(REDIS_POOL + 1);
                assertThat(s.pgConnections()).as("postgresql connections at %.1f min", s.minute()).isLessThanOrEqualTo(PG_POOL + 1);
            }
            Sample first = samples.get(0);
            assertThat(last.heapAfterGc()).as("heap after GC at the end vs after the first interval")
                    .isLessThanOrEqualTo(first.heapAfterGc() + (64L << 20));
            assertThat(last.threads()).as("live threads at the end vs after the first interval")
                    .isLessThanOrEqualTo(first.threads() + 2);
        } finally {
            pg.dropSchema(schema);
        }
    }

    private static void work(Backend b, Stats s, int me, String tag, AtomicBoolean stop, long end,
                             ConcurrentLinkedQueue<String> firstErrors) {
        ArrayDeque<String> kept = new ArrayDeque<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (long k = 0; k < 100_000_000L && !stop.get() && System.nanoTime() < end; k++) {
            String id = tag + "-" + me + "-" + k;
            long value = k * 31 + me;
            int op = random.nextInt(10);
            try {
                if (op < 4 || kept.isEmpty()) {
                    b.storeResult(id, Map.of("n", value), TaskState.SUCCESS);
                    s.stores.increment();
                    kept.addLast(id);
                } else if (op < 7) {
                    String old = kept.peekLast();
                    TaskMeta m = b.getTaskMeta(old);
                    if (m.status() != TaskState.SUCCESS) {
                        throw new IllegalStateException("a stored result read back as " + m.status() + ": " + old);
                    }
                    s.reads.increment();
                } else {
                    // wait, then store: the waiter must be woken by the store
                    CompletableFuture<TaskMeta> f = b.waitForAsync(id, Duration.ofSeconds(60));
                    b.storeResult(id, Map.of("n", value), TaskState.SUCCESS);
                    TaskMeta m = f.get(90, TimeUnit.SECONDS);
                    if (!Map.of("n", value).equals(m.result())) {
                        throw new IllegalStateException("the waiter of " + id + " got " + m.result());
                    }
                    s.waits.increment();
                    s.stores.increment();
                    kept.addLast(id);
                }
                while (kept.size() > KEEP) {
                    b.forget(kept.removeFirst());
                    s.forgets.increment();
                }
            } catch (Exception e) {
                s.errors.increment();
                if (firstErrors.size() < 10) {
                    firstErrors.add(s.name + ": " + e);
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static Sample sample(long start, RedisTestServer redis, int db, PostgresTestServer pg, String tag) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        int redisConnections;
        try (Resp r = redis.connect(db)) {
            redisConnections = (int) String.valueOf(r.call("CLIENT", "LIST")).lines()
                    .filter(l -> l.contains(" name=" + tag + " ")).count();
        }
        int pgConnections;
        try (Connection c = pg.connect(pg.database());
             PreparedStatement st = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            st.setString(1, tag);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                pgConnections = rs.getInt(1);
            }
        }
        return new Sample((System.nanoTime() - start) / 60e9, heap, threads, redisConnections, pgConnections);
    }
}
