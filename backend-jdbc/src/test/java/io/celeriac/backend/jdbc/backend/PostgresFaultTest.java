package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.jdbc.backend.internal.JdbcBackend;
import io.celeriac.tck.ChordRace;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.PrivatePostgres;
import io.celeriac.testing.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database backend under faults, on a private PostgreSQL cluster of this test's own: every pooled and
 * listening connection terminated with {@code pg_terminate_backend} during a load of storing threads and
 * waiters, and a crash (immediate shutdown) and restart during the same load, lose no acknowledged store and
 * leave no waiter hanging; serialization failures of concurrent writes to one task are retried and end
 * consistent; a chord completed by many threads across a restart fires its body exactly once, and so does a
 * chord whose completing claim committed but lost its reply with the connection.
 */
class PostgresFaultTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    /** Retries every 20-100 ms for well over 20 s: longer than any outage below. */
    private static final RetryPolicy PATIENT = new RetryPolicy(400, Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(100));

    private static PrivatePostgres pg;
    private PostgresTestServer server;
    private String schema;
    private final List<Backend> opened = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        pg = PrivatePostgres.start();
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void freshSchema() {
        if (!pg.isRunning()) {
            pg.restart();
        }
        server = pg.server();
        schema = server.createSchema();
    }

    @AfterEach
    void dropSchema() {
        opened.forEach(Backend::close);
        server.dropSchema(schema);
    }

    private static Duration t(long millis) {
        return Tck.timeout(Duration.ofMillis(millis));
    }

    private Backend open(String params, BackendOptions.Builder options) {
        Backend b = CELERIAC.openBackend(server.celeryUrl(server.database()) + (params.isEmpty() ? "" : "?" + params),
                options.property(JdbcBackendConfig.TASK_SCHEMA, schema).property(JdbcBackendConfig.GROUP_SCHEMA, schema).build());
        opened.add(b);
        return b;
    }

    /** Terminates every client connection but this one; returns how many. */
    private int terminateAll() throws SQLException {
        try (Connection c = server.connect(server.database()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** What a load saw: every acknowledged store, and the waiters' futures. */
    private record Load(Map<String, Long> acknowledged, List<CompletableFuture<TaskMeta>> waits, int faults) {
    }

    /**
     * 16 threads store results (a third of them of the 200 waited ids) while {@code fault} runs {@code rounds}
     * times, each time after more stores were acknowledged; every store must be acknowledged in the end.
     */
    private Load loadWith(Backend writer, Backend waiter, int rounds, FaultAction fault) throws Exception {
        int threads = 16;
        int waited = 200;
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<CompletableFuture<TaskMeta>> waits = new ArrayList<>();
        for (int i = 0; i < waited; i++) {
            waits.add(waiter.waitForAsync("waited-" + i, t(240_000)));
        }
        AtomicBoolean faultsDone = new AtomicBoolean();
        AtomicInteger afterFaults = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int faults = 0;
        try {
            List<Future<?>> workers = new ArrayList<>();
            long deadline = System.nanoTime() + t(240_000).toNanos();
            for (int w = 0; w < threads; w++) {
                int me = w;
                workers.add(pool.submit(() -> {
                    int nextWaited = me;
                    for (long k = 0; k < 100_000 && System.nanoTime() < deadline; k++) {
                        boolean moreWaited = nextWaited < waited;
                        if (!moreWaited && faultsDone.get() && afterFaults.get() >= threads * 10) {
                            return;
                        }
                        String id;
                        if (moreWaited && k % 3 == 0) {
                            id = "waited-" + nextWaited;
                            nextWaited += threads;
                        } else {
                            id = "load-" + me + "-" + k;
                        }
                        try {
                            writer.storeResult(id, k, TaskState.SUCCESS);
                            acknowledged.put(id, k);
                            if (faultsDone.get()) {
                                afterFaults.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            errors.add(e);
                            return;
                        }
                    }
                }));
            }
            for (int r = 1; r <= rounds; r++) {
                int target = r * 60;
                await().atMost(t(120_000)).pollInterval(Duration.ofMillis(2)).until(() -> acknowledged.size() >= target || !errors.isEmpty());
                if (!errors.isEmpty()) {
                    break;
                }
                fault.run();
                faults++;
            }
            faultsDone.set(true);
            for (Future<?> w : workers) {
                w.get(t(250_000).toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(errors).as("stores that failed although every outage was shorter than the retry policy").isEmpty();
        return new Load(acknowledged, waits, faults);
    }

    private void assertEverythingArrived(Backend reader, Load load) throws Exception {
        for (int i = 0; i < load.waits().size(); i++) {
            String id = "waited-" + i;
            TaskMeta m = load.waits().get(i).get(t(60_000).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(m.status()).as(id).isEqualTo(TaskState.SUCCESS);
            assertThat(m.result()).as(id).isEqualTo(load.acknowledged().get(id));
        }
        Map<String, TaskMeta> stored = reader.getMany(load.acknowledged().keySet());
        load.acknowledged().forEach((id, v) -> assertThat(stored.get(id).result()).as("acknowledged store of %s", id).isEqualTo(v));
    }

    /** A fault injected during a load. */
    @FunctionalInterface
    private interface FaultAction {
        void run() throws Exception;
    }

    @Test
    void terminatingEveryPooledAndListeningConnectionUnderLoadLosesNothing() throws Exception {
        Backend writer = open("pool_size=16", BackendOptions.builder().retryPolicy(PATIENT));
        Backend waiter = open("", BackendOptions.builder().retryPolicy(PATIENT));
        waiter.waitForAsync("warm-up", t(60_000)); // the listener connects
        AtomicInteger terminated = new AtomicInteger();
        Load load = loadWith(writer, waiter, 3, () -> {
            // a round may start while the listener or the pool is still reconnecting from the last one: it keeps
            // terminating what is connected until two connections (of the pool and the listener) went down
            AtomicInteger round = new AtomicInteger();
            await().atMost(t(60_000)).pollInterval(Duration.ofMillis(5)).until(() -> round.addAndGet(terminateAll()) >= 2);
            terminated.addAndGet(round.get());
        });
        assertThat(load.faults()).isEqualTo(3);
        assertThat(terminated.get()).as("connections terminated").isGreaterThanOrEqualTo(3 * 2);
        assertEverythingArrived(waiter, load);
        assertThat(((JdbcBackend) waiter).listenerReconnects()).as("the listener reconnected").isGreaterThanOrEqualTo(1);
    }

    @Test
    void aCrashAndRestartUnderLoadLosesNothing() throws Exception {
        Backend writer = open("pool_size=16", BackendOptions.builder().retryPolicy(PATIENT));
        Backend waiter = open("", BackendOptions.builder().retryPolicy(PATIENT));
        Load load = loadWith(writer, waiter, 1, () -> {
            pg.crash();
            Thread.sleep(300); // stores and the listener keep trying while the server is down
            pg.restart();
        });
        assertThat(load.faults()).isEqualTo(1);
        assertEverythingArrived(waiter, load);
        assertThat(((JdbcBackend) waiter).listenerReconnects()).as("the listener reconnected").isGreaterThanOrEqualTo(1);
    }

    @Test
    void serializationFailuresOfConcurrentWritesToOneTaskAreRetriedAndEndConsistent() throws Exception {
        long before = pg.logLinesContaining("could not serialize access");
        RetryPolicy quick = new RetryPolicy(1000, Duration.ZERO, Duration.ofMillis(2), Duration.ofMillis(20));
        // every transaction of this backend is SERIALIZABLE: concurrent upserts of one row fail with 40001. Batching
        // is off: it would write the concurrent stores one transaction after the other, and so never conflict
        Backend b = open("pool_size=16&batching=false&options=-c+default_transaction_isolation%3Dserializable",
                BackendOptions.builder().retryPolicy(quick));
        String id = "contended";
        b.markAsStarted(id, Map.of("pid", 1L));
        int threads = 16;
        int each = 25;
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int me = w;
                workers.add(pool.submit(() -> {
                    for (int k = 0; k < each; k++) {
                        try {
                            b.storeResult(id, Map.of("thread", (long) me, "step", (long) k), TaskState.of("PROGRESS"));
                        } catch (RuntimeException e) {
                            errors.add(e);
                        }
                    }
                }));
            }
            for (Future<?> w : workers) {
                w.get(t(180_000).toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(errors).as("writes that failed instead of being retried").isEmpty();
        long failures = pg.logLinesContaining("could not serialize access") - before;
        assertThat(failures).as("serialization failures the server reported (and the backend retried)").isPositive();
        TaskMeta progress = b.getTaskMeta(id);
        assertThat(progress.status().name()).isEqualTo("PROGRESS");
        assertThat(progress.result()).isInstanceOf(Map.class);

        // a final SUCCESS among concurrent later writes: SUCCESS wins and stays
        List<CompletableFuture<Void>> racers = new ArrayList<>();
        ExecutorService race = Executors.newFixedThreadPool(8);
        try {
            racers.add(CompletableFuture.runAsync(() -> b.storeResult(id, "done", TaskState.SUCCESS), race));
            for (int i = 0; i < 7; i++) {
                long n = i;
                racers.add(CompletableFuture.runAsync(() -> b.storeResult(id, Map.of("late", n), TaskState.of("PROGRESS")), race));
            }
            CompletableFuture.allOf(racers.toArray(CompletableFuture[]::new)).get(t(60_000).toMillis(), TimeUnit.MILLISECONDS);
            b.storeResult(id, "after", TaskState.of("PROGRESS"));
        } finally {
            race.shutdownNow();
        }
        TaskMeta last = b.getTaskMeta(id);
        assertThat(last.status()).isEqualTo(TaskState.SUCCESS);
        assertThat(last.result()).isEqualTo("done");
        try (Connection c = server.connect(server.database()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".celery_taskmeta WHERE task_id = '" + id + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("one row for the task").isEqualTo(1);
        }
    }

    @Test
    void aChordOfFiveHundredPartsCompletedByThirtyTwoThreadsAcrossARestartFiresItsBodyOnce() throws Exception {
        List<ChordCompletion> firings = new CopyOnWriteArrayList<>();
        Backend b = open("pool_size=16", BackendOptions.builder().retryPolicy(PATIENT).chordCallback(firings::add));
        ChordRace.Outcome race = ChordRace.run(b, "chord-under-restart", 500, 32, t(180_000), () -> {
            pg.crash();
            Thread.sleep(300); // parts keep coming while the server is down
            pg.restart();
        });
        assertThat(race.errors()).as("parts that failed although the outage was shorter than the retry policy").isEmpty();
        assertThat(race.reportedBeforeFault()).as("parts reported when the server was back").isLessThan(500);
        assertThat(race.reported()).isEqualTo(500);
        assertThat(firings).as("body firings").hasSize(1);
        assertThat(race.completions()).as("parts that were told they completed the chord").hasSize(1);
        assertThat(firings.get(0).results()).isEqualTo(ChordRace.results(500));
    }

    private boolean chordCounterGone(String groupId) {
        try (Connection c = server.connect(server.database());
             java.sql.PreparedStatement st = c.prepareStatement("SELECT count(*) FROM " + schema + ".celeriac_chord WHERE group_id = ?")) {
            st.setString(1, groupId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aChordWhoseCompletingClaimLosesItsReplyStillFiresItsBodyOnce() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", pg.port())) {
            List<ChordCompletion> firings = new CopyOnWriteArrayList<>();
            Backend b = CELERIAC.openBackend("db+postgresql://" + server.user() + "@127.0.0.1:" + proxy.port() + "/"
                            + server.database() + "?pool_size=1",
                    BackendOptions.builder().retryPolicy(PATIENT).chordCallback(firings::add)
                            .property(JdbcBackendConfig.TASK_SCHEMA, schema).property(JdbcBackendConfig.GROUP_SCHEMA, schema).build());
            opened.add(b);
            String gid = "lost-claim";
            b.setChordSize(gid, 3);
            assertThat(b.onChordPartReturn(new ChordPart(gid, "p0", 0, TaskState.SUCCESS, 0L, null, null))).isEmpty();
            assertThat(b.onChordPartReturn(new ChordPart(gid, "p1", 1, TaskState.SUCCESS, 1L, null, null))).isEmpty();
            assertThat(chordCounterGone(gid)).isFalse();
            // the completing part's claim commits on the server, and its reply is lost with the connection: the
            // part retries, and must still win the chord
            proxy.loseReplyOnceWhen(() -> chordCounterGone(gid));
            ChordPart last = new ChordPart(gid, "p2", 2, TaskState.SUCCESS, 2L, null, null);
            Optional<ChordCompletion> done = b.onChordPartReturn(last);
            assertThat(proxy.replyLost()).as("the claim's reply was lost").isTrue();
            assertThat(done).as("the completing part, after its retry").isPresent();
            assertThat(done.get().results()).containsExactly(0L, 1L, 2L);
            assertThat(firings).as("body firings").hasSize(1);
            assertThat(b.onChordPartReturn(last)).as("a later duplicate of the completing part").isEmpty();
            assertThat(firings).as("body firings").hasSize(1);
        }
    }
}
