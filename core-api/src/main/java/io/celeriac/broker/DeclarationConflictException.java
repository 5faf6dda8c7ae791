package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised when a declaration differs from what the broker already has under that name (RabbitMQ's
 * {@code PRECONDITION_FAILED - inequivalent arg}), e.g. a queue redeclared with another {@code x-max-priority},
 * or an exclusive queue of another connection. The message carries the broker's own explanation.
 */
public class DeclarationConflictException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param brokerUri the broker's masked URI
     * @param what what was declared, e.g. {@code queue 'celery'}
     * @param brokerText the broker's explanation
     */
    public DeclarationConflictException(String brokerUri, String what, String brokerText) {
        super("Cannot declare " + what + " on " + brokerUri + ": " + brokerText);
    }
}
