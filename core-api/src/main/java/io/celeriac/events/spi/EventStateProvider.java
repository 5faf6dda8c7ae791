package io.celeriac.events.spi;

import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.spi.Provider;
import io.celeriac.url.BackendUrl;

/**
 * Opens {@link EventState}s for some URL schemes (the in-memory state answers {@code memory}), listed
 * in {@code META-INF/services/io.celeriac.events.spi.EventStateProvider}.
 *
 * <p>Like every provider: stateless, thread-safe, a public no-argument constructor that does no I/O.
 */
public interface EventStateProvider extends Provider {

    /**
     * Opens an event state.
     *
     * @param url the URL, e.g. {@code memory://}
     * @param options limits and clock
     * @return the state; the caller closes it
     * @throws io.celeriac.InvalidConfigurationException when the URL or the options hold a value the state
     *         cannot use (every problem listed)
     */
    EventState open(BackendUrl url, EventStateOptions options);
}
