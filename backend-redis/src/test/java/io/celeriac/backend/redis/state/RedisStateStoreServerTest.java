package io.celeriac.backend.redis.state;

import io.celeriac.backend.redis.state.internal.RedisStateStore;
import io.celeriac.Celeriac;
import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.UnableToOpenStateStoreException;
import io.celeriac.state.UnableToSaveStateException;
import io.celeriac.state.WorkerState;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeout;

/**
 * The Redis state store against private redis-servers started for the test and stopped by their pid: a
 * server killed and restarted under a stream of revokes (append-only file, fsync always), servers that are
 * unreachable at open and during a revoke, a unix socket with a password, and revokes batched into shared
 * round trips.
 */
class RedisStateStoreServerTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final StateStoreOptions NO_HOOK = StateStoreOptions.builder().property("shutdown_hook", "false").build();

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    @SuppressWarnings("unchecked")
    private static List<String> members(PrivateRedis redis, String key) {
        return (List<String>) redis.call("ZRANGE", key, "0", "-1");
    }

    @Test
    void everyAcknowledgedRevokeAndClockValueSurvivesARedisRestart() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start("--appendonly", "yes", "--appendfsync", "always")) {
            // patient: retries every 20-50 ms for about 20 s, longer than the outage below
            String url = redis.url(0) + "?socket_timeout=5&socket_connect_timeout=1&max_retries=400&interval_start=0.02"
                    + "&interval_step=0.02&interval_max=0.05&clock_reserve=50";
            StateStore first = CELERIAC.openStateStore(url, NO_HOOK);
            WorkerState w = WorkerState.withCeleryDefaults();
            first.merge(w);
            int threads = 3;
            int perThread = 300;
            ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
            AtomicLong highestClock = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
            int ackedBeforeKill;
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int k = 0; k < threads; k++) {
                    int thread = k;
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            String id = "restart-" + thread + "-" + i;
                            w.revoked().add(id);
                            acknowledged.add(id);
                        }
                        return null;
                    }));
                }
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 3_000; i++) {
                        highestClock.accumulateAndGet(w.clock().forward(), Math::max);
                    }
                    return null;
                }));
                await().atMost(t(20)).pollInterval(Duration.ofMillis(1)).until(() -> acknowledged.size() >= threads * perThread / 4);
                redis.kill(); // SIGKILL by pid: no shutdown save, only the append-only file
                ackedBeforeKill = acknowledged.size();
                Thread.sleep(300);
                redis.restart(); // same port, same directory
                for (Future<?> f : work) {
                    f.get(t(60).toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(ackedBeforeKill).as("the kill came while revokes were going on").isBetween(1, threads * perThread - 1);
            assertThat(acknowledged).as("every revoke was retried until Redis was back").hasSize(threads * perThread);

            // a new worker, while the first never closed (as if it had been killed too)
            WorkerState restarted = WorkerState.withCeleryDefaults();
            try (StateStore second = CELERIAC.openStateStore(url, NO_HOOK)) {
                second.merge(restarted);
                assertThat(restarted.revoked().asMap().keySet()).containsAll(acknowledged);
                assertThat(restarted.clock().value()).as("above every clock value handed out before").isGreaterThan(highestClock.get());
            }
            first.close();
        }
    }

    @Test
    void anUnreachableRedisIsANeutralServiceUnavailableNotABackendError() {
        int port = PrivateRedis.freePort(); // nothing listens there
        String url = "redis://127.0.0.1:" + port + "/0?max_retries=0&socket_connect_timeout=1";
        Throwable thrown = assertTimeout(t(30), () -> catchThrowable(() -> CELERIAC.openStateStore(url, NO_HOOK)));
        assertThat(thrown).isInstanceOf(UnableToOpenStateStoreException.class);
        assertThat(thrown.getCause()).as("the state store is not a result backend")
                .isInstanceOf(ServiceUnavailableException.class)
                .isNotInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("refused");
    }

    @Test
    void anUnreachableRedisAtOpenGivesTheTypedErrorWithoutThePassword() {
        int port = PrivateRedis.freePort(); // nothing listens there
        String url = "redis://:s3cret-pw@127.0.0.1:" + port + "/0?max_retries=3&interval_start=0.05&interval_step=0.05"
                + "&socket_connect_timeout=1";
        Throwable thrown = assertTimeout(t(30), () -> catchThrowable(() -> CELERIAC.openStateStore(url, NO_HOOK)));
        assertThat(thrown).isInstanceOf(UnableToOpenStateStoreException.class)
                .hasMessageContaining("redis://:**@127.0.0.1:" + port + "/0 (keys celeriac-state-celery:*)")
                .hasMessageContaining("refused")
                .hasMessageNotContaining("s3cret-pw");
    }

    @Test
    void aRevokeWhileRedisIsDownFailsLoudlyAndTheNextSyncStoresIt() {
        try (PrivateRedis redis = PrivateRedis.start()) { // no persistence: a restart comes back empty
            String url = redis.url(0) + "?max_retries=3&interval_start=0.05&interval_step=0.05&socket_timeout=1"
                    + "&socket_connect_timeout=1&clock_reserve=5";
            try (StateStore s = CELERIAC.openStateStore(url, NO_HOOK)) {
                WorkerState w = WorkerState.withCeleryDefaults();
                s.merge(w);
                w.revoked().add("before");
                redis.kill();
                Throwable thrown = assertTimeout(t(30), () -> catchThrowable(() -> w.revoked().add("during")));
                assertThat(thrown).isInstanceOf(UnableToSaveStateException.class)
                        .hasMessageContaining(s.location())
                        .hasMessageContaining("the revoke of during could not be stored in Redis");
                assertThat(w.revoked().contains("during")).as("revoked in memory, not acknowledged as stored").isTrue();
                Throwable clock = assertTimeout(t(30), () -> catchThrowable(() -> {
                    for (int i = 0; i < 10; i++) {
                        w.clock().forward();
                    }
                }));
                assertThat(clock).as("a clock step past the stored ceiling").isInstanceOf(UnableToSaveStateException.class)
                        .hasMessageContaining("the clock value");

                redis.restart();
                s.sync(w); // Celery's sync writes the whole set: Redis is refilled
                assertThat(members(redis, "celeriac-state-celery:revoked")).containsExactlyInAnyOrder("before", "during");
                assertThat(Long.parseLong((String) redis.call("GET", "celeriac-state-celery:clock")))
                        .isGreaterThanOrEqualTo(w.clock().value());
            }
        }
    }

    @Test
    void aUnixSocketWithAPasswordAndADatabase() throws Exception {
        Path dir = Files.createTempDirectory("celeriac-state-sock-");
        Path socket = dir.resolve("redis.sock");
        try (PrivateRedis redis = PrivateRedis.launch(0, List.of("--port", "0", "--unixsocket", socket.toString(),
                "--unixsocketperm", "700", "--requirepass", "s0cket-pw", "--save", "", "--appendonly", "no"), "ready to accept connections")) {
            assertThat(redis.isRunning()).isTrue();
            String url = "socket://" + socket + "?virtual_host=2&state_name=sock";
            StateStoreOptions withPassword = StateStoreOptions.builder().property("redis_password", "s0cket-pw")
                    .property("shutdown_hook", "false").build();
            try (StateStore s = CELERIAC.openStateStore(url, withPassword)) {
                assertThat(s).isInstanceOf(RedisStateStore.class);
                WorkerState w = WorkerState.withCeleryDefaults();
                s.merge(w);
                w.revoked().add("over-the-socket");
                s.save(w);
            }
            WorkerState again = WorkerState.withCeleryDefaults();
            try (StateStore s = CELERIAC.openStateStore(url, withPassword)) {
                s.merge(again);
            }
            assertThat(again.revoked().contains("over-the-socket")).isTrue();
            assertThat(cli(socket, "-n", "2", "ZRANGE", "celeriac-state-sock:revoked", "0", "-1")).isEqualTo("over-the-socket");
            assertThat(cli(socket, "-n", "0", "EXISTS", "celeriac-state-sock:revoked")).isEqualTo("0");

            StateStoreOptions wrong = StateStoreOptions.builder().property("redis_password", "not-it").build();
            Throwable thrown = assertTimeout(t(30), () -> catchThrowable(() -> CELERIAC.openStateStore(url, wrong)));
            assertThat(thrown).isInstanceOf(UnableToOpenStateStoreException.class)
                    .hasMessageContaining("refused the credentials").hasMessageNotContaining("not-it");
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static String cli(Path socket, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/redis-cli", "-s", socket.toString(), "--no-auth-warning", "-a", "s0cket-pw"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void concurrentRevokesShareRoundTrips() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start();
             StateStore s = CELERIAC.openStateStore(redis.url(0) + "?max_connections=16", NO_HOOK)) {
            WorkerState w = WorkerState.withCeleryDefaults();
            s.merge(w);
            w.revoked().add("warm-up");
            long before = evalshaCalls(redis);
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                // hold every client's commands for a moment, so that the eight revokes queue up behind the first
                assertThat(redis.call("CLIENT", "PAUSE", "700", "ALL")).isEqualTo("OK");
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> revokes = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    String id = "batched-" + i;
                    revokes.add(pool.submit(() -> {
                        go.await();
                        w.revoked().add(id);
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : revokes) {
                    f.get(t(30).toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            long calls = evalshaCalls(redis) - before;
            assertThat(calls).as("8 concurrent revokes: the first write, then one write for the 7 queued behind it")
                    .isBetween(1L, 3L);
            assertThat(members(redis, "celeriac-state-celery:revoked")).containsAll(Set.of("batched-0", "batched-1",
                    "batched-2", "batched-3", "batched-4", "batched-5", "batched-6", "batched-7", "warm-up"));
        }
    }

    private static long evalshaCalls(PrivateRedis redis) {
        Matcher m = Pattern.compile("cmdstat_evalsha:calls=(\\d+)").matcher(String.valueOf(redis.call("INFO", "commandstats")));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void aSentinelUrlReachesTheStoreThroughItsSentinels() {
        int port = PrivateRedis.freePort();
        String url = "sentinel://:pw@127.0.0.1:" + port + "/0?master_name=mymaster";
        Throwable thrown = assertTimeout(t(30), () -> catchThrowable(() -> CELERIAC.openStateStore(url, NO_HOOK)));
        assertThat(thrown).as("the sentinel scheme opens the Redis state store, which finds no sentinel")
                .isInstanceOf(UnableToOpenStateStoreException.class)
                .hasMessageContaining("sentinel://:**@127.0.0.1:" + port)
                .hasMessageNotContaining(":pw@");
        assertThatThrownBy(() -> CELERIAC.openStateStore("sentinel://127.0.0.1:" + port + "/0", NO_HOOK))
                .as("the sentinel URL is read by RedisConnectionConfig").hasMessageContaining("master_name");
    }
}
