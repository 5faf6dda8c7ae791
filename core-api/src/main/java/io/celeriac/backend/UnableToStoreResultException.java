package io.celeriac.backend;

import io.celeriac.CeleriacException;

/**
 * Raised when a result could not be stored, after the retry policy was exhausted or on an error that is
 * not transient. The result was not silently dropped: the caller learns it here.
 */
public class UnableToStoreResultException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String taskId;

    /**
     * Creates the exception.
     *
     * @param taskId the task (or group) whose result could not be stored
     * @param backendUri the backend's masked URI
     * @param attempts how many attempts were made
     * @param cause the last failure
     */
    public UnableToStoreResultException(String taskId, String backendUri, int attempts, Throwable cause) {
        super("Could not store the result of task " + taskId + " in " + backendUri + " after " + attempts
                + (attempts == 1 ? " attempt" : " attempts") + (cause == null ? "" : ": " + describe(cause)), cause);
        this.taskId = taskId;
    }

    /**
     * The task whose result could not be stored.
     *
     * @return the task id
     */
    public String taskId() {
        return taskId;
    }

    static String describe(Throwable cause) {
        String m = cause.getMessage();
        return cause.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
    }
}
