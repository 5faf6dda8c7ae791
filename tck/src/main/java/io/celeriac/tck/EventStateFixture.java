package io.celeriac.tck;

import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;

/**
 * What a plugin gives {@link EventStateContract}: fresh, empty event states for one test, opened with the
 * options the test needs (limits, a clock the test moves).
 *
 * <p>The kit creates one fixture per test, opens one or more states on it, closes those states and then the
 * fixture, which should release what the test used. Each state opened must be independent and empty. The kit
 * calls a fixture from the test's thread only.
 */
public interface EventStateFixture extends AutoCloseable {

    /**
     * Opens a new, empty event state.
     *
     * @param options the options the test needs (limits, clock, offline policy)
     * @return a new state; the kit closes it
     */
    EventState open(EventStateOptions options);

    /**
     * Releases what the test used. The default does nothing.
     *
     * @throws Exception on failure
     */
    @Override
    default void close() throws Exception {
    }
}
