package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised by any operation on a {@link Broker} after {@link Broker#close()}; also how a publish still waiting for
 * its confirmation completes when the broker is closed.
 */
public class BrokerClosedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param brokerUri the broker's masked URI
     */
    public BrokerClosedException(String brokerUri) {
        super("The broker " + brokerUri + " is closed");
    }
}
