package io.celeriac.backend.redis.state;

import io.celeriac.backend.redis.state.internal.RedisStateStore;
import io.celeriac.Celeriac;
import io.celeriac.state.CorruptStateException;
import io.celeriac.state.LamportClock;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.UnableToSaveStateException;
import io.celeriac.state.WorkerState;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What the Redis state store does beyond the kit, against the shared Redis (database 0, a fresh key prefix per
 * test): the documented key layout, workers sharing one state, the limits applied to the shared set, corrupt
 * keys refused and left as they were, settings validated.
 */
class RedisStateStoreTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private RedisTestServer server;
    private String prefix;
    private final List<StateStore> opened = new ArrayList<>();

    @BeforeEach
    void prepare() {
        server = TestServices.redis();
        prefix = server.newKeyPrefix();
    }

    @AfterEach
    void cleanUp() {
        for (StateStore s : opened) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // the test may have broken it on purpose
            }
        }
        // newKeyPrefix() ends with ':'; the '_' test uses the same stem without it
        server.deleteKeys(0, prefix.substring(0, prefix.length() - 1));
    }

    private String url(String query) {
        return server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8) + (query.isEmpty() ? "" : "&" + query);
    }

    private StateStore open(String url) {
        StateStore s = CELERIAC.openStateStore(url, StateStoreOptions.builder().property("shutdown_hook", "false").build());
        opened.add(s);
        return s;
    }

    private static WorkerState worker() {
        return WorkerState.withCeleryDefaults();
    }

    private Object call(String... command) {
        try (Resp r = server.connect(0)) {
            Object reply = r.call(command);
            if (reply instanceof IOException e) {
                throw new AssertionError("Redis answered " + e.getMessage());
            }
            return reply;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private TreeSet<String> keysUnder(String stem) {
        TreeSet<String> keys = new TreeSet<>();
        String cursor = "0";
        for (int i = 0; i < 1000; i++) {
            List<Object> reply = (List<Object>) call("SCAN", cursor, "MATCH", stem + "*", "COUNT", "1000");
            cursor = (String) reply.get(0);
            ((List<Object>) reply.get(1)).forEach(k -> keys.add((String) k));
            if (cursor.equals("0")) {
                break;
            }
        }
        return keys;
    }

    @SuppressWarnings("unchecked")
    private List<String> members(String key) {
        return (List<String>) call("ZRANGE", key, "0", "-1");
    }

    // ------------------------------------------------------------------------------------------

    @Test
    void theKeysAreTheDocumentedOnes() {
        RedisStateStore s = (RedisStateStore) open(url("state_name=billing"));
        WorkerState w = worker();
        s.merge(w);
        w.revoked().add("task-1");
        long v = 0;
        for (int i = 0; i < 10; i++) {
            v = w.clock().forward();
        }
        String revoked = prefix + "celeriac-state-billing:revoked";
        String clock = prefix + "celeriac-state-billing:clock";
        assertThat(s.config().revokedKey()).isEqualTo(revoked);
        assertThat(s.config().clockKey()).isEqualTo(clock);
        assertThat(s.location()).isEqualTo(BackendUrl.parse(server.url(0)).masked() + " (keys " + prefix + "celeriac-state-billing:*)");
        assertThat(keysUnder(prefix)).containsExactly(clock, revoked);
        assertThat(call("TYPE", revoked)).isEqualTo("zset");
        assertThat(call("TYPE", clock)).isEqualTo("string");
        double score = Double.parseDouble((String) call("ZSCORE", revoked, "task-1"));
        assertThat(score).as("the revoke's wall-clock epoch seconds, to the microsecond")
                .isEqualTo(w.revoked().asMap().get("task-1"));
        assertThat(Long.parseLong((String) call("GET", clock))).as("a ceiling at or above every value handed out")
                .isGreaterThanOrEqualTo(v);
        assertThat(call("TTL", revoked)).as("no expiry on the keys").isEqualTo(-1L);
        assertThat(call("TTL", clock)).isEqualTo(-1L);
        long ceiling = Long.parseLong((String) call("GET", clock));
        s.close();
        assertThat(Long.parseLong((String) call("GET", clock))).as("close stores the exact value, which never lowers the ceiling")
                .isEqualTo(ceiling);
    }

    @Test
    void theDefaultNameIsCeleryAndAPrefixGetsCelerysSeparator() {
        String stem = prefix.substring(0, prefix.length() - 1);
        StateStore s = CELERIAC.openStateStore(server.url(0) + "?global_keyprefix=" + stem + "x", StateStoreOptions.defaults());
        opened.add(s);
        WorkerState w = worker();
        s.merge(w);
        w.revoked().add("task-2");
        s.close();
        assertThat(keysUnder(stem)).containsExactly(stem + "x_celeriac-state-celery:clock", stem + "x_celeriac-state-celery:revoked");
    }

    @Test
    void workersSharingOneStateSeeEveryRevokeAndTheClockOnlyGrows() {
        String url = url("clock_reserve=10");
        StateStore sa = open(url);
        StateStore sb = open(url);
        WorkerState a = worker();
        WorkerState b = worker();
        sa.merge(a);
        sb.merge(b);
        a.revoked().add("from-a-1");
        a.revoked().add("from-a-2");
        b.revoked().add("from-b");
        a.revoked().add("both", a.revoked().now() - 30);
        b.revoked().add("both");
        double newer = b.revoked().asMap().get("both");
        long highest = 0;
        for (int i = 0; i < 5_000; i++) {
            highest = a.clock().forward();
        }
        String revoked = prefix + "celeriac-state-celery:revoked";
        String clock = prefix + "celeriac-state-celery:clock";

        sb.sync(b); // b holds neither of a's ids nor a's clock
        assertThat(members(revoked)).as("a sync never removes another worker's revokes")
                .contains("from-a-1", "from-a-2", "from-b", "both");
        assertThat(Long.parseLong((String) call("GET", clock))).as("b's lower clock does not lower the stored one")
                .isGreaterThanOrEqualTo(highest);
        sa.sync(a); // a holds "both" with the older timestamp
        assertThat(Double.parseDouble((String) call("ZSCORE", revoked, "both"))).as("the newer timestamp wins").isEqualTo(newer);
        sa.close();
        sb.close();

        WorkerState c = worker();
        open(url).merge(c);
        assertThat(c.revoked().asMap().keySet()).containsExactlyInAnyOrder("from-a-1", "from-a-2", "from-b", "both");
        assertThat(c.revoked().asMap().get("both")).isEqualTo(newer);
        assertThat(c.clock().value()).isGreaterThan(highest);
    }

    @Test
    void everyWriteTrimsTheSharedSetWithTheWritersLimits() {
        String revoked = prefix + "celeriac-state-celery:revoked";
        double now = Clock.systemUTC().millis() / 1000.0;
        call("ZADD", revoked, Double.toString(now - 3600), "expired-long-ago", Double.toString(now - 61), "expired-just-now");
        for (int i = 0; i < 8; i++) {
            call("ZADD", revoked, Double.toString(now - 50 + i), "peer-" + i);
        }
        StateStore s = open(url(""));
        WorkerState strict = new WorkerState(new RevokedSet(5, Duration.ofSeconds(60), Clock.systemUTC()), new LamportClock());
        s.merge(strict);
        assertThat(members(revoked)).as("a merge writes nothing but the clock").hasSize(10);
        strict.revoked().add("mine");
        assertThat(members(revoked)).as("expired ids dropped, then the oldest beyond maxlen, oldest first")
                .containsExactly("peer-4", "peer-5", "peer-6", "peer-7", "mine");
        assertThat(strict.revoked().asMap().keySet()).containsExactly("peer-4", "peer-5", "peer-6", "peer-7", "mine");
    }

    @Test
    void aWorkerWithoutLimitsTrimsNothing() {
        String revoked = prefix + "celeriac-state-celery:revoked";
        call("ZADD", revoked, "1000000000", "from-2001", "1700000000", "from-2023");
        StateStore s = open(url(""));
        WorkerState unlimited = new WorkerState(new RevokedSet(0, Duration.ofDays(365L * 1_000_000), Clock.systemUTC()),
                new LamportClock());
        s.merge(unlimited);
        unlimited.revoked().add("now");
        s.sync(unlimited);
        assertThat(members(revoked)).containsExactly("from-2001", "from-2023", "now");
    }

    @Test
    void discardAndClearActOnTheSharedSetInTheOrderTheyTookEffect() {
        StateStore s = open(url(""));
        WorkerState w = worker();
        s.merge(w);
        String revoked = prefix + "celeriac-state-celery:revoked";
        w.revoked().add("x");
        w.revoked().discard("x");
        w.revoked().add("x");
        w.revoked().add("y");
        w.revoked().clear();
        w.revoked().add("z");
        assertThat(members(revoked)).containsExactly("z");
        w.revoked().discard("z");
        s.sync(w);
        assertThat(members(revoked)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"revoked-hash", "revoked-string", "revoked-infinite-score", "clock-list", "clock-text", "clock-too-large"})
    void corruptKeysAreRefusedNamedAndLeftAsTheyWere(String kind) {
        String revoked = prefix + "celeriac-state-celery:revoked";
        String clock = prefix + "celeriac-state-celery:clock";
        String key;
        switch (kind) {
            case "revoked-hash":
                call("HSET", revoked, "not", "a sorted set");
                key = revoked;
                break;
            case "revoked-string":
                call("SET", revoked, "\u0080\u0004garbage");
                key = revoked;
                break;
            case "revoked-infinite-score":
                call("ZADD", revoked, "1700000000.5", "fine", "+inf", "forever");
                key = revoked;
                break;
            case "clock-list":
                call("RPUSH", clock, "1", "2");
                key = clock;
                break;
            case "clock-text":
                call("SET", clock, "twelve");
                key = clock;
                break;
            default:
                call("SET", clock, "99999999999999999999999");
                key = clock;
        }
        Object before = call("DUMP", key);
        for (int attempt = 0; attempt < 2; attempt++) {
            WorkerState w = worker();
            Throwable thrown = catchThrowable(() -> open(url("")).merge(w));
            assertThat(thrown).isInstanceOf(CorruptStateException.class).hasMessageContaining(key)
                    .hasMessageContaining("(keys " + prefix + "celeriac-state-celery:*)");
            assertThat(w.revoked().isEmpty()).isTrue();
            assertThat(w.clock().value()).isZero();
            assertThat(w.clock().isGuarded()).isFalse();
        }
        assertThat(call("DUMP", key)).as("left as it was").isEqualTo(before);
    }

    @Test
    void aKeyDamagedWhileAWorkerRunsFailsItsWritesAndIsNeverOverwritten() {
        StateStore s = open(url("clock_reserve=0&max_retries=0"));
        WorkerState w = worker();
        s.merge(w);
        w.revoked().add("before");
        String revoked = prefix + "celeriac-state-celery:revoked";
        String clock = prefix + "celeriac-state-celery:clock";
        call("DEL", revoked);
        call("HSET", revoked, "someone", "else");
        assertThatThrownBy(() -> w.revoked().add("after")).isInstanceOf(UnableToSaveStateException.class)
                .hasMessageContaining("the revoke of after").hasMessageContaining(revoked).hasMessageContaining("hash");
        assertThatThrownBy(() -> w.revoked().clear()).as("a clear does not delete what it does not own")
                .isInstanceOf(UnableToSaveStateException.class);
        assertThat(call("TYPE", revoked)).isEqualTo("hash");
        assertThat(call("HGET", revoked, "someone")).isEqualTo("else");

        call("SET", clock, "not a clock");
        assertThatThrownBy(() -> w.clock().forward()).isInstanceOf(UnableToSaveStateException.class)
                .hasMessageContaining(clock);
        assertThat(call("GET", clock)).isEqualTo("not a clock");
        assertThatThrownBy(() -> s.sync(w)).isInstanceOf(UnableToSaveStateException.class);
        assertThat(call("TYPE", revoked)).isEqualTo("hash");
    }

    @Test
    void theStoredClockIsComparedAsAnIntegerOfAnySize() {
        String clock = prefix + "celeriac-state-celery:clock";
        call("SET", clock, "0000123");
        StateStore s = open(url("clock_reserve=0"));
        WorkerState w = worker();
        w.clock().adjust(99); // local 100
        s.merge(w);
        assertThat(w.clock().value()).as("max(100, 123) + 1").isEqualTo(124);
        assertThat(call("GET", clock)).isEqualTo("124");
        s.close();
        call("SET", clock, Long.toString(Long.MAX_VALUE));
        WorkerState top = worker();
        open(url("clock_reserve=0")).merge(top);
        assertThat(top.clock().value()).as("the clock stops at the largest long").isEqualTo(Long.MAX_VALUE);
        assertThat(call("GET", clock)).isEqualTo(Long.toString(Long.MAX_VALUE));
    }

    @Test
    void badSettingsAreReportedTogetherWithoutThePassword() {
        String url = "redis://:pa55word@127.0.0.1:6379/0?state_name=%25n&clock_reserve=-1&max_retries=many&interval_max=x&nonsense=1";
        assertThatThrownBy(() -> CELERIAC.openStateStore(url, StateStoreOptions.defaults()))
                .isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("state_name is taken literally")
                .hasMessageContaining("clock_reserve must be an integer from 0 to")
                .hasMessageContaining("max_retries must be an integer")
                .hasMessageContaining("interval_max must be a number of seconds")
                .hasMessageContaining("unknown query parameter 'nonsense'")
                .hasMessageContaining("redis://:**@127.0.0.1:6379/0")
                .hasMessageNotContaining("pa55word")
                .satisfies(e -> assertThat(((InvalidUrlException) e).problems()).hasSize(5));
    }

    @Test
    void settingsComeFromPropertiesAndTheUrlWins() {
        RedisStateStoreConfig c = RedisStateStoreConfig.parse(BackendUrl.parse(url("state_name=from-url")),
                StateStoreOptions.builder().property("state_name", "from-properties").property("clock_reserve", "7")
                        .property("max_retries", "3").property("interval_step", "0.25").property("shutdown_hook", "false").build());
        assertThat(c.stateName()).isEqualTo("from-url");
        assertThat(c.clockReserve()).isEqualTo(7);
        assertThat(c.shutdownHook()).isFalse();
        assertThat(c.retryPolicy().maxRetries()).isEqualTo(3);
        assertThat(c.retryPolicy().intervalStep()).isEqualTo(Duration.ofMillis(250));
        RedisStateStoreConfig d = RedisStateStoreConfig.parse(BackendUrl.parse(server.url(0) + "?result_expires=60"),
                StateStoreOptions.defaults());
        assertThat(d.stateName()).as("a result backend URL works as it is").isEqualTo("celery");
        assertThat(d.keyBase()).isEqualTo("celeriac-state-celery");
        assertThat(d.clockReserve()).isEqualTo(1000);
        assertThat(d.retryPolicy()).isEqualTo(io.celeriac.backend.RetryPolicy.CELERY_DEFAULT);
    }

    @Test
    void aMergedWorkerKeepsEveryStoredRevokeOfAPeerUpdate() {
        StateStore s = open(url(""));
        WorkerState w = worker();
        s.merge(w);
        double now = w.revoked().now();
        w.revoked().update(Map.of("peer-1", now - 10, "peer-2", now - 5)); // as mingle hands them over
        s.close();
        WorkerState again = worker();
        open(url("")).merge(again);
        assertThat(again.revoked().asMap()).containsEntry("peer-1", w.revoked().asMap().get("peer-1"))
                .containsEntry("peer-2", w.revoked().asMap().get("peer-2"));
    }
}
