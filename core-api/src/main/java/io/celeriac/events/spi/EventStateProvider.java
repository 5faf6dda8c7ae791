package io.celeriac.events.spi;

import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.spi.Provider;
import io.celeriac.url.BackendUrl;

/**
 * Creates {@link EventState}s for some URL schemes (the in-memory state answers {@code memory}), listed
 * in {@code META-INF/services/io.celeriac.events.spi.EventStateProvider}.
 */
public interface EventStateProvider extends Provider {

    /**
     * Creates an event state.
     *
     * @param url the URL, e.g. {@code memory://}
     * @param options limits and clock
     * @return the state; the caller closes it
     */
    EventState create(BackendUrl url, EventStateOptions options);
}
