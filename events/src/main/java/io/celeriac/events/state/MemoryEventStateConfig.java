package io.celeriac.events.state;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.events.EventStateOptions;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;

import java.util.List;
import java.util.Objects;

/**
 * The configuration of a {@code memory://} event state, parsed once from its URL and options by {@link #parse}.
 *
 * <p>Query parameters override the options, read as every celeriac setting is ({@link SettingsReader}):
 * {@value #MAX_WORKERS_IN_MEMORY} and {@value #MAX_TASKS_IN_MEMORY} (integers from 1, as Celery's {@code State}
 * arguments; tasks at most {@link EventStateOptions#MAX_TASKS_LIMIT}) and {@value #FORGET_OFFLINE_WORKERS}
 * (a boolean), e.g. {@code memory://?max_tasks_in_memory=50000}. Any other parameter is an error.
 *
 * <p>Immutable and thread-safe.
 */
public final class MemoryEventStateConfig {

    /** Query parameter: the most workers kept, an integer from 1. */
    public static final String MAX_WORKERS_IN_MEMORY = "max_workers_in_memory";
    /** Query parameter: the most tasks kept, an integer from 1 to {@link EventStateOptions#MAX_TASKS_LIMIT}. */
    public static final String MAX_TASKS_IN_MEMORY = "max_tasks_in_memory";
    /** Query parameter: whether a worker that goes offline is dropped, a boolean. */
    public static final String FORGET_OFFLINE_WORKERS = "forget_offline_workers";

    private static final List<String> PARAMS = List.of(MAX_WORKERS_IN_MEMORY, MAX_TASKS_IN_MEMORY,
            FORGET_OFFLINE_WORKERS);

    private final EventStateOptions options;
    private final String name;

    private MemoryEventStateConfig(EventStateOptions options, String name) {
        this.options = options;
        this.name = name;
    }

    /**
     * Parses {@code memory://} with its optional query parameters.
     *
     * @param url {@code memory://}, optionally with the query parameters above
     * @param options the limits, clock and offline policy; the URL's parameters override them
     * @return the configuration
     * @throws InvalidConfigurationException when a parameter is unknown or invalid (all are listed)
     * @throws NullPointerException when an argument is null
     */
    public static MemoryEventStateConfig parse(BackendUrl url, EventStateOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        SettingsReader r = url.settings();
        for (String p : url.query().keySet()) {
            if (!PARAMS.contains(p)) {
                r.problem("unknown query parameter '" + p + "' (known: " + String.join(", ", PARAMS) + ")");
            }
        }
        EventStateOptions.Builder b = options.toBuilder()
                .maxWorkersInMemory(r.integer(MAX_WORKERS_IN_MEMORY, options.maxWorkersInMemory(), 1, Integer.MAX_VALUE))
                .maxTasksInMemory(r.integer(MAX_TASKS_IN_MEMORY, options.maxTasksInMemory(), 1,
                        EventStateOptions.MAX_TASKS_LIMIT))
                .forgetOfflineWorkers(r.bool(FORGET_OFFLINE_WORKERS, options.forgetOfflineWorkers()));
        r.validate("Invalid event state URL " + url.masked());
        return new MemoryEventStateConfig(b.build(), url.masked());
    }

    /**
     * The options the state uses: the caller's, with the URL's overrides.
     *
     * @return the options
     */
    public EventStateOptions options() {
        return options;
    }

    /**
     * What the state calls itself in messages: the masked URL.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "MemoryEventStateConfig[" + name + ", " + options + "]";
    }
}
