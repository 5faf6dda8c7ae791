package io.celeriac.control;

import io.celeriac.CeleriacException;

/**
 * Raised when a message on a pidbox queue is not a remote-control request that can be read (a body that is not a
 * JSON object, no {@code method}, {@code arguments} that are not an object, a {@code destination} that is not a
 * list of names, a {@code reply_to} without {@code exchange} and {@code routing_key}), or when a request cannot be
 * built as asked. The message says what is wrong; a node that receives one logs it and answers nothing.
 */
public class MalformedControlRequestException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param problem what is wrong, a full sentence
     */
    public MalformedControlRequestException(String problem) {
        super("Malformed remote-control request: " + problem);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param problem what is wrong, a full sentence
     * @param cause the underlying error
     */
    public MalformedControlRequestException(String problem, Throwable cause) {
        super("Malformed remote-control request: " + problem, cause);
    }
}
