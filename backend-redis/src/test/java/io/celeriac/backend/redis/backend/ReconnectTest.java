package io.celeriac.backend.redis.backend;

import io.celeriac.backend.redis.backend.internal.RedisBackend;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.tck.Tck;
import io.celeriac.testing.TcpProxy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The subscriber and the pool across lost connections: a private redis-server killed and restarted by its
 * pid on the same port, and a relay that cuts the subscriber off while results are published.
 */
class ReconnectTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    /** Retries every 50-100 ms for about 20 s: longer than any outage below. */
    private static final RetryPolicy PATIENT = new RetryPolicy(200, Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(100));

    private static Duration t(long millis) {
        return Tck.timeout(Duration.ofMillis(millis));
    }

    @Test
    void everyWaiterWakesAndNoAcknowledgedStoreIsLostWhenRedisRestarts() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start("--appendonly", "yes", "--appendfsync", "always")) {
            BackendOptions options = BackendOptions.builder().retryPolicy(PATIENT).build();
            try (RedisBackend waiter = (RedisBackend) CELERIAC.openBackend(redis.url(4), options);
                 Backend writer = CELERIAC.openBackend(redis.url(4), options)) {
                int n = 300;
                List<String> ids = new ArrayList<>();
                List<CompletableFuture<TaskMeta>> waits = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ids.add("restart-" + i);
                    waits.add(waiter.waitForAsync(ids.get(i), t(120_000)));
                }
                await().atMost(t(20_000)).until(() -> waiter.pendingWaitCount() == n);
                // settle every subscription before the restart, so that the restart, not the first connect, is tested
                await().atMost(t(20_000)).until(() -> redis.call("PUBSUB", "NUMSUB", "celery-task-meta-restart-" + (n - 1))
                        .toString().endsWith(", 1]"));

                ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
                AtomicInteger beforeKill = new AtomicInteger(-1);
                ExecutorService pool = Executors.newFixedThreadPool(3);
                try {
                    List<Future<?>> writers = new ArrayList<>();
                    for (int w = 0; w < 3; w++) {
                        int offset = w;
                        writers.add(pool.submit(() -> {
                            for (int i = offset; i < n; i += 3) {
                                writer.storeResult(ids.get(i), (long) i, TaskState.SUCCESS);
                                acknowledged.add(ids.get(i));
                            }
                        }));
                    }
                    await().atMost(t(20_000)).pollInterval(Duration.ofMillis(1)).until(() -> acknowledged.size() >= n / 4);
                    redis.kill();
                    beforeKill.set(acknowledged.size());
                    Thread.sleep(300);
                    redis.restart();
                    for (Future<?> w : writers) {
                        w.get(t(60_000).toMillis(), TimeUnit.MILLISECONDS);
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertThat(beforeKill.get()).as("the kill came while stores were going on").isBetween(1, n - 1);
                assertThat(acknowledged).hasSize(n);
                for (int i = 0; i < n; i++) {
                    assertThat(waits.get(i).get(t(60_000).toMillis(), TimeUnit.MILLISECONDS).result()).as(ids.get(i)).isEqualTo((long) i);
                }
                try (var r = redis.connect()) {
                    r.call("SELECT", "4");
                    for (int i = 0; i < n; i++) {
                        assertThat(String.valueOf(r.call("GET", "celery-task-meta-" + ids.get(i))))
                                .as("stored result of %s after the restart", ids.get(i))
                                .contains("\"result\": " + i + ",");
                    }
                }
                assertThat(waiter.subscriberConnectCount()).isGreaterThanOrEqualTo(2);
                await().atMost(t(10_000)).until(() -> waiter.pendingWaitCount() == 0);
            }
        }
    }

    @Test
    void resultsPublishedWhileTheSubscriberIsCutOffAreReadWhenItReconnects() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start();
             TcpProxy proxy = new TcpProxy("127.0.0.1", redis.port())) {
            BackendOptions options = BackendOptions.builder().retryPolicy(PATIENT).build();
            try (RedisBackend waiter = (RedisBackend) CELERIAC.openBackend("redis://127.0.0.1:" + proxy.port() + "/0", options);
                 Backend writer = CELERIAC.openBackend(redis.url(0))) {
                int n = 50;
                List<CompletableFuture<TaskMeta>> waits = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    waits.add(waiter.waitForAsync("cut-" + i, t(60_000)));
                }
                await().atMost(t(20_000)).until(() -> redis.call("PUBSUB", "NUMSUB", "celery-task-meta-cut-" + (n - 1))
                        .toString().endsWith(", 1]"));
                proxy.accepting(false);
                proxy.cutAll();
                await().atMost(t(10_000)).until(() -> redis.call("PUBSUB", "NUMPAT").equals(0L)
                        && redis.call("PUBSUB", "NUMSUB", "celery-task-meta-cut-0").toString().endsWith(", 0]"));
                for (int i = 0; i < n; i++) {
                    writer.storeResult("cut-" + i, "r" + i, TaskState.SUCCESS); // published to nobody
                }
                assertThat(waits).noneMatch(CompletableFuture::isDone);
                proxy.accepting(true);
                for (int i = 0; i < n; i++) {
                    assertThat(waits.get(i).get(t(30_000).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("r" + i);
                }
                assertThat(waiter.subscriberConnectCount()).isGreaterThanOrEqualTo(2);
            }
        }
    }

    @Test
    void pooledConnectionsKilledByTheServerAreReplaced() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start();
             Backend b = CELERIAC.openBackend(redis.url(0) + "?health_check_interval=0.2&client_name=killme",
                     BackendOptions.builder().retryPolicy(PATIENT).build())) {
            CompletableFuture<TaskMeta> waiting = b.waitForAsync("after-kill", t(30_000));
            for (int i = 0; i < 10; i++) {
                b.storeResult("k" + i, (long) i, TaskState.SUCCESS);
            }
            // the subscription is made asynchronously: wait until Redis has it before cutting the subscriber
            await().atMost(t(10_000)).until(() -> redis.call("PUBSUB", "NUMSUB", "celery-task-meta-after-kill")
                    .toString().endsWith(", 1]"));
            assertThat(((Long) redis.call("CLIENT", "KILL", "TYPE", "normal"))).isPositive();
            assertThat(((Long) redis.call("CLIENT", "KILL", "TYPE", "pubsub"))).isEqualTo(1L);
            b.storeResult("after-kill", "still here", TaskState.SUCCESS);
            assertThat(b.getResult("k3")).isEqualTo(3L);
            assertThat(waiting.get(t(30_000).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("still here");
            // the listener unsubscribes asynchronously once the wait is done; after that its connection is a
            // normal client too, so the kill below reaches every connection of this backend
            await().atMost(t(10_000)).until(() -> redis.call("PUBSUB", "NUMSUB", "celery-task-meta-after-kill")
                    .toString().endsWith(", 0]"));
            // the evictor pings idle connections every 0.2 s; killed ones are dropped and the pool keeps working
            redis.call("CLIENT", "KILL", "TYPE", "normal");
            await().atMost(t(10_000)).until(() -> !String.valueOf(redis.call("CLIENT", "LIST")).contains("name=killme"));
            assertThat(b.getTaskMeta("k9").result()).isEqualTo(9L);
        }
    }
}
