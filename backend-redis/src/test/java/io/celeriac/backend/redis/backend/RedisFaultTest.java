package io.celeriac.backend.redis.backend;

import io.celeriac.backend.redis.backend.internal.RedisBackend;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.tck.ChordRace;
import io.celeriac.tck.Tck;
import io.celeriac.tck.ThreadLeaks;
import io.celeriac.testing.TcpProxy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The backend under faults, on a private redis-server killed (SIGKILL, by its pid) and restarted on the
 * same port with its append-only file: a restart during a load of storing threads and waiters loses no
 * acknowledged store, wakes every waiter and leaves no thread behind after close; an outage longer than
 * the retry policy makes stores fail loudly, never silently; a server that never answers fails within the
 * configured timeout; a chord completed by many threads across a restart fires its body exactly once, and
 * so does a chord whose completing claim ran on the server but lost its reply with the connection.
 */
class RedisFaultTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    /** Retries every 50-100 ms for about 20 s: longer than any outage below. */
    private static final RetryPolicy PATIENT = new RetryPolicy(200, Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(100));

    private static Duration t(long millis) {
        return Tck.timeout(Duration.ofMillis(millis));
    }

    private static PrivateRedis durableRedis() {
        return PrivateRedis.start("--appendonly", "yes", "--appendfsync", "always");
    }

    @Test
    void aRestartUnderSixteenStoringThreadsAndTwoHundredWaitersLosesNothingAndLeaksNoThread() throws Exception {
        try (PrivateRedis redis = durableRedis()) {
            ThreadLeaks threadsBefore = ThreadLeaks.snapshot();
            int threads = 16;
            int waited = 200;
            BackendOptions options = BackendOptions.builder().retryPolicy(PATIENT).build();
            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            List<Throwable> storeErrors = new CopyOnWriteArrayList<>();
            List<CompletableFuture<TaskMeta>> waits = new ArrayList<>();
            AtomicInteger storesAfterRestart = new AtomicInteger();
            AtomicBoolean restarted = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try (RedisBackend waiter = (RedisBackend) CELERIAC.openBackend(redis.url(3), options);
                 Backend writer = CELERIAC.openBackend(redis.url(3) + "?max_connections=" + threads, options)) {
                for (int i = 0; i < waited; i++) {
                    waits.add(waiter.waitForAsync("waited-" + i, t(180_000)));
                }
                await().atMost(t(20_000)).until(() -> waiter.pendingWaitCount() == waited);
                await().atMost(t(20_000)).until(() -> redis.call("PUBSUB", "NUMSUB", "celery-task-meta-waited-" + (waited - 1))
                        .toString().endsWith(", 1]"));
                List<Future<?>> workers = new ArrayList<>();
                long deadline = System.nanoTime() + t(180_000).toNanos();
                for (int w = 0; w < threads; w++) {
                    int me = w;
                    workers.add(pool.submit(() -> {
                        int nextWaited = me;
                        // every third store is of a waited id, until this thread's share is done and it stored
                        // enough after the restart
                        for (long k = 0; k < 200_000 && System.nanoTime() < deadline; k++) {
                            boolean moreWaited = nextWaited < waited;
                            if (!moreWaited && restarted.get() && storesAfterRestart.get() >= threads * 25) {
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
                                if (restarted.get()) {
                                    storesAfterRestart.incrementAndGet();
                                }
                            } catch (RuntimeException e) {
                                storeErrors.add(e);
                                return;
                            }
                        }
                    }));
                }
                await().atMost(t(60_000)).pollInterval(Duration.ofMillis(1))
                        .until(() -> acknowledged.keySet().stream().filter(id -> id.startsWith("waited-")).count() >= waited / 3);
                redis.kill();
                int atKill = acknowledged.size();
                Thread.sleep(300); // the server stays down while every thread is mid-store
                redis.restart();
                restarted.set(true);
                for (Future<?> w : workers) {
                    w.get(t(200_000).toMillis(), TimeUnit.MILLISECONDS);
                }
                assertThat(storeErrors).as("stores that failed although the outage was shorter than the retry policy").isEmpty();
                assertThat(atKill).as("the kill came in the middle of the load").isLessThan(acknowledged.size());
                assertThat(storesAfterRestart.get()).isGreaterThanOrEqualTo(threads * 25);

                for (int i = 0; i < waited; i++) {
                    String id = "waited-" + i;
                    TaskMeta m = waits.get(i).get(t(60_000).toMillis(), TimeUnit.MILLISECONDS);
                    assertThat(m.status()).as(id).isEqualTo(TaskState.SUCCESS);
                    assertThat(m.result()).as(id).isEqualTo(acknowledged.get(id));
                }
                Map<String, TaskMeta> stored = waiter.getMany(acknowledged.keySet());
                for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
                    assertThat(stored.get(e.getKey()).result()).as("acknowledged store of %s after the restart", e.getKey())
                            .isEqualTo(e.getValue());
                }
                assertThat(waiter.subscriberConnectCount()).as("the subscriber reconnected").isGreaterThanOrEqualTo(2);
                await().atMost(t(10_000)).until(() -> waiter.pendingWaitCount() == 0);
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            threadsBefore.assertNoNewThreads(t(20_000), Set.of());
        }
    }

    @Test
    void aServerThatNeverAnswersGivesATypedErrorOnceTheConfiguredTimeoutsAreSpent() throws Exception {
        // a listening socket that accepts connections and never replies: every call times out
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Thread acceptor = new Thread(() -> {
            for (int i = 0; i < 1000 && !silent.isClosed(); i++) {
                try {
                    accepted.add(silent.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        RetryPolicy twoRetries = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(10));
        String url = "redis://:s3cret-pw@127.0.0.1:" + silent.getLocalPort() + "/0?socket_timeout=0.5&socket_connect_timeout=0.5";
        try (Backend b = CELERIAC.openBackend(url, BackendOptions.builder().retryPolicy(twoRetries).build())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> b.storeResult("silent-1", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("silent-1")
                    .hasMessageContaining("after 3 attempts")
                    .hasMessageNotContaining("s3cret-pw")
                    .cause().isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("within socket_timeout 0.5 s")
                    .hasMessageNotContaining("s3cret-pw");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("three attempts that each wait for socket_timeout")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1400))
                    .isLessThan(t(30_000));

            CompletableFuture<TaskMeta> f = b.waitForAsync("silent-2", t(60_000));
            assertThatThrownBy(() -> f.get(t(30_000).toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(BackendUnavailableException.class)
                    .hasMessageNotContaining("s3cret-pw");
        } finally {
            silent.close();
            for (Socket s : accepted) {
                s.close();
            }
            acceptor.join(10_000);
        }
    }

    @Test
    void storesDuringAnOutageLongerThanTheRetryPolicyFailLoudlyAndNoneIsSilentlyDropped() throws Exception {
        try (PrivateRedis redis = durableRedis()) {
            RetryPolicy brief = new RetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(100));
            int threads = 8;
            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            Map<String, Throwable> failed = new ConcurrentHashMap<>();
            AtomicInteger attempts = new AtomicInteger();
            AtomicBoolean back = new AtomicBoolean();
            AtomicInteger storesAfterBack = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try (Backend b = CELERIAC.openBackend(redis.url(5) + "?socket_connect_timeout=1&socket_timeout=2",
                    BackendOptions.builder().retryPolicy(brief).build())) {
                List<Future<?>> workers = new ArrayList<>();
                long deadline = System.nanoTime() + t(120_000).toNanos();
                for (int w = 0; w < threads; w++) {
                    int me = w;
                    workers.add(pool.submit(() -> {
                        for (long k = 0; k < 100_000 && System.nanoTime() < deadline; k++) {
                            if (back.get() && storesAfterBack.get() >= threads * 20) {
                                return;
                            }
                            String id = "outage-" + me + "-" + k;
                            attempts.incrementAndGet();
                            try {
                                b.storeResult(id, k, TaskState.SUCCESS);
                                acknowledged.put(id, k);
                                if (back.get()) {
                                    storesAfterBack.incrementAndGet();
                                }
                            } catch (UnableToStoreResultException e) {
                                failed.put(id, e);
                            } catch (RuntimeException e) {
                                failed.put(id, e); // asserted below: only the typed failure is allowed
                            }
                        }
                    }));
                }
                await().atMost(t(30_000)).pollInterval(Duration.ofMillis(1)).until(() -> acknowledged.size() >= 200);
                redis.kill();
                // down until every thread has had at least one store fail for good
                await().atMost(t(60_000)).pollInterval(Duration.ofMillis(5)).until(() -> failed.size() >= threads * 2);
                redis.restart();
                back.set(true);
                for (Future<?> w : workers) {
                    w.get(t(150_000).toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(acknowledged.size() + failed.size()).as("every store either acknowledged or failed").isEqualTo(attempts.get());
            assertThat(failed).hasSizeGreaterThanOrEqualTo(threads * 2);
            assertThat(storesAfterBack.get()).as("stores work again after the outage").isGreaterThanOrEqualTo(threads * 20);
            failed.forEach((id, e) -> assertThat(e).as(id)
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining(id)
                    .hasMessageContaining("after 5 attempts")
                    .hasCauseInstanceOf(BackendUnavailableException.class));
            try (Backend reader = CELERIAC.openBackend(redis.url(5))) {
                Map<String, TaskMeta> stored = reader.getMany(acknowledged.keySet());
                acknowledged.forEach((id, v) -> assertThat(stored.get(id).result()).as("acknowledged %s", id).isEqualTo(v));
                assertThatThrownBy(() -> reader.waitFor("never-stored", Duration.ofMillis(200)))
                        .isInstanceOf(WaitTimeoutException.class);
            }
        }
    }

    @Test
    void aChordOfFiveHundredPartsCompletedByThirtyTwoThreadsAcrossARestartFiresItsBodyOnce() throws Exception {
        try (PrivateRedis redis = durableRedis()) {
            List<ChordCompletion> firings = new CopyOnWriteArrayList<>();
            BackendOptions options = BackendOptions.builder().retryPolicy(PATIENT).chordCallback(firings::add).build();
            ChordRace.Outcome race;
            try (Backend b = CELERIAC.openBackend(redis.url(6) + "?max_connections=32", options)) {
                race = ChordRace.run(b, "chord-under-restart", 500, 32, t(120_000), () -> {
                    redis.kill();
                    Thread.sleep(300); // parts keep coming while the server is down
                    redis.restart();
                });
            }
            assertThat(race.errors()).as("parts that failed although the outage was shorter than the retry policy").isEmpty();
            assertThat(race.reportedBeforeFault()).as("parts reported when the server was back").isLessThan(500);
            assertThat(race.reported()).isEqualTo(500);
            assertThat(firings).as("body firings").hasSize(1);
            assertThat(race.completions()).as("parts that were told they completed the chord").hasSize(1);
            assertThat(firings.get(0).results()).isEqualTo(ChordRace.results(500));
        }
    }

    @Test
    void aChordWhoseCompletingClaimLosesItsReplyStillFiresItsBodyOnce() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(); TcpProxy proxy = new TcpProxy("127.0.0.1", redis.port())) {
            List<ChordCompletion> firings = new CopyOnWriteArrayList<>();
            try (Backend b = CELERIAC.openBackend("redis://127.0.0.1:" + proxy.port() + "/0",
                    BackendOptions.builder().retryPolicy(PATIENT).chordCallback(firings::add).build())) {
                String gid = "lost-claim";
                b.setChordSize(gid, 3);
                assertThat(b.onChordPartReturn(new ChordPart(gid, "p0", 0, TaskState.SUCCESS, 0L, null, null))).isEmpty();
                assertThat(b.onChordPartReturn(new ChordPart(gid, "p1", 1, TaskState.SUCCESS, 1L, null, null))).isEmpty();
                // the completing part's claim (the transaction that deletes the chord's keys) runs on the server,
                // and its reply is lost with the connection: the part retries, and must still win the chord
                String sizeKey = "celery-taskset-meta-" + gid + ".s";
                proxy.loseReplyOnceWhen(() -> Long.valueOf(0).equals(redis.call("EXISTS", sizeKey)));
                ChordPart last = new ChordPart(gid, "p2", 2, TaskState.SUCCESS, 2L, null, null);
                Optional<ChordCompletion> done = b.onChordPartReturn(last);
                assertThat(proxy.replyLost()).as("the claim's reply was lost").isTrue();
                assertThat(redis.call("EXISTS", sizeKey)).as("the claim ran on the server").isEqualTo(0L);
                assertThat(done).as("the completing part, after its retry").isPresent();
                assertThat(done.get().results()).containsExactly(0L, 1L, 2L);
                assertThat(firings).as("body firings").hasSize(1);
                assertThat(b.onChordPartReturn(last)).as("a later duplicate of the completing part").isEmpty();
                assertThat(firings).as("body firings").hasSize(1);
            }
        }
    }

    @Test
    void anUnorderedChordWhoseLastCountLosesItsReplyStillFiresItsBodyOnce() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(); TcpProxy proxy = new TcpProxy("127.0.0.1", redis.port())) {
            List<ChordCompletion> firings = new CopyOnWriteArrayList<>();
            try (Backend b = CELERIAC.openBackend("redis://127.0.0.1:" + proxy.port() + "/0?result_chord_ordered=false",
                    BackendOptions.builder().retryPolicy(PATIENT).chordCallback(firings::add).build())) {
                String gid = "lost-count";
                String joinKey = "celery-taskset-meta-" + gid + ".j";
                b.setChordSize(gid, 3);
                assertThat(b.onChordPartReturn(new ChordPart(gid, "p0", 0, TaskState.SUCCESS, 0L, null, null))).isEmpty();
                assertThat(b.onChordPartReturn(new ChordPart(gid, "p1", 1, TaskState.SUCCESS, 1L, null, null))).isEmpty();
                // the last part is pushed onto the list on the server, and the reply is lost: its retry must not
                // push it twice (the count would pass the chord's size and the chord never complete)
                proxy.loseReplyOnceWhen(() -> Long.valueOf(3).equals(redis.call("LLEN", joinKey)));
                Optional<ChordCompletion> done = b.onChordPartReturn(new ChordPart(gid, "p2", 2, TaskState.SUCCESS, 2L, null, null));
                assertThat(proxy.replyLost()).as("the count's reply was lost").isTrue();
                assertThat(done).as("the completing part, after its retry").isPresent();
                assertThat(done.get().results()).containsExactly(0L, 1L, 2L);
                assertThat(firings).as("body firings").hasSize(1);
            }
        }
    }
}
