package io.celeriac.task;

import io.celeriac.CeleriacException;

/**
 * Raised when a message is not a Celery task message that can be read (a missing {@code task} or {@code id}
 * header, a body that is not {@code [args, kwargs, embed]}, a time that is not ISO-8601), or when a task message
 * cannot be built as asked (no task name, a value JSON cannot hold). The message names what is wrong; nothing was
 * sent or acknowledged because of it.
 */
public class InvalidTaskMessageException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param problem what is wrong, a full sentence
     */
    public InvalidTaskMessageException(String problem) {
        super("Invalid task message: " + problem);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param problem what is wrong, a full sentence
     * @param cause the underlying error
     */
    public InvalidTaskMessageException(String problem, Throwable cause) {
        super("Invalid task message: " + problem, cause);
    }
}
