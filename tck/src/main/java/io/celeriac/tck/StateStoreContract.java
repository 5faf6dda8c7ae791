package io.celeriac.tck;

import io.celeriac.state.LamportClock;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStore;
import io.celeriac.state.WorkerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance kit for worker state stores: extend it and implement {@link #createFixture()}.
 *
 * <p>It checks Celery's {@code Persistent} semantics: what {@link StateStore#sync} wrote,
 * {@link StateStore#merge} brings back into a fresh worker (revokes merged, clock adjusted with
 * {@code max(local, stored) + 1}).
 */
public abstract class StateStoreContract {

    /** What a plugin gives the kit: a fresh, isolated place for one worker's state. */
    public interface StateStoreFixture extends AutoCloseable {
        /**
         * Opens a store on this fixture's location; called again after a close to "restart the worker".
         *
         * @return the store; the kit closes it
         */
        StateStore open();

        /**
         * Removes the location. The default does nothing.
         *
         * @throws Exception on failure
         */
        @Override
        default void close() throws Exception {
        }
    }

    private StateStoreFixture fixture;
    private final List<StateStore> opened = new ArrayList<>();

    /**
     * Creates a fresh fixture for one test.
     *
     * @return the fixture
     * @throws Exception when the location cannot be prepared
     */
    protected abstract StateStoreFixture createFixture() throws Exception;

    @BeforeEach
    final void createKitFixture() throws Exception {
        fixture = createFixture();
    }

    @AfterEach
    final void closeKitFixture() throws Exception {
        for (StateStore s : opened) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // keep cleaning up
            }
        }
        opened.clear();
        fixture.close();
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
     * A fresh worker state with Celery's default limits and the system clock.
     *
     * @return the state
     */
    protected static WorkerState freshWorker() {
        return new WorkerState(new RevokedSet(RevokedSet.DEFAULT_MAXLEN, Duration.ofSeconds(10_800), Clock.systemUTC()),
                new LamportClock());
    }

    @Test
    void required_revokesAndClockSurviveARestart() {
        WorkerState w = freshWorker();
        StateStore s = open();
        s.merge(w);
        w.revoked().add("r1");
        w.revoked().add("r2");
        w.clock().adjust(41);
        s.save(w);

        WorkerState restarted = freshWorker();
        StateStore again = open();
        again.merge(restarted);
        assertThat(restarted.revoked().contains("r1")).isTrue();
        assertThat(restarted.revoked().contains("r2")).isTrue();
        assertThat(restarted.revoked().contains("never")).isFalse();
        assertThat(restarted.clock().value()).isGreaterThan(43);
    }

    @Test
    void required_mergeAdjustsTheClockLikeCelery() {
        WorkerState w = freshWorker();
        w.clock().adjust(6); // local 7
        StateStore s = open();
        s.merge(w);
        long afterFirstMerge = w.clock().value();
        assertThat(afterFirstMerge).isGreaterThanOrEqualTo(8);
        s.save(w);

        WorkerState local = freshWorker();
        local.clock().adjust(2); // local 3, stored higher
        StateStore again = open();
        again.merge(local);
        assertThat(local.clock().value()).isGreaterThan(afterFirstMerge);
    }
}
