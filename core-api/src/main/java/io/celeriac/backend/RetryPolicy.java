package io.celeriac.backend;

import java.time.Duration;
import java.util.Objects;

/**
 * How a backend retries an operation that failed with a transient error (a lost connection, a
 * serialization failure): kombu's {@code retry_policy}, {@code max_retries} attempts after the first, the
 * first retry after {@code intervalStart}, each later one {@code intervalStep} longer, never more than
 * {@code intervalMax} apart.
 *
 * <p>Celery's default, {@link #CELERY_DEFAULT}, is 20 retries, starting at 0 s, stepping 1 s, at most 1 s.
 *
 * @param maxRetries how many retries after the first attempt (0 = no retry)
 * @param intervalStart the wait before the first retry
 * @param intervalStep how much longer each further wait is
 * @param intervalMax the longest wait
 */
public record RetryPolicy(int maxRetries, Duration intervalStart, Duration intervalStep, Duration intervalMax) {

    /** Celery's {@code Backend.retry_policy}: 20 retries, start 0 s, step 1 s, max 1 s. */
    public static final RetryPolicy CELERY_DEFAULT =
            new RetryPolicy(20, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1));

    /** No retries at all. */
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /**
     * Validates.
     *
     * @throws IllegalArgumentException on a negative value
     */
    public RetryPolicy {
        Objects.requireNonNull(intervalStart, "intervalStart");
        Objects.requireNonNull(intervalStep, "intervalStep");
        Objects.requireNonNull(intervalMax, "intervalMax");
        if (maxRetries < 0 || intervalStart.isNegative() || intervalStep.isNegative() || intervalMax.isNegative()) {
            throw new IllegalArgumentException("a retry policy cannot hold negative values: " + this);
        }
    }

    /**
     * The wait before retry number {@code retry} (1-based): {@code min(intervalMax, intervalStart + (retry-1) * intervalStep)}.
     *
     * @param retry the retry number, from 1
     * @return the wait
     */
    public Duration intervalBefore(int retry) {
        Duration d = intervalStart.plus(intervalStep.multipliedBy(Math.max(0, retry - 1)));
        return d.compareTo(intervalMax) > 0 ? intervalMax : d;
    }
}
