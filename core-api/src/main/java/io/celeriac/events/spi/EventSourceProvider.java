package io.celeriac.events.spi;

import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.spi.Provider;
import io.celeriac.url.BackendUrl;

/**
 * Opens {@link EventSource}s on a broker URL (e.g. {@code redis://}), listed in
 * {@code META-INF/services/io.celeriac.events.spi.EventSourceProvider}.
 */
public interface EventSourceProvider extends Provider {

    /**
     * Opens an event source; it does not deliver until {@link EventSource#start} is called.
     *
     * @param brokerUrl the broker URL
     * @param options transport options
     * @return the source; the caller closes it
     */
    EventSource open(BackendUrl brokerUrl, EventSourceOptions options);
}
