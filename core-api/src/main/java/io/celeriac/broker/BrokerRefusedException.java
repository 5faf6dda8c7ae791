package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised when the broker refused an operation for a reason no more specific exception names (RabbitMQ's
 * {@code ACCESS_REFUSED}, {@code NOT_ALLOWED}, {@code RESOURCE_LOCKED} on a channel). The message carries the
 * broker's reply code and text.
 */
public class BrokerRefusedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param brokerUri the broker's masked URI
     * @param operation what was asked, e.g. {@code purge queue 'x'}
     * @param brokerText the broker's reply code and text
     * @param cause the underlying failure, may be {@code null}
     */
    public BrokerRefusedException(String brokerUri, String operation, String brokerText, Throwable cause) {
        super("The broker " + brokerUri + " refused to " + operation + ": " + brokerText, cause);
    }
}
