package io.celeriac.client;

import io.celeriac.CeleriacException;

/**
 * Raised by {@link AsyncResult#get(java.time.Duration, Class)} when a task's result cannot be read as the type
 * asked for. Immutable.
 */
public class ResultTypeException extends CeleriacException {

    private static final long serialVersionUID = 1L;

    /**
     * The error for one value.
     *
     * @param taskId the task id
     * @param value the result as decoded from JSON
     * @param type the type asked for
     */
    public ResultTypeException(String taskId, Object value, Class<?> type) {
        super("the result of task " + taskId + " is a " + (value == null ? "null" : value.getClass().getSimpleName())
                + ", which cannot be read as " + type.getName());
    }
}
