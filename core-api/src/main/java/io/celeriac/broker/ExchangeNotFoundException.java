package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised when a publish or a binding names an exchange the broker does not have (declare it first).
 */
public class ExchangeNotFoundException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String exchange;

    /**
     * Creates the exception.
     *
     * @param brokerUri the broker's masked URI
     * @param exchange the exchange
     */
    public ExchangeNotFoundException(String brokerUri, String exchange) {
        super("No exchange '" + exchange + "' on " + brokerUri);
        this.exchange = exchange;
    }

    /** @return the exchange */
    public String exchange() {
        return exchange;
    }
}
