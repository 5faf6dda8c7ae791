package io.celeriac.events.state;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.spi.EventStateProvider;
import io.celeriac.events.state.internal.MemoryEventState;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens in-memory event states (Celery's {@code celery.events.state.State} for the JVM) for {@code memory://}
 * URLs; settings: see {@link MemoryEventStateConfig}. Stateless and thread-safe.
 */
public final class MemoryEventStateProvider implements EventStateProvider {

    /** Creates the provider. */
    public MemoryEventStateProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public String description() {
        return "in-memory cluster state (Celery's events State)";
    }

    /**
     * Opens an empty state.
     *
     * @param url {@code memory://}, optionally with the query parameters of {@link MemoryEventStateConfig}
     * @param options the limits, clock and offline policy; the URL's parameters override them
     * @return the state; close it
     * @throws InvalidConfigurationException when a parameter is unknown or invalid (all are listed)
     */
    @Override
    public EventState open(BackendUrl url, EventStateOptions options) {
        return new MemoryEventState(MemoryEventStateConfig.parse(url, options));
    }
}
