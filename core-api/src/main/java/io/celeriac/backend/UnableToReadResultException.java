package io.celeriac.backend;

import io.celeriac.CeleriacException;

/**
 * Raised when a result could not be read because the store failed (after the retry policy), as
 * Celery's {@code BackendGetMetaError}.
 */
public class UnableToReadResultException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String taskId;

    /**
     * Creates the exception.
     *
     * @param taskId the task (or group) whose result could not be read
     * @param backendUri the backend's masked URI
     * @param cause the failure
     */
    public UnableToReadResultException(String taskId, String backendUri, Throwable cause) {
        super("Could not read the result of " + taskId + " from " + backendUri
                + (cause == null ? "" : ": " + UnableToStoreResultException.describe(cause)), cause);
        this.taskId = taskId;
    }

    /**
     * The task whose result could not be read.
     *
     * @return the task id
     */
    public String taskId() {
        return taskId;
    }
}
