package io.celeriac.worker;

import io.celeriac.CeleriacException;

import java.time.Duration;
import java.time.Instant;

/**
 * Thrown by {@link TaskContext#retry} to ask the worker to run the task again later, Celery's {@code Retry}: the
 * worker sends the message again with {@code retries + 1} and an ETA, and stores RETRY. When the task has already
 * been retried its maximum number of times, the worker stores FAILURE instead: the given exception, or Celery's
 * {@code MaxRetriesExceededError}. Handlers let it propagate; they do not construct it.
 */
public final class Retry extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final transient Instant eta;
    private final transient Throwable exc;
    private final Integer maxRetries;

    /**
     * A retry request; the worker makes these through {@link TaskContext#retry}.
     *
     * @param eta when to run again
     * @param countdown the delay it stands for
     * @param exc the cause, or {@code null}
     * @param maxRetries the maximum for this retry, or {@code null} for the task's
     */
    Retry(Instant eta, Duration countdown, Throwable exc, Integer maxRetries) {
        super("Retry in " + seconds(countdown) + (exc == null ? "" : ": " + exc));
        this.eta = eta;
        this.exc = exc;
        this.maxRetries = maxRetries;
    }

    /** @return when the task runs again */
    public Instant eta() {
        return eta;
    }

    /** @return the exception that caused the retry, or {@code null} */
    public Throwable exc() {
        return exc;
    }

    /** @return the maximum given with this retry, or {@code null} for the task's */
    public Integer maxRetries() {
        return maxRetries;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : (ms / 1000.0) + "s";
    }
}
