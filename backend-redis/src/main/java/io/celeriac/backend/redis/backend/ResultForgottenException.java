package io.celeriac.backend.redis.backend;

import io.celeriac.CeleriacException;

/**
 * How a wait ends when the task it waits for is {@linkplain io.celeriac.backend.Backend#forget forgotten}
 * meanwhile: the result was deleted, and the backend stops listening for it (Celery would leave the waiter
 * subscribed and blocked until its timeout).
 */
public class ResultForgottenException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String taskId;

    /**
     * Creates the exception.
     *
     * @param taskId the forgotten task
     * @param backendUri the backend's masked URI
     */
    public ResultForgottenException(String taskId, String backendUri) {
        super("The result of task " + taskId + " was forgotten in " + backendUri + " while waiting for it");
        this.taskId = taskId;
    }

    /** @return the forgotten task's id */
    public String taskId() {
        return taskId;
    }
}
