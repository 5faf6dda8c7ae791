package io.celeriac.json;

import io.celeriac.CeleriacException;

/**
 * Raised when a value cannot be encoded as Celery's JSON, or bytes are not the JSON (or the document
 * shape) expected. Backends wrap it in {@link io.celeriac.backend.CorruptResultException} naming the key.
 */
public class JsonFormatException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong
     */
    public JsonFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong
     * @param cause the parser's failure
     */
    public JsonFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
