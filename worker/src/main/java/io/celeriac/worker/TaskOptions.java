package io.celeriac.worker;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One task's settings, Celery's task attributes: {@code acks_late}, {@code ignore_result},
 * {@code track_started}, {@code max_retries}, {@code default_retry_delay}, {@code rate_limit},
 * {@code time_limit}, {@code soft_time_limit}. A {@code null} switch or limit means the worker's setting.
 * Immutable; built with {@link #builder()}.
 *
 * @param acksLate acknowledge after the run instead of before it; {@code null} for the worker's default
 * @param ignoreResult store no result; {@code null} for the worker's default (a message's {@code ignore_result}
 *                     header also turns it on)
 * @param trackStarted store STARTED when the task starts; {@code null} for the worker's default
 * @param maxRetries the most retries allowed; negative for no limit
 * @param defaultRetryDelay the countdown of a retry that names none
 * @param rateLimit Celery's rate limit ({@code 10/s}, {@code 10/m}, {@code 10/h}, or a number per second), or
 *                  {@code null}
 * @param timeLimit the hard time limit, or {@code null} for the worker's
 * @param softTimeLimit the soft time limit, or {@code null} for the worker's
 */
public record TaskOptions(Boolean acksLate, Boolean ignoreResult, Boolean trackStarted, int maxRetries,
                          Duration defaultRetryDelay, String rateLimit, Duration timeLimit, Duration softTimeLimit) {

    /** Celery's default {@code max_retries}. */
    public static final int DEFAULT_MAX_RETRIES = 3;

    /** Celery's default {@code default_retry_delay}, 3 minutes. */
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMinutes(3);

    private static final TaskOptions DEFAULTS = new TaskOptions(null, null, null, DEFAULT_MAX_RETRIES,
            DEFAULT_RETRY_DELAY, null, null, null);

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException when the rate limit cannot be read or a duration is negative
     */
    public TaskOptions {
        Objects.requireNonNull(defaultRetryDelay, "defaultRetryDelay");
        if (defaultRetryDelay.isNegative()) {
            throw new IllegalArgumentException("default_retry_delay cannot be negative: " + defaultRetryDelay);
        }
        if (rateLimit != null && rateLimit.isBlank()) {
            rateLimit = null;
        }
        if (rateLimit != null) {
            perSecond(rateLimit);
        }
        if (timeLimit != null && (timeLimit.isNegative() || timeLimit.isZero())) {
            throw new IllegalArgumentException("time_limit must be positive, not " + timeLimit);
        }
        if (softTimeLimit != null && (softTimeLimit.isNegative() || softTimeLimit.isZero())) {
            throw new IllegalArgumentException("soft_time_limit must be positive, not " + softTimeLimit);
        }
    }

    /** @return Celery's defaults: the worker's switches and limits, 3 retries 3 minutes apart, no rate limit */
    public static TaskOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** @return a builder with these settings */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Reads a Celery rate limit as tasks per second: {@code 10/s}, {@code 10/m}, {@code 10/h} or a plain number
     * (per second); {@code 0} or {@code null} means no limit.
     *
     * @param rateLimit the rate limit
     * @return tasks per second, 0 for no limit
     * @throws IllegalArgumentException when it is not a rate limit
     */
    public static double perSecond(String rateLimit) {
        if (rateLimit == null || rateLimit.isBlank()) {
            return 0;
        }
        String s = rateLimit.strip().toLowerCase(Locale.ROOT);
        int slash = s.indexOf('/');
        double per = 1;
        String n = s;
        if (slash >= 0) {
            n = s.substring(0, slash).strip();
            String unit = s.substring(slash + 1).strip();
            per = switch (unit.isEmpty() ? ' ' : unit.charAt(0)) {
                case 's' -> 1;
                case 'm' -> 60;
                case 'h' -> 3600;
                default -> throw new IllegalArgumentException("the rate limit '" + rateLimit
                        + "' has the unit '" + unit + "'; use s, m or h, e.g. 10/m");
            };
        }
        double count;
        try {
            count = Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + rateLimit + "' is not a rate limit; write e.g. 10/s, 10/m, 10/h");
        }
        if (count < 0 || Double.isNaN(count) || Double.isInfinite(count)) {
            throw new IllegalArgumentException("the rate limit '" + rateLimit + "' must be a count of 0 or more");
        }
        return count / per;
    }

    /** Builds {@link TaskOptions}. Not thread-safe. */
    public static final class Builder {
        private Boolean acksLate;
        private Boolean ignoreResult;
        private Boolean trackStarted;
        private int maxRetries;
        private Duration defaultRetryDelay;
        private String rateLimit;
        private Duration timeLimit;
        private Duration softTimeLimit;

        private Builder(TaskOptions o) {
            acksLate = o.acksLate;
            ignoreResult = o.ignoreResult;
            trackStarted = o.trackStarted;
            maxRetries = o.maxRetries;
            defaultRetryDelay = o.defaultRetryDelay;
            rateLimit = o.rateLimit;
            timeLimit = o.timeLimit;
            softTimeLimit = o.softTimeLimit;
        }

        /** @param v acknowledge after the run; {@code null} for the worker's default @return this */
        public Builder acksLate(Boolean v) {
            acksLate = v;
            return this;
        }

        /** @param v store no result; {@code null} for the worker's default @return this */
        public Builder ignoreResult(Boolean v) {
            ignoreResult = v;
            return this;
        }

        /** @param v store STARTED; {@code null} for the worker's default @return this */
        public Builder trackStarted(Boolean v) {
            trackStarted = v;
            return this;
        }

        /** @param v the most retries; negative for no limit @return this */
        public Builder maxRetries(int v) {
            maxRetries = v;
            return this;
        }

        /** @param v the countdown of a retry that names none @return this */
        public Builder defaultRetryDelay(Duration v) {
            defaultRetryDelay = v;
            return this;
        }

        /** @param v e.g. {@code 10/m}; {@code null} for none @return this */
        public Builder rateLimit(String v) {
            rateLimit = v;
            return this;
        }

        /** @param v the hard time limit; {@code null} for the worker's @return this */
        public Builder timeLimit(Duration v) {
            timeLimit = v;
            return this;
        }

        /** @param v the soft time limit; {@code null} for the worker's @return this */
        public Builder softTimeLimit(Duration v) {
            softTimeLimit = v;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException when a setting is wrong
         */
        public TaskOptions build() {
            return new TaskOptions(acksLate, ignoreResult, trackStarted, maxRetries, defaultRetryDelay, rateLimit,
                    timeLimit, softTimeLimit);
        }
    }
}
