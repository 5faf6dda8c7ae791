package io.celeriac.backend.redis.backend.internal;

import io.celeriac.backend.redis.backend.ResultForgottenException;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.CorruptResultException;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToReadResultException;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.Tck;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What the Redis backend does beyond the kit: Celery's exact keys and bytes, and Redis-specific behaviour. */
class RedisBackendTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private RedisTestServer server;
    private String prefix;
    private final List<Backend> opened = new ArrayList<>();

    @BeforeEach
    void setUp() {
        server = TestServices.redis();
        prefix = server.newKeyPrefix();
    }

    @AfterEach
    void tearDown() {
        opened.forEach(Backend::close);
        server.deleteKeys(0, prefix);
    }

    private String url(String extraQuery) {
        return server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)
                + (extraQuery.isEmpty() ? "" : "&" + extraQuery);
    }

    private RedisBackend open(String extraQuery, BackendOptions options) {
        RedisBackend b = (RedisBackend) CELERIAC.openBackend(url(extraQuery), options);
        opened.add(b);
        return b;
    }

    private RedisBackend open() {
        return open("", BackendOptions.defaults());
    }

    private Object raw(String... command) {
        try (Resp r = server.connect(0)) {
            return r.call(command);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Duration t(long millis) {
        return Tck.timeout(Duration.ofMillis(millis));
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    // ------------------------------------------------------------------------------------------
    // keys and bytes

    @Test
    void storesCelerysExactBytesWithAnExpiryAndPublishesThemOnTheKeysChannel() throws Exception {
        RedisBackend b = open();
        String id = id();
        String key = prefix + "celery-task-meta-" + id;
        AtomicReference<byte[]> published = new AtomicReference<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch received = new CountDownLatch(1);
        BinaryJedisPubSub listener = new BinaryJedisPubSub() {
            @Override
            public void onSubscribe(byte[] channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(byte[] channel, byte[] message) {
                published.set(message);
                received.countDown();
                unsubscribe();
            }
        };
        Thread sub = new Thread(() -> {
            try (Jedis j = new Jedis(server.host(), server.port())) {
                if (server.password() != null) {
                    j.auth(server.password());
                }
                j.subscribe(listener, key.getBytes(StandardCharsets.UTF_8));
            }
        }, "test-subscriber");
        sub.start();
        assertThat(subscribed.await(t(10_000).toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        TaskMeta written = b.storeResult(id, Map.of("a", List.of(1L, 2.5)), TaskState.SUCCESS);
        String expected = "{\"status\": \"SUCCESS\", \"result\": {\"a\": [1, 2.5]}, \"traceback\": null, \"children\": null, "
                + "\"date_done\": \"" + CeleryJson.formatDateDone(written.dateDone()) + "\", \"task_id\": \"" + id + "\"}";
        assertThat(raw("GET", key)).isEqualTo(expected);
        assertThat((Long) raw("TTL", key)).isBetween(86_390L, 86_400L);
        assertThat(received.await(t(10_000).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(new String(published.get(), StandardCharsets.UTF_8)).isEqualTo(expected);
        sub.join(t(10_000).toMillis());
    }

    @Test
    void expiryFollowsResultExpires() {
        RedisBackend never = open("", BackendOptions.builder().resultExpires(Duration.ZERO).build());
        String a = id();
        never.storeResult(a, 1L, TaskState.SUCCESS);
        assertThat(raw("TTL", prefix + "celery-task-meta-" + a)).isEqualTo(-1L);
        never.saveGroup(GroupResult.ofTaskIds(a, List.of(a)));
        assertThat(raw("TTL", prefix + "celery-taskset-meta-" + a)).isEqualTo(-1L);

        RedisBackend fractional = open("", BackendOptions.builder().resultExpires(Duration.ofMillis(90_500)).build());
        String c = id();
        fractional.storeResult(c, 1L, TaskState.SUCCESS);
        assertThat((Long) raw("PTTL", prefix + "celery-task-meta-" + c)).isBetween(80_000L, 90_500L);

        RedisBackend viaUrl = open("result_expires=60", BackendOptions.defaults());
        String d = id();
        viaUrl.storeResult(d, 1L, TaskState.SUCCESS);
        assertThat((Long) raw("TTL", prefix + "celery-task-meta-" + d)).isBetween(50L, 60L);
    }

    @Test
    void aGlobalKeyPrefixWithoutSeparatorGetsAnUnderscoreAsInCelery53() {
        String bare = "ctest" + UUID.randomUUID().toString().substring(0, 8);
        try (Backend b = CELERIAC.openBackend(server.url(0) + "?global_keyprefix=" + bare)) {
            String id = id();
            b.storeResult(id, 1L, TaskState.SUCCESS);
            assertThat(raw("EXISTS", bare + "_celery-task-meta-" + id)).isEqualTo(1L);
            b.saveGroup(GroupResult.ofTaskIds(id, List.of(id)));
            assertThat(raw("EXISTS", bare + "_celery-taskset-meta-" + id)).isEqualTo(1L);
        } finally {
            server.deleteKeys(0, bare + "_");
        }
    }

    // ------------------------------------------------------------------------------------------
    // the SUCCESS guard

    @Test
    void theSuccessGuardKeepsASuccessWrittenByAnotherClient() {
        RedisBackend b = open();
        String id = id();
        String key = prefix + "celery-task-meta-" + id;
        String python = "{\"status\": \"SUCCESS\", \"result\": 42, \"traceback\": null, \"children\": [], "
                + "\"date_done\": \"2026-11-21T12:15:15.771058\", \"task_id\": \"" + id + "\"}";
        raw("SET", key, python);
        b.markAsFailure(id, io.celeriac.backend.ExceptionInfo.builtin("ValueError", "late"), null, null);
        b.storeResult(id, "again", TaskState.SUCCESS);
        assertThat(raw("GET", key)).isEqualTo(python);

        String reordered = "{\"result\": 1, \"task_id\": \"" + id + "\", \"status\": \"SUCCESS\"}";
        raw("SET", key, reordered);
        b.markAsRetry(id, io.celeriac.backend.ExceptionInfo.builtin("RuntimeError", "r"), null, null);
        assertThat(raw("GET", key)).as("a SUCCESS not written first is still recognized").isEqualTo(reordered);

        raw("SET", key, "{\"result\": 1, \"status\": \"STARTED\"}");
        b.storeResult(id, "done", TaskState.SUCCESS);
        assertThat(b.getResult(id)).isEqualTo("done");
    }

    @Test
    void theStoreScriptIsLoadedAgainAfterRedisForgetsIt() {
        RedisBackend b = open();
        String first = id();
        b.storeResult(first, 1L, TaskState.SUCCESS);
        raw("SCRIPT", "FLUSH");
        String second = id();
        b.storeResult(second, 2L, TaskState.SUCCESS);
        b.storeResult(second, 3L, TaskState.FAILURE);
        assertThat(b.getResult(second)).isEqualTo(2L);
    }

    // ------------------------------------------------------------------------------------------
    // waits

    private long numsub(String taskId) {
        @SuppressWarnings("unchecked")
        List<Object> r = (List<Object>) raw("PUBSUB", "NUMSUB", prefix + "celery-task-meta-" + taskId);
        return (Long) r.get(1);
    }

    @Test
    void aChannelIsUnsubscribedWhenTheWaitEndsForAnyReason() throws Exception {
        RedisBackend b = open();
        String done = id();
        CompletableFuture<TaskMeta> f = b.waitForAsync(done);
        await().atMost(t(10_000)).until(() -> numsub(done) == 1);
        b.storeResult(done, 1L, TaskState.SUCCESS);
        assertThat(f.get(t(10_000).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo(1L);
        await().atMost(t(10_000)).until(() -> numsub(done) == 0);

        String timedOut = id();
        CompletableFuture<TaskMeta> g = b.waitForAsync(timedOut, Duration.ofMillis(300));
        await().atMost(t(10_000)).until(g::isDone);
        assertThatThrownBy(g::get).hasCauseInstanceOf(WaitTimeoutException.class);
        await().atMost(t(10_000)).until(() -> numsub(timedOut) == 0);

        String cancelled = id();
        CompletableFuture<TaskMeta> h = b.waitForAsync(cancelled);
        await().atMost(t(10_000)).until(() -> numsub(cancelled) == 1);
        h.cancel(false);
        await().atMost(t(10_000)).until(() -> numsub(cancelled) == 0);

        String forgotten = id();
        CompletableFuture<TaskMeta> k = b.waitForAsync(forgotten);
        await().atMost(t(10_000)).until(() -> numsub(forgotten) == 1);
        b.forget(forgotten);
        assertThatThrownBy(() -> k.get(t(10_000).toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ResultForgottenException.class)
                .hasMessageContaining(forgotten);
        await().atMost(t(10_000)).until(() -> numsub(forgotten) == 0);
        assertThat(b.pendingWaitCount()).isZero();
    }

    @Test
    void thousandsOfWaitsShareOneSubscriberConnection() throws Exception {
        String name = "celeriac-test-" + UUID.randomUUID().toString().substring(0, 8);
        RedisBackend b = open("client_name=" + name, BackendOptions.defaults());
        int n = 1500;
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<TaskMeta>> waits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "many-" + i + "-" + id();
            ids.add(id);
            waits.add(b.waitForAsync(id, t(60_000)));
        }
        await().atMost(t(20_000)).until(() -> subscriberChannels(name).equals(List.of((long) n)));
        assertThat(b.pendingWaitCount()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            b.storeResult(ids.get(i), (long) i, TaskState.SUCCESS);
        }
        CompletableFuture.allOf(waits.toArray(new CompletableFuture[0])).get(t(60_000).toMillis(), TimeUnit.MILLISECONDS);
        for (int i = 0; i < n; i++) {
            assertThat(waits.get(i).get().result()).isEqualTo((long) i);
        }
        await().atMost(t(20_000)).until(() -> subscriberChannels(name).equals(List.of(0L)));
        assertThat(b.subscriberConnectCount()).isEqualTo(1);
    }

    @Test
    void aCallbackThatBlocksOnAnotherWaitDoesNotStallDelivery() throws Exception {
        RedisBackend b = open();
        String first = id();
        String second = id();
        CompletableFuture<Object> chained = b.waitForAsync(first, t(30_000))
                .thenApply(m -> m.result() + " then " + b.waitFor(second, t(20_000)).result());
        b.storeResult(first, "one", TaskState.SUCCESS);
        await().atMost(t(10_000)).until(() -> numsub(second) == 1); // the callback now blocks on the second wait
        b.storeResult(second, "two", TaskState.SUCCESS);
        assertThat(chained.get(t(30_000).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("one then two");
    }

    @Test
    void closingFromACallbackDoesNotHang() throws Exception {
        RedisBackend b = open();
        String id = id();
        CompletableFuture<Void> closedInCallback = b.waitForAsync(id, t(30_000)).thenAccept(m -> b.close());
        b.storeResult(id, 1L, TaskState.SUCCESS);
        closedInCallback.get(t(10_000).toMillis(), TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> b.getTaskMeta(id)).isInstanceOf(io.celeriac.backend.BackendClosedException.class);
    }

    /** The {@code sub=} count of every connection named {@code name} that ever subscribed. */
    private List<Long> subscriberChannels(String name) {
        String list = (String) raw("CLIENT", "LIST");
        List<Long> out = new ArrayList<>();
        for (String line : list.split("\n")) {
            if (!line.contains(" name=" + name + " ")) {
                continue;
            }
            String cmd = field(line, "cmd");
            long sub = Long.parseLong(field(line, "sub"));
            if (sub > 0 || cmd.contains("subscribe") || cmd.equals("ping")) {
                out.add(sub);
            }
        }
        return out;
    }

    private static String field(String line, String name) {
        for (String f : line.split(" ")) {
            if (f.startsWith(name + "=")) {
                return f.substring(name.length() + 1);
            }
        }
        return "";
    }

    // ------------------------------------------------------------------------------------------
    // bad data

    @Test
    void getManyPipelinesItsChunksKeepingOrderMissingIdsAndCorruptValuesOfALaterChunk() {
        RedisBackend b = open();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2001; i++) { // three MGET chunks of at most 1000
            ids.add(id());
        }
        Set<Integer> stored = Set.of(0, 998, 999, 1000, 1001, 1999, 2000);
        for (int i : stored) {
            b.storeResult(ids.get(i), (long) i, TaskState.SUCCESS);
        }
        List<String> asked = new ArrayList<>(ids);
        asked.add(ids.get(1000));
        Map<String, TaskMeta> many = b.getMany(asked);
        assertThat(new ArrayList<>(many.keySet())).isEqualTo(ids);
        for (int i = 0; i < ids.size(); i++) {
            TaskMeta m = many.get(ids.get(i));
            assertThat(m.taskId()).isEqualTo(ids.get(i));
            assertThat(m.status()).as("id %d", i).isEqualTo(stored.contains(i) ? TaskState.SUCCESS : TaskState.PENDING);
            assertThat(m.result()).isEqualTo(stored.contains(i) ? (Object) (long) i : null);
        }
        many.clear(); // the caller's own map: the next call is not affected
        assertThat(b.getMany(ids.subList(999, 1001))).containsOnlyKeys(ids.get(999), ids.get(1000));

        String key = prefix + "celery-task-meta-" + ids.get(2000);
        raw("SET", key, "[1, 2]");
        assertThatThrownBy(() -> b.getMany(ids)).isInstanceOf(CorruptResultException.class).hasMessageContaining(key)
                .satisfies(e -> assertThat(((CorruptResultException) e).key()).isEqualTo(key));
        assertThat(b.getMany(ids.subList(0, 2000))).hasSize(2000);
    }

    @Test
    void aValueThatIsNotACeleryResultNamesItsKey() throws Exception {
        RedisBackend b = open();
        String id = id();
        String key = prefix + "celery-task-meta-" + id;
        raw("SET", key, "not json at all");
        assertThatThrownBy(() -> b.getTaskMeta(id)).isInstanceOf(CorruptResultException.class)
                .hasMessageContaining(key).satisfies(e -> assertThat(((CorruptResultException) e).key()).isEqualTo(key));
        raw("SET", key, "[1, 2]");
        assertThatThrownBy(() -> b.getMany(List.of(id))).isInstanceOf(CorruptResultException.class).hasMessageContaining(key);
        raw("DEL", key);
        raw("RPUSH", key, "x");
        assertThatThrownBy(() -> b.getTaskMeta(id)).isInstanceOf(CorruptResultException.class)
                .hasMessageContaining(key).hasMessageContaining("holds a Redis list");

        String waited = id();
        CompletableFuture<TaskMeta> f = b.waitForAsync(waited, t(20_000));
        await().atMost(t(10_000)).until(() -> numsub(waited) == 1);
        raw("PUBLISH", prefix + "celery-task-meta-" + waited, "{\"no\": \"status\"}");
        assertThatThrownBy(() -> f.get(t(10_000).toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(CorruptResultException.class)
                .hasMessageContaining(prefix + "celery-task-meta-" + waited);
    }

    // ------------------------------------------------------------------------------------------
    // failures

    @Test
    void anUnreachableRedisFailsWithTypedErrorsAfterTheRetryPolicy() throws Exception {
        // a server that was reached and went away (a server never reached fails at once: FastFailureTest)
        PrivateRedis redis = PrivateRedis.start("--requirepass", "hunter2");
        int port = redis.port();
        RetryPolicy quick = new RetryPolicy(3, Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(20));
        try (Backend b = CELERIAC.openBackend("redis://:hunter2@127.0.0.1:" + port + "/0?socket_connect_timeout=2",
                BackendOptions.builder().retryPolicy(quick).build())) {
            assertThat(b.getStatus(id())).isEqualTo(TaskState.PENDING);
            redis.kill();
            String id = id();
            assertThatThrownBy(() -> b.storeResult(id, 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("task " + id)
                    .hasMessageContaining("after 4 attempts")
                    .hasMessageContaining("redis://:**@127.0.0.1:" + port + "/0")
                    .hasMessageNotContaining("hunter2")
                    .satisfies(e -> {
                        assertThat(((UnableToStoreResultException) e).taskId()).isEqualTo(id);
                        assertThat(e.getCause()).isInstanceOf(BackendUnavailableException.class)
                                .hasMessageContaining("the connection to 127.0.0.1:" + port + " was refused");
                    });
            assertThatThrownBy(() -> b.getTaskMeta(id)).isInstanceOf(UnableToReadResultException.class)
                    .hasCauseInstanceOf(BackendUnavailableException.class);
            assertThatThrownBy(() -> b.onChordPartReturn(new ChordPart(id, id, 0, TaskState.SUCCESS, 1L, 1, null)))
                    .isInstanceOf(UnableToStoreResultException.class).hasMessageContaining(id);
            CompletableFuture<TaskMeta> f = b.waitForAsync(id, t(60_000));
            assertThatThrownBy(() -> f.get(t(20_000).toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BackendUnavailableException.class)
                    .hasMessageNotContaining("hunter2");
        } finally {
            redis.close();
        }
    }

    @Test
    void aResultOver512MiBIsRefusedBeforeAnythingIsSent() {
        RedisBackend b = open();
        String id = id();
        // 89,478,486 characters that kombu escapes as \\u00e9: 536,870,916 bytes of string alone
        String huge = "\u00e9".repeat(512 * 1024 * 1024 / 6 + 1);
        TaskMeta meta = TaskMeta.builder(id, TaskState.SUCCESS).result(huge)
                .dateDone(java.time.Instant.parse("2026-11-21T12:15:15.771058Z")).build();
        long expectedSize = CeleryJson.encodeMeta(meta.toBuilder().result(null).build()).length - 4 + 6L * huge.length() + 2;
        assertThatThrownBy(() -> b.store(meta))
                .isInstanceOf(io.celeriac.backend.ResultTooLargeException.class)
                .hasMessageContaining(id).hasMessageContaining("the limit is 536870912 bytes")
                .satisfies(e -> assertThat(((io.celeriac.backend.ResultTooLargeException) e).size()).isEqualTo(expectedSize));
        assertThatThrownBy(() -> b.storeResult(id, huge, TaskState.SUCCESS))
                .isInstanceOf(io.celeriac.backend.ResultTooLargeException.class);
        assertThat(raw("EXISTS", prefix + "celery-task-meta-" + id)).isEqualTo(0L);
    }

    @Test
    void theEncodedLengthOfAStringIsMeasuredExactly() {
        String mixed = "plain \"quoted\" back\\slash \n\r\t\b\f \u0001 \u007f caf\u00e9 \u65e5 \ud83d\ude80 ~";
        assertThat(RedisBackend.jsonStringLength(mixed)).isEqualTo(CeleryJson.encode(mixed).length);
        assertThat(RedisBackend.jsonStringLength("")).isEqualTo(2);
    }

    // ------------------------------------------------------------------------------------------
    // chords

    @Test
    void chordKeysFollowCelerysLayoutAndAreDeletedOnCompletion() {
        RedisBackend b = open();
        String gid = id();
        String base = prefix + "celery-taskset-meta-" + gid;
        b.setChordSize(gid, 2);
        assertThat(raw("GET", base + ".s")).isEqualTo("2");
        assertThat(b.onChordPartReturn(new ChordPart(gid, "p1-" + gid, 1, TaskState.SUCCESS, "one", null, null))).isEmpty();
        assertThat(raw("TYPE", base + ".j")).isEqualTo("zset");
        assertThat((Long) raw("TTL", base + ".j")).isBetween(86_390L, 86_400L);
        @SuppressWarnings("unchecked")
        List<Object> members = (List<Object>) raw("ZRANGE", base + ".j", "0", "-1", "WITHSCORES");
        assertThat(members).containsExactly("[1, \"p1-" + gid + "\", \"SUCCESS\", \"one\"]", "1");
        Optional<ChordCompletion> done = b.onChordPartReturn(new ChordPart(gid, "p0-" + gid, 0, TaskState.SUCCESS, "zero", null, null));
        assertThat(done.orElseThrow().results()).containsExactly("zero", "one");
        assertThat(raw("EXISTS", base + ".j", base + ".t", base + ".s")).isEqualTo(0L);
    }

    @Test
    void unorderedChordsUseAListAndTheExtraCountOfT() {
        RedisBackend b = open("result_chord_ordered=false", BackendOptions.defaults());
        String gid = id();
        String base = prefix + "celery-taskset-meta-" + gid;
        b.setChordSize(gid, 2);
        raw("INCRBY", base + ".t", "1"); // Celery's add_to_chord: one more part than the header
        assertThat(b.onChordPartReturn(new ChordPart(gid, "c-" + gid, 2, TaskState.SUCCESS, "c", null, null))).isEmpty();
        assertThat(raw("TYPE", base + ".j")).isEqualTo("list");
        assertThat(b.onChordPartReturn(new ChordPart(gid, "a-" + gid, 0, TaskState.SUCCESS, "a", null, null))).isEmpty();
        Optional<ChordCompletion> done = b.onChordPartReturn(new ChordPart(gid, "b-" + gid, 1, TaskState.SUCCESS, "b", null, null));
        assertThat(done.orElseThrow().results()).as("arrival order").containsExactly("c", "a", "b");
    }

    @Test
    void aPartReportedTwiceDoesNotCompleteTheChordTwice() {
        List<ChordCompletion> calls = new ArrayList<>();
        RedisBackend b = open("", BackendOptions.builder().chordCallback(calls::add).build());
        String gid = id();
        b.setChordSize(gid, 2);
        ChordPart first = new ChordPart(gid, "x-" + gid, 0, TaskState.SUCCESS, 1L, null, null);
        ChordPart second = new ChordPart(gid, "y-" + gid, 1, TaskState.SUCCESS, 2L, null, null);
        assertThat(b.onChordPartReturn(first)).isEmpty();
        assertThat(b.onChordPartReturn(first)).as("a duplicate of a part").isEmpty();
        assertThat(b.onChordPartReturn(second)).isPresent();
        assertThat(b.onChordPartReturn(second)).as("a duplicate of the completing part").isEmpty();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).results()).containsExactly(1L, 2L);
    }

    @Test
    void aSavedHeaderWithANestedGroupIsJoinedIntoNestedLists() {
        RedisBackend b = open();
        String gid = id();
        String a = "a-" + gid;
        String x = "x-" + gid;
        String y = "y-" + gid;
        GroupResult inner = GroupResult.ofTaskIds("inner-" + gid, List.of(x, y));
        b.saveGroup(new GroupResult(gid, List.of(ResultTuple.of(a), inner.asTuple()), null));
        b.setChordSize(gid, 3);
        b.storeResult(a, "A", TaskState.SUCCESS);
        b.storeResult(x, "X", TaskState.SUCCESS);
        b.storeResult(y, "Y", TaskState.SUCCESS);
        assertThat(b.onChordPartReturn(new ChordPart(gid, a, 0, TaskState.SUCCESS, "A", null, null))).isEmpty();
        assertThat(b.onChordPartReturn(new ChordPart(gid, x, 1, TaskState.SUCCESS, "X", null, null))).isEmpty();
        ChordCompletion c = b.onChordPartReturn(new ChordPart(gid, y, 2, TaskState.SUCCESS, "Y", null, null)).orElseThrow();
        assertThat(c.results()).isEqualTo(List.of("A", List.of("X", "Y")));
        assertThat(b.restoreGroup(gid)).as("Celery keeps the saved group").isPresent();

        String gid2 = id();
        String bad = "bad-" + gid2;
        b.saveGroup(new GroupResult(gid2, List.of(GroupResult.ofTaskIds("in-" + gid2, List.of(bad)).asTuple()), null));
        b.setChordSize(gid2, 1);
        b.markAsFailure(bad, io.celeriac.backend.ExceptionInfo.builtin("ValueError", "boom"), null, null);
        ChordCompletion failed = b.onChordPartReturn(new ChordPart(gid2, bad, 0, TaskState.FAILURE,
                io.celeriac.backend.ExceptionInfo.builtin("ValueError", "boom"), null, null)).orElseThrow();
        assertThat(failed.error().message()).isEqualTo("Join error: ValueError('boom')");
    }

    @Test
    void aCorruptChordMemberFailsTheBodyInsteadOfLosingTheChord() {
        List<ChordCompletion> calls = new ArrayList<>();
        RedisBackend b = open("", BackendOptions.builder().chordCallback(calls::add).build());
        String gid = id();
        String bodyId = "body-" + gid;
        Map<String, Object> body = Map.of("task", "proj.tsum", "options", Map.of("task_id", bodyId));
        b.setChordSize(gid, 2);
        raw("ZADD", prefix + "celery-taskset-meta-" + gid + ".j", "0", "not json");
        ChordCompletion c = b.onChordPartReturn(new ChordPart(gid, "p1-" + gid, 1, TaskState.SUCCESS, 1L, null, body)).orElseThrow();
        assertThat(c.failed()).isTrue();
        assertThat(c.error().message()).startsWith("Join error: The value stored at " + prefix + "celery-taskset-meta-" + gid + ".j");
        assertThat(b.getTaskMeta(bodyId).status()).isEqualTo(TaskState.FAILURE);
        assertThat(calls).hasSize(1);
    }

    @Test
    void groupIdsDoNotListChordKeys() {
        RedisBackend b = open();
        String gid = id();
        b.setChordSize(gid, 5);
        b.onChordPartReturn(new ChordPart(gid, "p-" + gid, 0, TaskState.SUCCESS, 1L, null, null));
        String saved = id();
        b.saveGroup(GroupResult.ofTaskIds(saved, List.of("m")));
        try (Stream<String> s = b.groupIds()) {
            Set<String> ids = s.collect(Collectors.toSet());
            assertThat(ids).contains(saved).doesNotContain(gid + ".s", gid + ".j", gid + ".t");
        }
    }

    // ------------------------------------------------------------------------------------------
    // description

    @Test
    void asUriMasksThePasswordAsCelery() {
        try (Backend b = CELERIAC.openBackend("redis://user:pw@127.0.0.1:6399/3?socket_timeout=5")) {
            assertThat(b.asUri()).isEqualTo("redis://user:**@127.0.0.1:6399/3");
            assertThat(b.asUri(true)).isEqualTo("redis://user:pw@127.0.0.1:6399/3?socket_timeout=5");
            assertThat(b.toString()).doesNotContain("pw@");
            assertThat(((RedisBackend) b).config().toString()).doesNotContain(":pw").contains("password=**");
        }
        try (Backend b = CELERIAC.openBackend("socket:///tmp/nowhere.sock?virtual_host=2")) {
            assertThat(b.asUri()).isEqualTo("socket:///tmp/nowhere.sock");
        }
    }
}
