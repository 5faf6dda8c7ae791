package io.celeriac.backend;

import io.celeriac.CeleriacException;

import java.util.List;

/**
 * What {@link TaskMeta#get()} raises for a task that failed or was revoked, as Celery's {@code AsyncResult.get()}
 * re-raises the task's exception: it carries the stored {@code exc_type}, {@code exc_module} and
 * {@code exc_message}, the worker's traceback and the state ({@code FAILURE}, or {@code REVOKED} with Celery's
 * {@code TaskRevokedError}). Needs only the core API; {@code celeriac-client}'s {@code AsyncResult.get} raises its
 * own {@code TaskFailedException} with the same fields. Immutable.
 */
public class TaskFailureException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final transient TaskState state;
    private final transient ExceptionInfo exception;
    private final String traceback;

    /**
     * Creates the exception.
     *
     * @param taskId the task
     * @param state {@code FAILURE} or {@code REVOKED}
     * @param exception the stored exception
     * @param traceback the worker's traceback, or {@code null}
     */
    public TaskFailureException(String taskId, TaskState state, ExceptionInfo exception, String traceback) {
        super("task " + taskId + (TaskState.REVOKED.equals(state) ? " was revoked: " : " failed: ") + exception.pythonRepr());
        this.taskId = taskId;
        this.state = state;
        this.exception = exception;
        this.traceback = traceback;
    }

    /** @return the task's id */
    public String taskId() {
        return taskId;
    }

    /** @return {@code FAILURE} or {@code REVOKED} */
    public TaskState state() {
        return state;
    }

    /** @return whether the task was revoked (or expired) rather than failed */
    public boolean isRevoked() {
        return TaskState.REVOKED.equals(state);
    }

    /** @return the stored exception */
    public ExceptionInfo exception() {
        return exception;
    }

    /** @return {@code exc_type}, the Python class name, e.g. {@code ValueError} */
    public String excType() {
        return exception.excType();
    }

    /** @return {@code exc_module}, e.g. {@code builtins}, or {@code null} */
    public String excModule() {
        return exception.excModule();
    }

    /** @return the exception's message: its arguments as text */
    public String excMessage() {
        return exception.message();
    }

    /** @return {@code exc_message} as stored: the exception's arguments */
    public List<Object> excArgs() {
        return exception.args();
    }

    /** @return the worker's traceback, or {@code null} */
    public String traceback() {
        return traceback;
    }
}
