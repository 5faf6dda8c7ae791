package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised when a declaration or a consume request cannot be used as asked: an unknown exchange type, an empty or
 * too long name, a negative prefetch, an {@code x-max-priority} outside 1..255, a negative TTL. Nothing was sent
 * to the broker.
 */
public class InvalidDeclarationException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param problem what is wrong, a full sentence
     */
    public InvalidDeclarationException(String problem) {
        super(problem);
    }
}
