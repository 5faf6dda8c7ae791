package io.celeriac.backend;

import io.celeriac.CeleriacException;

/**
 * Raised when a stored value is not a Celery result: not JSON, JSON of the wrong shape, a truncated or
 * forbidden pickle. The message names the key (or row) so an operator can find and fix it; nothing is
 * deleted or overwritten.
 */
public class CorruptResultException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * Creates the exception.
     *
     * @param key the key or row the value was read from, e.g. {@code celery-task-meta-<id>}
     * @param reason what is wrong with it
     * @param cause the decoding failure, may be {@code null}
     */
    public CorruptResultException(String key, String reason, Throwable cause) {
        super("The value stored at " + key + " is not a Celery result: " + reason, cause);
        this.key = key;
    }

    /**
     * The key or row the value was read from.
     *
     * @return the key
     */
    public String key() {
        return key;
    }
}
