package io.celeriac.backend;

import io.celeriac.CeleriacException;

/**
 * Raised by a blocking wait whose thread was interrupted; the thread's interrupt flag is set again and
 * the wait is cancelled.
 */
public class WaitInterruptedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param taskId the task waited for
     * @param cause the interruption
     */
    public WaitInterruptedException(String taskId, InterruptedException cause) {
        super("Interrupted while waiting for task " + taskId, cause);
    }
}
