package io.celeriac.control;

import io.celeriac.CeleriacException;

/**
 * Thrown by a {@link ControlHandler} for a command it does not know; a {@link ControlNode} answers it as a Python
 * Celery worker does, {@code {"error": "KeyError('<method>')"}}.
 */
public class UnknownControlMethodException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String method;

    /**
     * Creates the exception.
     *
     * @param method the unknown command
     */
    public UnknownControlMethodException(String method) {
        super("No such remote-control command: " + method);
        this.method = method;
    }

    /**
     * The unknown command.
     *
     * @return its name
     */
    public String method() {
        return method;
    }
}
