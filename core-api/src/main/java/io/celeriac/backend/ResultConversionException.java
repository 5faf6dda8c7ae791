package io.celeriac.backend;

import io.celeriac.CeleriacException;

/**
 * Raised when a task's result cannot be read as the type asked for: a value of another kind (a string asked for
 * as a number), a number that does not fit (an {@code int} asked for {@code 2**40}, a fraction asked for as a
 * {@code long}), a map that lacks what a record needs. The message names the task, where in the value the
 * problem is ({@code [2].current}), what the value is and what was asked for. Immutable.
 */
public class ResultConversionException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final String path;

    /**
     * Creates the exception.
     *
     * @param taskId the task whose result it is, or {@code null}
     * @param path where in the result: empty for the result itself, else e.g. {@code [2].current}
     * @param problem what is wrong, e.g. {@code the String "x" cannot be read as int}
     */
    public ResultConversionException(String taskId, String path, String problem) {
        super("The result" + (taskId == null ? "" : " of task " + taskId) + (path.isEmpty() ? "" : " at " + path)
                + " cannot be read as asked: " + problem);
        this.taskId = taskId;
        this.path = path;
    }

    /** @return the task, or {@code null} */
    public String taskId() {
        return taskId;
    }

    /** @return where in the result the problem is; empty for the result itself */
    public String path() {
        return path;
    }
}
