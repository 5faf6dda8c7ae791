package io.celeriac.backend.redis.backend;

import io.celeriac.CeleriacException;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.CorruptResultException;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.tck.Tck;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Values planted directly in Redis (raw {@code SET}) that Celery never wrote, and task ids with quotes,
 * newlines, glob characters, unicode and more than 155 characters: every read gives the value or a
 * {@link CorruptResultException} naming the key, never another exception, a wrong value or a hang, and the
 * backend stays usable after each.
 */
class BadStoredValuesTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final HexFormat HEX = HexFormat.of();

    private RedisTestServer server;
    private String prefix;
    private Backend backend;
    private Jedis raw;

    @BeforeEach
    void setUp() {
        server = TestServices.redis();
        prefix = server.newKeyPrefix();
        backend = CELERIAC.openBackend(server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8));
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder().timeoutMillis(30_000);
        if (server.password() != null) {
            cfg.user(server.user()).password(server.password());
        }
        raw = new Jedis(new HostAndPort(server.host(), server.port()), cfg.build());
    }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
        if (raw != null) {
            raw.close();
        }
        server.deleteKeys(0, prefix);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Values no Celery writes, by name. */
    private static Map<String, byte[]> badValues() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("not JSON", utf8("not json at all"));
        m.put("empty", new byte[0]);
        m.put("NUL", new byte[]{0});
        m.put("not UTF-8", new byte[]{(byte) 0xff, (byte) 0xfe, '{', '"'});
        m.put("a JSON list", utf8("[1, 2]"));
        m.put("a JSON string", utf8("\"SUCCESS\""));
        m.put("a number as status", utf8("{\"status\": 5, \"result\": 1}"));
        m.put("no status", utf8("{\"result\": 1}"));
        m.put("an empty status", utf8("{\"status\": \"\", \"result\": 1}"));
        m.put("truncated", utf8("{\"status\": \"SUCCESS\", \"result\": [1, 2"));
        m.put("children not a list", utf8("{\"status\": \"SUCCESS\", \"result\": 1, \"children\": \"x\"}"));
        m.put("a bad date_done", utf8("{\"status\": \"SUCCESS\", \"result\": 1, \"date_done\": \"yesterday\"}"));
        m.put("a failure without an exception", utf8("{\"status\": \"FAILURE\", \"result\": \"just text\"}"));
        m.put("a huge exponent", utf8("{\"status\": \"SUCCESS\", \"result\": 1e999999}"));
        m.put("nested 200000 deep", utf8("{\"status\": \"SUCCESS\", \"result\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}"));
        m.put("a lone surrogate escape", utf8("{\"status\": \"SUCCESS\", \"result\": \"\\ud800\"}"));
        // a pickle (Celery's pickle serializer) that runs os.system when Python unpickles it
        m.put("a hostile pickle", HEX.parseHex("63706f7369780a73797374656d0a70300a2856746f756368202f6e6f6e6578697374656e742f63656c65726961632d6d61726b65720a70310a7470320a5270330a2e"));
        m.put("a truncated pickle", HEX.parseHex("80049534000000000000007d948c026f6b94"));
        byte[] huge = new byte[12 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) 'x');
        huge[0] = '{';
        m.put("12 MB of garbage", huge);
        return m;
    }

    @Test
    void everyPlantedValueReadsOrFailsTypedAndTheBackendStaysUsable() {
        assertTimeoutPreemptively(Tck.timeout(Duration.ofSeconds(120)), () -> {
            for (Map.Entry<String, byte[]> e : badValues().entrySet()) {
                String id = UUID.randomUUID().toString();
                String key = prefix + "celery-task-meta-" + id;
                raw.set(utf8(key), e.getValue());
                readTypedOrValue(e.getKey(), id, key, () -> backend.getTaskMeta(id));
                readTypedOrValue(e.getKey(), id, key, () -> backend.getMany(List.of(id)).get(id));
                readTypedOrValue(e.getKey(), id, key, () -> backend.waitFor(id, Duration.ofMillis(300)));
                // still usable, for this id too
                backend.forget(id);
                backend.storeResult(id, "fine after " + e.getKey(), TaskState.SUCCESS);
                assertThat(backend.getResult(id)).as(e.getKey()).isEqualTo("fine after " + e.getKey());
            }
        });
    }

    private static void readTypedOrValue(String what, String id, String key, java.util.function.Supplier<TaskMeta> read) {
        try {
            TaskMeta m = read.get();
            assertThat(m).as(what).isNotNull();
            assertThat(m.taskId()).as(what).isIn(id, null);
            assertThat(m.status()).as(what).isNotNull();
        } catch (CorruptResultException expected) {
            assertThat(expected.key()).as(what).isEqualTo(key);
            assertThat(expected.getMessage()).as(what).contains(key);
        } catch (WaitTimeoutException expected) {
            // a value read as not ready yet: the wait ends at its timeout
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError other) {
            fail(what + " raised " + other, other);
        }
    }

    @Test
    void aPlantedValueFailsAPendingWaiterTypedInsteadOfHangingIt() throws Exception {
        for (String planted : List.of("not json", "[1, 2]", "{\"status\": \"SUCCESS\", \"result\": [1")) {
            String id = UUID.randomUUID().toString();
            String key = prefix + "celery-task-meta-" + id;
            CompletableFuture<TaskMeta> w = backend.waitForAsync(id, Tck.timeout(Duration.ofSeconds(60)));
            // planted without a PUBLISH: the waiter finds it when the backend re-reads, or when a publish comes
            raw.set(key, planted);
            raw.publish(key, planted);
            try {
                w.get(Tck.timeout(Duration.ofSeconds(20)).toMillis(), TimeUnit.MILLISECONDS);
                fail("a waiter read " + planted + " as a result");
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).as(planted).isInstanceOf(CorruptResultException.class).hasMessageContaining(key);
            }
        }
        String ok = UUID.randomUUID().toString();
        backend.storeResult(ok, 1L, TaskState.SUCCESS);
        assertThat(backend.waitFor(ok, Tck.timeout(Duration.ofSeconds(10))).result()).isEqualTo(1L);
    }

    /** Ids Celery accepts (any string), including ones that are glob patterns or longer than its database column. */
    static List<String> oddTaskIds() {
        return List.of("quo\"te'd", "new\nline\r\n", "tab\tand space", "uni-日本-é-\ud83d\ude80", "x".repeat(155), "y".repeat(156),
                "z".repeat(1000), "glob-*", "glob-?", "glob-[ab]", "back\\slash", "percent-%s-%n", "{brace}", "semi;colon",
                "colon:and@at/slash", "\u0000nul", "celery-task-meta-nested");
    }

    @Test
    void oddTaskIdsRoundTripExactly() throws Exception {
        for (String id : oddTaskIds()) {
            CompletableFuture<TaskMeta> w = backend.waitForAsync(id, Tck.timeout(Duration.ofSeconds(20)));
            Map<String, Object> value = Map.of("id", id, "n", 1L);
            backend.storeResult(id, value, TaskState.SUCCESS);
            TaskMeta waited = w.get(Tck.timeout(Duration.ofSeconds(20)).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(waited.result()).as(id).isEqualTo(value);
            assertThat(backend.getTaskMeta(id).result()).as(id).isEqualTo(value);
            assertThat(backend.getMany(List.of(id, "other-" + id)).get(id).result()).as(id).isEqualTo(value);
            assertThat(raw.exists(utf8(prefix + "celery-task-meta-" + id))).as("Celery's key for %s", id).isTrue();
            backend.forget(id);
            assertThat(backend.getTaskMeta(id).status()).as(id).isEqualTo(TaskState.PENDING);
        }
        // a glob id never touched the keys it would match as a pattern
        backend.storeResult("glob-a", 2L, TaskState.SUCCESS);
        backend.forget("glob-?");
        assertThat(backend.getResult("glob-a")).isEqualTo(2L);
    }

    @Test
    void aHugeValidResultRoundTrips() {
        String big = "ü".repeat(3 * 1024 * 1024);
        String id = UUID.randomUUID().toString();
        try {
            backend.storeResult(id, big, TaskState.SUCCESS);
        } catch (CeleriacException tooLarge) {
            assertThat(tooLarge).isInstanceOf(io.celeriac.backend.ResultTooLargeException.class);
            return;
        }
        assertThat(backend.getResult(id)).isEqualTo(big);
        assertThat(backend.waitFor(id, Tck.timeout(Duration.ofSeconds(20))).result()).isEqualTo(big);
    }
}
