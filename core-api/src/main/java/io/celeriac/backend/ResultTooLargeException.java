package io.celeriac.backend;

import io.celeriac.CeleriacException;

/**
 * Raised when an encoded result is larger than the store accepts (512 MiB on Redis, as Celery refuses).
 */
public class ResultTooLargeException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final long size;
    private final long limit;

    /**
     * Creates the exception.
     *
     * @param taskId the task whose result is too large
     * @param size the encoded size in bytes
     * @param limit the largest size accepted
     */
    public ResultTooLargeException(String taskId, long size, long limit) {
        super("The result of task " + taskId + " is " + size + " bytes once encoded; the limit is " + limit + " bytes");
        this.taskId = taskId;
        this.size = size;
        this.limit = limit;
    }

    /** @return the task id */
    public String taskId() {
        return taskId;
    }

    /** @return the encoded size in bytes */
    public long size() {
        return size;
    }

    /** @return the largest size accepted */
    public long limit() {
        return limit;
    }
}
