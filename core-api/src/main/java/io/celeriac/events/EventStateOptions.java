package io.celeriac.events;

import io.celeriac.InvalidConfigurationException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of an {@link EventState}: Celery's memory limits, the clock that decides whether workers are
 * alive, and whether offline workers are forgotten.
 *
 * <p>Immutable and thread-safe. Start from {@link #defaults()} or {@link #builder()}; invalid values raise
 * {@link InvalidConfigurationException} listing every problem at once.
 *
 * @param maxWorkersInMemory the most workers kept, the oldest-created evicted first (Celery's
 *                           {@code max_workers_in_memory}, default 5,000)
 * @param maxTasksInMemory the most tasks kept, the oldest-created evicted first (Celery's
 *                         {@code max_tasks_in_memory}, default 10,000); the time index keeps at most four
 *                         times as many entries
 * @param clock the wall clock that heartbeat expiry ({@link WorkerInfo#alive()}) and snapshot times are
 *              measured with; tests pass a controllable one
 * @param forgetOfflineWorkers whether a {@code worker-offline} event removes the worker from the state
 *                             (default {@code false}: it stays, with status {@code OFFLINE}). Celery removes
 *                             it only when an {@code on_node_leave} callback happens to be set.
 */
public record EventStateOptions(int maxWorkersInMemory, int maxTasksInMemory, Clock clock,
                                boolean forgetOfflineWorkers) {

    /** Celery's default {@code max_workers_in_memory}. */
    public static final int DEFAULT_MAX_WORKERS = 5000;
    /** Celery's default {@code max_tasks_in_memory}. */
    public static final int DEFAULT_MAX_TASKS = 10_000;
    /** The largest task limit accepted: the time index holds four entries per task. */
    public static final int MAX_TASKS_LIMIT = Integer.MAX_VALUE / 4;

    private static final EventStateOptions DEFAULTS = new EventStateOptions(DEFAULT_MAX_WORKERS, DEFAULT_MAX_TASKS,
            Clock.systemUTC(), false);

    /**
     * Validates.
     *
     * @throws InvalidConfigurationException when a limit is not positive (every problem is listed)
     * @throws NullPointerException when {@code clock} is null
     */
    public EventStateOptions {
        Objects.requireNonNull(clock, "clock");
        List<String> problems = new ArrayList<>();
        if (maxWorkersInMemory <= 0) {
            problems.add("max_workers_in_memory must be positive, not " + maxWorkersInMemory);
        }
        if (maxTasksInMemory <= 0 || maxTasksInMemory > MAX_TASKS_LIMIT) {
            problems.add("max_tasks_in_memory must be between 1 and " + MAX_TASKS_LIMIT + ", not " + maxTasksInMemory);
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("Invalid event state options", problems);
        }
    }

    /**
     * Options with offline workers kept, as Celery keeps them without an {@code on_node_leave} callback.
     *
     * @param maxWorkersInMemory the most workers kept
     * @param maxTasksInMemory the most tasks kept
     * @param clock the wall clock
     * @throws InvalidConfigurationException when a limit is not positive
     */
    public EventStateOptions(int maxWorkersInMemory, int maxTasksInMemory, Clock clock) {
        this(maxWorkersInMemory, maxTasksInMemory, clock, false);
    }

    /**
     * Celery's defaults: 5,000 workers, 10,000 tasks, the system clock, offline workers kept.
     *
     * @return the defaults
     */
    public static EventStateOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /**
     * A builder starting from these options.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * These options with another clock.
     *
     * @param newClock the clock
     * @return new options
     */
    public EventStateOptions withClock(Clock newClock) {
        return new EventStateOptions(maxWorkersInMemory, maxTasksInMemory, newClock, forgetOfflineWorkers);
    }

    /** A builder of {@link EventStateOptions}; not thread-safe. */
    public static final class Builder {
        private int maxWorkersInMemory;
        private int maxTasksInMemory;
        private Clock clock;
        private boolean forgetOfflineWorkers;

        private Builder(EventStateOptions from) {
            this.maxWorkersInMemory = from.maxWorkersInMemory;
            this.maxTasksInMemory = from.maxTasksInMemory;
            this.clock = from.clock;
            this.forgetOfflineWorkers = from.forgetOfflineWorkers;
        }

        /**
         * The most workers kept.
         *
         * @param v a positive number
         * @return this builder
         */
        public Builder maxWorkersInMemory(int v) {
            maxWorkersInMemory = v;
            return this;
        }

        /**
         * The most tasks kept.
         *
         * @param v a positive number
         * @return this builder
         */
        public Builder maxTasksInMemory(int v) {
            maxTasksInMemory = v;
            return this;
        }

        /**
         * The wall clock for heartbeat expiry and snapshot times.
         *
         * @param v the clock, not {@code null}
         * @return this builder
         */
        public Builder clock(Clock v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /**
         * Whether {@code worker-offline} removes the worker.
         *
         * @param v whether to forget offline workers
         * @return this builder
         */
        public Builder forgetOfflineWorkers(boolean v) {
            forgetOfflineWorkers = v;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws InvalidConfigurationException when a value is invalid
         */
        public EventStateOptions build() {
            return new EventStateOptions(maxWorkersInMemory, maxTasksInMemory, clock, forgetOfflineWorkers);
        }
    }
}
