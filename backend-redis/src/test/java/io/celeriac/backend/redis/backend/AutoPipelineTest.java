package io.celeriac.backend.redis.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.CorruptResultException;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.backend.redis.backend.internal.RedisBackend;
import io.celeriac.tck.Tck;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The shared pipeline of the Redis backend: the stores and reads of many threads share a few connections, each call
 * still gets its own outcome, and lost connections are retried on new ones.
 */
class AutoPipelineTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static RedisTestServer server;
    private static RedisTestServer.DatabaseLease lease;
    private static String prefix;

    @BeforeAll
    static void lease() {
        server = TestServices.redis();
        lease = server.leaseDatabase();
        prefix = "autopipe-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    @AfterAll
    static void release() {
        if (lease != null) {
            server.deleteKeys(lease.db(), prefix);
            lease.close();
        }
    }

    private static String url(String query) {
        return lease.url() + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8) + query;
    }

    private static Duration t(long millis) {
        return Tck.timeout(Duration.ofMillis(millis));
    }

    @Test
    void manyThreadsShareWritesAndEachGetsItsOwnResult() throws Exception {
        try (RedisBackend b = (RedisBackend) CELERIAC.openBackend(url(""), BackendOptions.defaults())) {
            int threads = 24;
            int each = 300;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < each; i++) {
                            String id = "many-" + thread + "-" + i;
                            b.storeResult(id, thread * 100_000L + i, TaskState.SUCCESS);
                            TaskMeta read = b.getTaskMeta(id);
                            assertThat(read.status()).isEqualTo(TaskState.SUCCESS);
                            assertThat(read.result()).isEqualTo(thread * 100_000L + i);
                            // another thread's result, read back under load, is that thread's
                            if (i > 0) {
                                String other = "many-" + ((thread + 1) % threads) + "-0";
                                TaskMeta m = b.getTaskMeta(other);
                                if (m.status() == TaskState.SUCCESS) {
                                    assertThat(m.result()).isEqualTo(((thread + 1) % threads) * 100_000L);
                                }
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(t(60_000).toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            List<String> ids = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < each; i++) {
                    ids.add("many-" + t + "-" + i);
                }
            }
            Map<String, TaskMeta> all = b.getMany(ids);
            assertThat(all).hasSize(threads * each);
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < each; i++) {
                    assertThat(all.get("many-" + t + "-" + i).result()).isEqualTo(t * 100_000L + i);
                }
            }
            long[] counts = b.pipelineCounts();
            assertThat(counts[0]).as("commands on the pipeline").isGreaterThanOrEqualTo(threads * each * 2L);
            assertThat(counts[1]).as("writes that carried them: calls shared writes").isLessThan(counts[0]);
        }
    }

    @Test
    void aStoredSuccessIsKeptWhenManyThreadsStoreTheSameTask() throws Exception {
        try (Backend b = CELERIAC.openBackend(url(""), BackendOptions.defaults())) {
            String id = "same-" + UUID.randomUUID();
            b.storeResult(id, "first", TaskState.SUCCESS);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 50; i++) {
                            b.storeResult(id, "late", TaskState.FAILURE);
                            b.storeResult(id, "later", TaskState.SUCCESS);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(t(30_000).toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(b.getTaskMeta(id).result()).isEqualTo("first");
        }
    }

    @Test
    void oneBadCallFailsAloneAmongConcurrentGoodOnes() throws Exception {
        try (Backend b = CELERIAC.openBackend(url(""), BackendOptions.defaults())) {
            String bad = "bad-" + UUID.randomUUID();
            try (Resp r = server.connect(lease.db())) {
                r.call("RPUSH", prefix + "celery-task-meta-" + bad, "not a result");
            }
            b.storeResult("good-0", 0L, TaskState.SUCCESS);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            AtomicInteger badFailures = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 200; i++) {
                            try {
                                if (thread == 0 && i % 10 == 0) {
                                    try {
                                        b.getTaskMeta(bad);
                                        unexpected.add(new AssertionError("a list read as a result"));
                                    } catch (CorruptResultException e) {
                                        badFailures.incrementAndGet();
                                    }
                                } else {
                                    assertThat(b.getTaskMeta("good-0").result()).isEqualTo(0L);
                                }
                            } catch (Throwable e) {
                                unexpected.add(e);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(t(30_000).toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(unexpected).isEmpty();
            assertThat(badFailures.get()).isEqualTo(20);
            // and asynchronously: the same failure, typed, in the future
            assertThatThrownBy(() -> b.getTaskMetaAsync(bad).join())
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(CorruptResultException.class);
        }
    }

    @Test
    void asyncCallsFromOneThreadAllCompleteWithTheirOwnValues() {
        try (RedisBackend b = (RedisBackend) CELERIAC.openBackend(url(""), BackendOptions.defaults())) {
            int n = 2_000;
            List<CompletableFuture<TaskMeta>> stores = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = "async-" + i;
                ids.add(id);
                stores.add(b.storeResultAsync(id, (long) i, TaskState.SUCCESS));
            }
            CompletableFuture.allOf(stores.toArray(new CompletableFuture<?>[0])).join();
            for (int i = 0; i < n; i++) {
                assertThat(stores.get(i).join().taskId()).isEqualTo("async-" + i);
            }
            List<CompletableFuture<TaskMeta>> reads = new ArrayList<>();
            for (String id : ids) {
                reads.add(b.getTaskMetaAsync(id));
            }
            for (int i = 0; i < n; i++) {
                assertThat(reads.get(i).join().result()).isEqualTo((long) i);
            }
            Map<String, TaskMeta> many = b.getManyAsync(ids).join();
            assertThat(many.keySet()).containsExactlyElementsOf(ids);
            assertThat(many.get("async-1999").result()).isEqualTo(1999L);
            assertThat(b.getTaskMetaAsync("async-unknown").join().status()).isEqualTo(TaskState.PENDING);
        }
    }

    @Test
    void anInterruptedCallerStillGetsItsReplyAndKeepsItsInterrupt() {
        try (Backend b = CELERIAC.openBackend(url(""), BackendOptions.defaults())) {
            b.storeResult("interrupted", "v", TaskState.SUCCESS);
            Thread.currentThread().interrupt();
            try {
                assertThat(b.getTaskMeta("interrupted").result()).isEqualTo("v");
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void callsGoOnOnNewConnectionsWhenTheSharedOnesAreKilled() throws Exception {
        RetryPolicy patient = new RetryPolicy(100, Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(50));
        try (PrivateRedis redis = PrivateRedis.start();
             RedisBackend b = (RedisBackend) CELERIAC.openBackend(redis.url(2) + "?client_name=celeriac-pipe",
                     BackendOptions.builder().retryPolicy(patient).build())) {
            b.storeResult("before", 1L, TaskState.SUCCESS);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            AtomicInteger acknowledged = new AtomicInteger();
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 400; i++) {
                            b.storeResult("kill-" + thread + "-" + i, (long) i, TaskState.SUCCESS);
                            acknowledged.incrementAndGet();
                        }
                        return null;
                    }));
                }
                await().atMost(t(20_000)).pollInterval(Duration.ofMillis(1)).until(() -> acknowledged.get() >= 300);
                Object killed = redis.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                assertThat(((Number) killed).longValue()).isPositive();
                for (Future<?> f : done) {
                    f.get(t(60_000).toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            for (int t = 0; t < 6; t++) {
                for (int i = 0; i < 400; i++) {
                    assertThat(b.getTaskMeta("kill-" + t + "-" + i).result()).isEqualTo((long) i);
                }
            }
            assertThat(b.retriesMade()).as("the killed connections' calls were retried").isPositive();
        }
    }

    @Test
    void aClosedBackendFailsAsyncCallsTyped() {
        Backend b = CELERIAC.openBackend(url(""), BackendOptions.defaults());
        b.close();
        assertThatThrownBy(() -> b.storeResultAsync("closed", 1L, TaskState.SUCCESS).join())
                .hasCauseInstanceOf(io.celeriac.backend.BackendClosedException.class);
        assertThatThrownBy(() -> b.getTaskMetaAsync("closed").join())
                .hasCauseInstanceOf(io.celeriac.backend.BackendClosedException.class);
    }

    @Test
    void anUnreachableRedisFailsAnAsyncStoreWithTheTypedErrorAfterItsRetries() {
        int port = PrivateRedis.freePort();
        RetryPolicy twice = new RetryPolicy(2, Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(10));
        try (Backend b = CELERIAC.openBackend("redis://127.0.0.1:" + port + "/0",
                BackendOptions.builder().retryPolicy(twice).build())) {
            assertThatThrownBy(() -> b.storeResultAsync("nowhere", 1L, TaskState.SUCCESS).join())
                    .hasCauseInstanceOf(UnableToStoreResultException.class);
            assertThatThrownBy(() -> b.storeResult("nowhere", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class);
        }
    }

    @Test
    void withoutThePipelineEveryCallTakesAPooledConnection() {
        try (RedisBackend b = (RedisBackend) CELERIAC.openBackend(url("&pipeline_connections=0"), BackendOptions.defaults())) {
            b.storeResult("pooled", 5L, TaskState.SUCCESS);
            assertThat(b.getTaskMeta("pooled").result()).isEqualTo(5L);
            assertThat(b.getTaskMetaAsync("pooled").join().result()).isEqualTo(5L);
            assertThat(b.pipelineCounts()).containsExactly(0L, 0L);
        }
    }
}
