package io.celeriac.backend;

import io.celeriac.CeleriacException;

/**
 * What {@link TaskMeta#get()} raises for a task that is not ready (PENDING, STARTED, RETRY, a custom state such as
 * PROGRESS): a meta is one reading, there is nothing to wait for in it. Wait with
 * {@link Backend#waitFor(String, java.time.Duration)} first. Immutable.
 */
public class ResultNotReadyException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final transient TaskState state;

    /**
     * Creates the exception.
     *
     * @param meta the meta that is not ready
     */
    public ResultNotReadyException(TaskMeta meta) {
        super("task " + meta.taskId() + " is not ready: " + WaitTimeoutException.describeState(meta));
        this.taskId = meta.taskId();
        this.state = meta.status();
    }

    /** @return the task's id */
    public String taskId() {
        return taskId;
    }

    /** @return the state it was in */
    public TaskState state() {
        return state;
    }
}
