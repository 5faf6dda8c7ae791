package io.celeriac.events;

import java.time.Clock;
import java.util.Objects;

/**
 * Settings of an {@link EventState}: Celery's memory limits and the clock that decides whether workers
 * are alive. Immutable.
 *
 * @param maxWorkersInMemory the most workers kept (oldest evicted), Celery's default 5,000
 * @param maxTasksInMemory the most tasks kept (oldest evicted), Celery's default 10,000
 * @param clock the wall clock for heartbeat expiry
 */
public record EventStateOptions(int maxWorkersInMemory, int maxTasksInMemory, Clock clock) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a limit is not positive
     */
    public EventStateOptions {
        if (maxWorkersInMemory <= 0 || maxTasksInMemory <= 0) {
            throw new IllegalArgumentException("the memory limits must be positive");
        }
        Objects.requireNonNull(clock, "clock");
    }

    /**
     * Celery's defaults: 5,000 workers, 10,000 tasks, the system clock.
     *
     * @return the defaults
     */
    public static EventStateOptions defaults() {
        return new EventStateOptions(5000, 10_000, Clock.systemUTC());
    }
}
