package io.celeriac.client;

import io.celeriac.backend.ExceptionInfo;

/**
 * Raised by {@link AsyncResult#get} when the task was revoked (by a revoke request, or because it expired):
 * Celery's {@code TaskRevokedError}. A subclass of {@link TaskFailedException}, so catching failures catches
 * revocations too. Immutable.
 */
public class TaskRevokedException extends TaskFailedException {

    private static final long serialVersionUID = 1L;

    /**
     * A revocation of one task.
     *
     * @param taskId the task id
     * @param exception the stored exception ({@code TaskRevokedError} with the reason)
     * @param traceback the stored traceback, or {@code null}
     */
    public TaskRevokedException(String taskId, ExceptionInfo exception, String traceback) {
        super(taskId, exception, traceback);
    }
}
