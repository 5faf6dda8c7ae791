package io.celeriac.tck;

import io.celeriac.state.CorruptStateException;
import io.celeriac.state.LamportClock;
import io.celeriac.state.Registration;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.StateStoreClosedException;
import io.celeriac.state.StateStoreLockedException;
import io.celeriac.state.WorkerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance kit for worker state stores ({@link StateStore}): extend it in your plugin's tests and
 * implement {@link #createFixture()}.
 *
 * <pre>{@code
 * class RedisStateStoreContractTest extends StateStoreContract {
 *     @Override
 *     protected StateStoreFixture createFixture() {
 *         String key = "kit-" + UUID.randomUUID();
 *         return new StateStoreFixture() {
 *             public StateStore open() { return celeriac.openStateStore("redis://localhost/15?key=" + key, options); }
 *             public Set<StateStoreCapability> capabilities() { return Set.of(StateStoreCapability.SHARED); }
 *             public boolean corrupt(Corruption kind) { ... damage the stored value ...; return true; }
 *             public void close() { deleteKeys(key); }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>It checks Celery's {@code Persistent} semantics and what celeriac adds: a round trip of 50,000 ids
 * with their exact timestamps and the clock; merge applying the worker's expiry and maxlen; the clock
 * arithmetic Celery shows (a stored 7 becomes 8 at merge, 9 at save; a restart with local 3 gives 10);
 * close without sync losing nothing; save, and the shutdown action that saves at exit; revokes and clock
 * steps from many threads during syncs all kept; discard, clear and updates from peers persisted; misuse
 * refused; corrupt stored state refused with {@link CorruptStateException} and left as it was; and, by
 * capability, keeping corrupt state aside, the exclusive lock, or several workers sharing one store.
 *
 * <p>Test names carry a prefix: {@code required_} tests run for every store; {@code exclusive_},
 * {@code shared_} and {@code keepCorruptAside_} tests run when the fixture declares that
 * {@link StateStoreCapability}, and are skipped with a message otherwise. Corruption tests run for each
 * {@link Corruption} the fixture can produce ({@link StateStoreFixture#corrupt} returns {@code true}) and
 * are skipped, visibly, for the others.
 */
public abstract class StateStoreContract {

    /** Ways the kit asks a fixture to damage what a store left behind. */
    public enum Corruption {
        /** One bit flipped in the middle of the stored bytes (a checksum must catch it). */
        FLIPPED_BIT,
        /** The stored bytes cut to about half their length. */
        TRUNCATED,
        /** The stored bytes replaced by bytes of another format (e.g. random bytes, or a Python pickle). */
        FOREIGN
    }

    private StateStoreFixture fixture;
    private final List<StateStore> opened = new ArrayList<>();
    private ThreadLeaks threads;

    /**
     * Creates a fresh, isolated fixture for one test.
     *
     * @return the fixture
     * @throws Exception when the location cannot be prepared
     */
    protected abstract StateStoreFixture createFixture() throws Exception;

    /**
     * Prefixes of thread names that belong to JVM-wide pools of the plugin's libraries and outlive a closed
     * store by design; the leak check ignores them. Default: none.
     *
     * @return name prefixes
     */
    protected Set<String> sharedThreadNamePrefixes() {
        return Set.of();
    }

    @BeforeEach
    final void createKitFixture() throws Exception {
        threads = ThreadLeaks.snapshot();
        fixture = createFixture();
    }

    @AfterEach
    final void closeKitFixture() throws Exception {
        for (StateStore s : opened) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // the test failed already or closed it; keep cleaning up
            }
        }
        opened.clear();
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * Opens a store on the test's fixture.
     *
     * @return the store, closed after the test
     */
    protected final StateStore open() {
        StateStore s = fixture.open();
        opened.add(s);
        return s;
    }

    /**
     * Whether the fixture declares a capability.
     *
     * @param c the capability
     * @return whether declared
     */
    protected final boolean has(StateStoreCapability c) {
        return fixture.capabilities().contains(c);
    }

    /**
     * A fresh worker state with Celery's default limits (50,000 ids, 10,800 s) and the system clock.
     *
     * @return the state
     */
    protected static WorkerState freshWorker() {
        return new WorkerState(new RevokedSet(RevokedSet.DEFAULT_MAXLEN, Duration.ofSeconds(10_800), Clock.systemUTC()),
                new LamportClock());
    }

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Opens and merges, closing the store when the merge fails; returns what was thrown, or null. */
    private Throwable attemptOpenAndMerge(WorkerState w) {
        StateStore[] s = new StateStore[1];
        Throwable thrown = catchThrowable(() -> {
            s[0] = open();
            s[0].merge(w);
        });
        if (thrown != null && s[0] != null) {
            s[0].close();
        }
        return thrown;
    }

    // =============================================================================================
    // required

    @Test
    void required_declaresExactlyTheFixtureCapabilities() {
        StateStore s = open();
        assertThat(s.capabilities()).containsExactlyInAnyOrderElementsOf(fixture.capabilities());
        for (StateStoreCapability c : StateStoreCapability.values()) {
            assertThat(s.supports(c)).as("supports(%s)", c).isEqualTo(fixture.capabilities().contains(c));
        }
        assertThat(s.location()).isNotBlank();
    }

    @Test
    void required_roundTripOf50000IdsAndTheClock() {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        double base = Math.floor(w.revoked().now()) - 3600;
        Map<String, Double> ids = new LinkedHashMap<>();
        for (int i = 0; i < 50_000; i++) {
            ids.put(i % 10 == 0 ? "custom-id-" + i + "-ü" : newId(), base + i * 0.000_013);
        }
        w.revoked().update(ids);
        w.clock().adjust(123_456); // local 123,457
        s.save(w);                 // Celery's save forwards: 123,458 stored

        WorkerState restarted = freshWorker();
        open().merge(restarted);
        assertThat(restarted.revoked().size()).isEqualTo(50_000);
        assertThat(restarted.revoked().asMap()).containsExactlyEntriesOf(ids);
        if (has(StateStoreCapability.SHARED)) {
            assertThat(restarted.clock().value()).isGreaterThanOrEqualTo(123_459);
        } else {
            assertThat(restarted.clock().value()).isEqualTo(123_459);
        }
    }

    @Test
    void required_revokesAndClockSurviveARestart() {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        double before = w.revoked().now();
        w.revoked().add("r1");
        w.revoked().add("r2");
        double after = w.revoked().now();
        w.clock().adjust(41);
        s.save(w);

        WorkerState restarted = freshWorker();
        StateStore again = open();
        again.merge(restarted);
        assertThat(restarted.revoked().contains("r1")).isTrue();
        assertThat(restarted.revoked().contains("r2")).isTrue();
        assertThat(restarted.revoked().contains("never")).isFalse();
        assertThat(restarted.revoked().asMap().get("r1")).as("a wall-clock timestamp").isBetween(before, after);
        assertThat(restarted.clock().value()).isGreaterThan(43);
    }

    @Test
    void required_mergeAdjustsTheClockLikeCelery() {
        // Celery 5.2.6, observed: a stored 7 becomes 8 at merge (adjust), 9 at save (forward); a restart
        // with local clock 3 then gives 10. A store shared by several workers may store a higher value.
        boolean exact = !has(StateStoreCapability.SHARED);
        WorkerState seed = freshWorker();
        StateStore first = open();
        first.merge(seed);                 // adjust(0): 1
        for (int i = 0; i < 6; i++) {
            seed.clock().forward();        // 7
        }
        assertThat(seed.clock().value()).isEqualTo(7);
        first.close();                     // stores exactly 7

        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        if (exact) {
            assertThat(w.clock().value()).as("the stored 7 adjusted at merge").isEqualTo(8);
        } else {
            assertThat(w.clock().value()).isGreaterThanOrEqualTo(8);
        }
        long merged = w.clock().value();
        s.save(w);
        assertThat(w.clock().value()).as("save forwards").isEqualTo(merged + 1);

        WorkerState local = freshWorker();
        local.clock().adjust(2);           // local 3, lower than the stored value
        StateStore second = open();
        second.merge(local);
        if (exact) {
            assertThat(local.clock().value()).as("max(3, 9) + 1").isEqualTo(10);
        } else {
            assertThat(local.clock().value()).isGreaterThanOrEqualTo(merged + 2);
        }
        second.save(local);

        WorkerState ahead = freshWorker();
        ahead.clock().adjust(99);          // local 100, higher than the stored value
        open().merge(ahead);
        if (exact) {
            assertThat(ahead.clock().value()).as("max(100, 11) + 1").isEqualTo(101);
        } else {
            assertThat(ahead.clock().value()).isGreaterThanOrEqualTo(101);
        }
    }

    @Test
    void required_mergeAppliesTheWorkersExpiryAndMaxlen() {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        double now = w.revoked().now();
        Map<String, Double> old = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            old.put("old-" + i, now - 7200 + i);
        }
        Map<String, Double> recent = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            recent.put("recent-" + i, now - 60 + i);
        }
        w.revoked().update(old);
        w.revoked().update(recent);
        s.save(w);

        WorkerState strict = new WorkerState(new RevokedSet(15, Duration.ofHours(1), Clock.systemUTC()), new LamportClock());
        open().merge(strict);
        List<String> expected = new ArrayList<>();
        for (int i = 5; i < 20; i++) {
            expected.add("recent-" + i);
        }
        assertThat(strict.revoked().asMap().keySet()).as("expired ids dropped, then the 15 newest kept, oldest first")
                .containsExactlyElementsOf(expected);
    }

    @Test
    void required_closeWithoutSyncLosesNothing() {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = newId();
            w.revoked().add(id); // acknowledged when add returns
            ids.add(id);
        }
        long highest = 0;
        for (int i = 0; i < 2_500; i++) {
            highest = w.clock().forward();
        }
        s.close();

        WorkerState restarted = freshWorker();
        open().merge(restarted);
        assertThat(restarted.revoked().asMap().keySet()).containsAll(ids);
        assertThat(restarted.clock().value()).as("above every value handed out").isGreaterThan(highest);
    }

    @Test
    void required_saveSyncsThenClosesAndCloseIsIdempotent() {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        w.revoked().add("saved");
        long before = w.clock().value();
        s.save(w);
        assertThat(w.clock().value()).as("save forwards the clock, as Celery's sync").isEqualTo(before + 1);
        assertThat(w.clock().isGuarded()).as("a saved store no longer follows the clock").isFalse();
        assertThatThrownBy(() -> s.sync(w)).isInstanceOf(StateStoreClosedException.class);
        assertThatThrownBy(() -> s.merge(freshWorker())).isInstanceOf(StateStoreClosedException.class);
        assertThatThrownBy(() -> s.save(w)).isInstanceOf(StateStoreClosedException.class);
        s.close();
        s.close();
        assertThat(s.shutdownAction()).isEmpty();
        w.revoked().add("after-close"); // no longer followed: neither fails nor is stored

        WorkerState restarted = freshWorker();
        open().merge(restarted);
        assertThat(restarted.revoked().contains("saved")).isTrue();
        assertThat(restarted.revoked().contains("after-close")).isFalse();
        assertThat(restarted.clock().value()).isGreaterThan(before + 1);
    }

    @Test
    void required_shutdownActionSavesLikeCeleryAtexit() {
        WorkerState w = freshWorker();
        StateStore s = open();
        assertThat(s.shutdownAction()).as("nothing to save before merge").isEmpty();
        s.merge(w);
        Optional<Runnable> action = s.shutdownAction();
        assertThat(action).as("merge registers a save at JVM exit").isPresent();
        for (int i = 0; i < 20; i++) {
            w.revoked().add("exit-" + i);
        }
        long synced = w.clock().value() + 1;
        action.get().run(); // what the JVM runs at a normal exit
        assertThat(w.clock().value()).isEqualTo(synced);
        assertThat(s.shutdownAction()).isEmpty();
        assertThatThrownBy(() -> s.sync(w)).isInstanceOf(StateStoreClosedException.class);

        WorkerState restarted = freshWorker();
        StateStore again = open();
        again.merge(restarted);
        for (int i = 0; i < 20; i++) {
            assertThat(restarted.revoked().contains("exit-" + i)).isTrue();
        }
        assertThat(restarted.clock().value()).isGreaterThan(synced);
        again.close();
        assertThat(again.shutdownAction()).as("close removes the hook").isEmpty();
    }

    @Test
    void required_concurrentRevokesDuringSyncAreAllKept() throws Exception {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        int threads = 4;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String id = newId();
                        w.revoked().add(id);
                        ids.add(id);
                    }
                    return null;
                }));
            }
            int syncs = 0;
            long deadline = System.nanoTime() + t(60).toNanos();
            while (!futures.stream().allMatch(Future::isDone) && syncs < 10_000 && System.nanoTime() < deadline) {
                s.sync(w);
                syncs++;
            }
            for (Future<?> f : futures) {
                f.get(t(60).toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(syncs).as("syncs ran while revoking").isPositive();
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(t(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        s.close();

        WorkerState restarted = freshWorker();
        open().merge(restarted);
        assertThat(ids).hasSize(threads * perThread);
        assertThat(restarted.revoked().asMap().keySet()).containsAll(ids);
    }

    @Test
    void required_clockStepsDuringSyncStayCovered() throws Exception {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        int threads = 4;
        AtomicLong highest = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int k = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 3_000; i++) {
                        long v = (i + k) % 7 == 0 ? w.clock().adjust(w.clock().value() + 3) : w.clock().forward();
                        highest.accumulateAndGet(v, Math::max);
                    }
                    return null;
                }));
            }
            int syncs = 0;
            long deadline = System.nanoTime() + t(60).toNanos();
            while (!futures.stream().allMatch(Future::isDone) && syncs < 10_000 && System.nanoTime() < deadline) {
                s.sync(w);
                syncs++;
            }
            for (Future<?> f : futures) {
                f.get(t(60).toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(t(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        s.close();

        WorkerState restarted = freshWorker();
        open().merge(restarted);
        assertThat(restarted.clock().value()).as("above every value handed out").isGreaterThan(highest.get());
    }

    @Test
    void required_discardClearAndPeerUpdatesArePersisted() {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        w.revoked().add("kept");
        w.revoked().add("discarded");
        assertThat(w.revoked().discard("discarded")).isTrue();
        s.close();

        WorkerState second = freshWorker();
        StateStore s2 = open();
        s2.merge(second);
        assertThat(second.revoked().asMap().keySet()).containsExactly("kept");
        second.revoked().clear();
        double now = second.revoked().now();
        second.revoked().update(Map.of("from-peer-1", now - 5, "from-peer-2", now - 4)); // as mingle does
        s2.close();

        WorkerState third = freshWorker();
        open().merge(third);
        assertThat(third.revoked().asMap().keySet()).containsExactly("from-peer-1", "from-peer-2");
    }

    @Test
    void required_idsRevokedBeforeMergeAreStoredToo() {
        WorkerState w = freshWorker();
        w.revoked().add("before-merge");
        StateStore s = open();
        s.merge(w);
        s.close();

        WorkerState restarted = freshWorker();
        open().merge(restarted);
        assertThat(restarted.revoked().contains("before-merge")).isTrue();
    }

    @Test
    void required_aFailedMergeCanBeRetriedAndLosesNothing() {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        w.revoked().add("stored");
        s.save(w);

        WorkerState retrying = freshWorker();
        Registration otherStore = retrying.clock().attachGuard(v -> v, 0); // as if another store followed it
        StateStore again = open();
        assertThatThrownBy(() -> again.merge(retrying)).isInstanceOf(IllegalStateException.class);
        otherStore.close();
        again.merge(retrying);
        assertThat(retrying.revoked().contains("stored")).isTrue();
        again.save(retrying);

        WorkerState last = freshWorker();
        open().merge(last);
        assertThat(last.revoked().contains("stored")).as("the retried merge did not save an empty state").isTrue();
    }

    @Test
    void required_misuseIsRefused() {
        WorkerState w = freshWorker();
        StateStore s = open();
        assertThatThrownBy(() -> s.sync(w)).as("sync before merge would overwrite the stored state")
                .isInstanceOf(IllegalStateException.class);
        s.merge(w);
        assertThatThrownBy(() -> s.merge(w)).isInstanceOf(IllegalStateException.class);
        WorkerState other = freshWorker();
        assertThatThrownBy(() -> s.merge(other)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.sync(other)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.save(other)).isInstanceOf(IllegalStateException.class);
        s.sync(w);
        s.close();
    }

    @Test
    void required_closingLeaksNoThreads() {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        w.revoked().add(newId());
        s.sync(w);
        s.close();
        threads.assertNoNewThreads(t(10), sharedThreadNamePrefixes());
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void required_corruptStoredStateIsRefusedAndLeftAsItWas(Corruption kind) throws Exception {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        for (int i = 0; i < 100; i++) {
            w.revoked().add(newId());
        }
        s.save(w);
        assumeTrue(fixture.corrupt(kind), "the fixture cannot produce " + kind + " corruption for this store");
        List<String> asideBefore = fixture.keptAside();
        for (int attempt = 0; attempt < 2; attempt++) {
            WorkerState fresh = freshWorker();
            Throwable thrown = attemptOpenAndMerge(fresh);
            assertThat(thrown).as("attempt %d", attempt + 1).isInstanceOf(CorruptStateException.class)
                    .hasMessageContaining(s.location());
            assertThat(fresh.revoked().isEmpty()).as("nothing merged").isTrue();
            assertThat(fresh.clock().value()).as("the clock untouched").isZero();
            assertThat(fresh.clock().isGuarded()).isFalse();
        }
        assertThat(fixture.keptAside()).as("nothing moved or copied").isEqualTo(asideBefore);
    }

    // =============================================================================================
    // by capability

    @Test
    void keepCorruptAside_startsFromWhatIsValidAndNeverOverwritesACopy() throws Exception {
        assumeTrue(has(StateStoreCapability.KEEP_CORRUPT_ASIDE), "the store does not declare KEEP_CORRUPT_ASIDE");
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        w.revoked().add("lost-with-the-corrupt-copy");
        s.save(w);
        assumeTrue(fixture.corrupt(Corruption.FLIPPED_BIT), "the fixture cannot flip a bit of the stored state");
        List<String> before = fixture.keptAside();

        WorkerState recovering = freshWorker();
        StateStore r = fixture.openKeepingCorruptAside();
        opened.add(r);
        r.merge(recovering);
        List<String> firstCopy = fixture.keptAside();
        assertThat(firstCopy).hasSize(before.size() + 1).containsAll(before);
        recovering.revoked().add("after-recovery");
        r.save(recovering);

        WorkerState normal = freshWorker();
        StateStore n = open();
        n.merge(normal);
        assertThat(normal.revoked().contains("after-recovery")).isTrue();
        assertThat(fixture.keptAside()).as("a sound state is not kept aside again").isEqualTo(firstCopy);
        n.save(normal);

        assumeTrue(fixture.corrupt(Corruption.FLIPPED_BIT));
        StateStore again = fixture.openKeepingCorruptAside();
        opened.add(again);
        again.merge(freshWorker());
        List<String> secondCopy = fixture.keptAside();
        assertThat(secondCopy).as("a second copy, the first kept").hasSize(firstCopy.size() + 1).containsAll(firstCopy);
    }

    @Test
    void exclusive_aSecondOpenerGetsTheLockErrorUntilTheFirstCloses() {
        assumeTrue(has(StateStoreCapability.EXCLUSIVE), "the store does not declare EXCLUSIVE");
        StateStore first = open();
        first.merge(freshWorker());
        for (int attempt = 0; attempt < 2; attempt++) {
            Throwable thrown = catchThrowable(this::open);
            assertThat(thrown).isInstanceOf(StateStoreLockedException.class).hasMessageContaining(first.location());
            assertThat(((StateStoreLockedException) thrown).holder()).as("the holder is named").isNotBlank();
        }
        first.close();
        WorkerState w = freshWorker();
        open().merge(w);
    }

    @Test
    void shared_severalWorkersShareOneStore() {
        assumeTrue(has(StateStoreCapability.SHARED), "the store does not declare SHARED");
        WorkerState a = freshWorker();
        WorkerState b = freshWorker();
        StateStore sa = open();
        StateStore sb = open();
        sa.merge(a);
        sb.merge(b);
        a.revoked().add("from-a");
        b.revoked().add("from-b");
        long highest = 0;
        for (int i = 0; i < 1_500; i++) {
            highest = Math.max(a.clock().forward(), b.clock().forward());
        }
        sa.sync(a);
        sb.close();
        sa.close();

        WorkerState c = freshWorker();
        open().merge(c);
        assertThat(c.revoked().contains("from-a")).isTrue();
        assertThat(c.revoked().contains("from-b")).isTrue();
        assertThat(c.clock().value()).isGreaterThan(highest);
    }
}
