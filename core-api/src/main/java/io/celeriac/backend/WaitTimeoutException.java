package io.celeriac.backend;

import io.celeriac.CeleriacException;

import java.time.Duration;

/**
 * Raised when a result is not ready within the time a caller waited for it, as Celery's
 * {@code TimeoutError('The operation timed out.')}.
 */
public class WaitTimeoutException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final Duration timeout;

    /**
     * Creates the exception.
     *
     * @param taskId the task waited for
     * @param timeout how long the caller waited
     */
    public WaitTimeoutException(String taskId, Duration timeout) {
        super("The operation timed out: task " + taskId + " was not ready after " + describe(timeout));
        this.taskId = taskId;
        this.timeout = timeout;
    }

    /**
     * The task waited for.
     *
     * @return the task id
     */
    public String taskId() {
        return taskId;
    }

    /**
     * How long the caller waited.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }

    private static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
