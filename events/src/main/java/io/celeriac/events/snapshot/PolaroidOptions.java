package io.celeriac.events.snapshot;

import io.celeriac.InvalidConfigurationException;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link Polaroid}, as Celery's {@code Polaroid(state, freq, maxrate, cleanup_freq)} takes
 * them. Immutable; start from {@link #defaults()} or {@link #builder()}.
 *
 * @param freq how often a snapshot is taken (Celery's default 1 s)
 * @param maxRate the most snapshots per unit of time, or {@code null} for no limit (Celery's
 *                {@code maxrate}, a token bucket of capacity 1)
 * @param cleanupFreq how often the camera's cleanup runs (Celery's default 1 hour)
 * @param clearAfter whether the state is cleared ({@code clear(true)}) right after each snapshot, inside the
 *                   same freeze (Celery's {@code Polaroid.clear_after}, default false)
 * @param clock the clock the rate limit measures time with
 */
public record PolaroidOptions(Duration freq, Rate maxRate, Duration cleanupFreq, boolean clearAfter, Clock clock) {

    private static final PolaroidOptions DEFAULTS = new PolaroidOptions(Duration.ofSeconds(1), null,
            Duration.ofHours(1), false, Clock.systemUTC());

    /**
     * Validates.
     *
     * @throws InvalidConfigurationException when an interval is not positive (every problem is listed)
     * @throws NullPointerException when {@code freq}, {@code cleanupFreq} or {@code clock} is null
     */
    public PolaroidOptions {
        Objects.requireNonNull(freq, "freq");
        Objects.requireNonNull(cleanupFreq, "cleanupFreq");
        Objects.requireNonNull(clock, "clock");
        List<String> problems = new ArrayList<>();
        if (freq.isZero() || freq.isNegative()) {
            problems.add("freq must be positive, not " + freq);
        }
        if (cleanupFreq.isZero() || cleanupFreq.isNegative()) {
            problems.add("cleanup_freq must be positive, not " + cleanupFreq);
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("Invalid snapshot options", problems);
        }
    }

    /**
     * Celery's defaults: every second, no rate limit, cleanup hourly, no clearing.
     *
     * @return the defaults
     */
    public static PolaroidOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The rate limit, if any.
     *
     * @return the rate
     */
    public Optional<Rate> rateLimit() {
        return Optional.ofNullable(maxRate);
    }

    /** A builder of {@link PolaroidOptions}; not thread-safe. */
    public static final class Builder {
        private Duration freq = DEFAULTS.freq;
        private Rate maxRate;
        private Duration cleanupFreq = DEFAULTS.cleanupFreq;
        private boolean clearAfter;
        private Clock clock = DEFAULTS.clock;

        private Builder() {
        }

        /**
         * How often to take a snapshot.
         *
         * @param v a positive duration
         * @return this builder
         */
        public Builder freq(Duration v) {
            freq = v;
            return this;
        }

        /**
         * The most snapshots per unit of time.
         *
         * @param v the rate, or {@code null} for none
         * @return this builder
         */
        public Builder maxRate(Rate v) {
            maxRate = v;
            return this;
        }

        /**
         * The most snapshots per unit of time, in Celery's notation.
         *
         * @param v e.g. {@code "10/m"}
         * @return this builder
         * @throws InvalidConfigurationException when {@code v} is not a rate
         */
        public Builder maxRate(String v) {
            maxRate = Rate.parse(v);
            return this;
        }

        /**
         * How often to run the cleanup.
         *
         * @param v a positive duration
         * @return this builder
         */
        public Builder cleanupFreq(Duration v) {
            cleanupFreq = v;
            return this;
        }

        /**
         * Whether to clear the state after each snapshot.
         *
         * @param v whether to clear
         * @return this builder
         */
        public Builder clearAfter(boolean v) {
            clearAfter = v;
            return this;
        }

        /**
         * The clock for the rate limit.
         *
         * @param v the clock
         * @return this builder
         */
        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws InvalidConfigurationException when a value is invalid
         */
        public PolaroidOptions build() {
            return new PolaroidOptions(freq, maxRate, cleanupFreq, clearAfter, clock);
        }
    }
}
