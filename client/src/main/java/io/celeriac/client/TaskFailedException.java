package io.celeriac.client;

import io.celeriac.CeleriacException;
import io.celeriac.backend.ExceptionInfo;

/**
 * Raised by {@link AsyncResult#get} when the task failed: carries what Celery stored, the exception's type,
 * module and message ({@link ExceptionInfo}) and the worker's traceback. Immutable.
 */
public class TaskFailedException extends CeleriacException {

    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final transient ExceptionInfo exception;
    private final String traceback;

    /**
     * A failure of one task.
     *
     * @param taskId the task id
     * @param exception the stored exception, never {@code null}
     * @param traceback the worker's traceback, or {@code null}
     */
    public TaskFailedException(String taskId, ExceptionInfo exception, String traceback) {
        super("task " + taskId + " failed: " + exception.pythonRepr());
        this.taskId = taskId;
        this.exception = exception;
        this.traceback = traceback;
    }

    /**
     * The id of the task that failed.
     *
     * @return the task id
     */
    public String taskId() {
        return taskId;
    }

    /**
     * The stored exception.
     *
     * @return the exception info
     */
    public ExceptionInfo exception() {
        return exception;
    }

    /**
     * The exception's class name as Python names it, e.g. {@code ValueError}.
     *
     * @return {@code exc_type}
     */
    public String excType() {
        return exception.excType();
    }

    /**
     * The exception's module, e.g. {@code builtins}.
     *
     * @return {@code exc_module}, or {@code null}
     */
    public String excModule() {
        return exception.excModule();
    }

    /**
     * The exception's message, its first argument as text.
     *
     * @return the message
     */
    public String excMessage() {
        return exception.message();
    }

    /**
     * The traceback the worker stored.
     *
     * @return the traceback, or {@code null}
     */
    public String traceback() {
        return traceback;
    }
}
