package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised when a {@link Message} or a publish cannot be built as asked: a header value that is not a JSON-like
 * value, a priority outside 0..255, a delivery mode other than 1 or 2, an expiration that is not a whole number
 * of milliseconds, a routing key longer than 255 bytes. Nothing was sent.
 */
public class InvalidMessageException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param problem what is wrong, a full sentence
     */
    public InvalidMessageException(String problem) {
        super("Invalid message: " + problem);
    }
}
