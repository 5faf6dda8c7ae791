package io.celeriac.events.state;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.spi.EventStateProvider;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Creates {@link MemoryEventState}s for {@code memory://} URLs.
 *
 * <p>Query parameters override the options: {@code max_workers_in_memory}, {@code max_tasks_in_memory}
 * (integers, as Celery's {@code State} arguments) and {@code forget_offline_workers} (true/false), e.g.
 * {@code memory://?max_tasks_in_memory=50000}. Any other parameter is an error. Stateless and thread-safe.
 */
public final class MemoryEventStateProvider implements EventStateProvider {

    private static final Set<String> PARAMS = Set.of("max_workers_in_memory", "max_tasks_in_memory",
            "forget_offline_workers");

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
     * Creates an empty state.
     *
     * @param url {@code memory://}, optionally with the query parameters above
     * @param options the limits, clock and offline policy; the URL's parameters override them
     * @return the state; close it
     * @throws InvalidConfigurationException when a parameter is unknown or invalid (all are listed)
     */
    @Override
    public EventState open(BackendUrl url, EventStateOptions options) {
        List<String> problems = new ArrayList<>();
        for (String p : url.query().keySet()) {
            if (!PARAMS.contains(p)) {
                problems.add("unknown query parameter '" + p + "' (known: max_workers_in_memory, "
                        + "max_tasks_in_memory, forget_offline_workers)");
            }
        }
        EventStateOptions.Builder b = options.toBuilder();
        try {
            b.maxWorkersInMemory(url.intParam("max_workers_in_memory", options.maxWorkersInMemory()));
        } catch (InvalidUrlException e) {
            problems.add("max_workers_in_memory must be an integer");
        }
        try {
            b.maxTasksInMemory(url.intParam("max_tasks_in_memory", options.maxTasksInMemory()));
        } catch (InvalidUrlException e) {
            problems.add("max_tasks_in_memory must be an integer");
        }
        try {
            b.forgetOfflineWorkers(url.booleanParam("forget_offline_workers", options.forgetOfflineWorkers()));
        } catch (InvalidUrlException e) {
            problems.add("forget_offline_workers must be true or false");
        }
        EventStateOptions effective = null;
        try {
            effective = b.build(); // validates the values that did parse, so every problem is listed at once
        } catch (InvalidConfigurationException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("Invalid event state URL " + url.masked(), problems);
        }
        return new MemoryEventState(effective, url.masked());
    }
}
