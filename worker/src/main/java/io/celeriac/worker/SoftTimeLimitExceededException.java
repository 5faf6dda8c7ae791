package io.celeriac.worker;

import io.celeriac.CeleriacException;

import java.time.Duration;

/**
 * Raised in a task that ran past its soft time limit, Celery's {@code SoftTimeLimitExceeded}: the worker interrupts
 * the task's thread, and {@link TaskContext#checkpoint()} (and the worker, when the handler ends by an
 * {@link InterruptedException}) throws this. A handler may catch it to clean up; if it propagates, the task fails
 * with Celery's {@code SoftTimeLimitExceeded}.
 */
public final class SoftTimeLimitExceededException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * @param limit the soft limit that passed
     */
    public SoftTimeLimitExceededException(Duration limit) {
        super("SoftTimeLimitExceeded(" + limit.toMillis() / 1000.0 + ")");
    }
}
