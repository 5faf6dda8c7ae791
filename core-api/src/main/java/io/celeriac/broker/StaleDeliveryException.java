package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised when a {@link Delivery} is acknowledged or rejected after the channel it came on was lost (a broker
 * restart, a cut connection). Nothing was sent: the broker has put the message back and delivers it again with
 * its redelivered flag set, so the caller needs to do nothing but expect it.
 */
public class StaleDeliveryException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param brokerUri the broker's masked URI
     * @param queue the queue the delivery came from
     */
    public StaleDeliveryException(String brokerUri, String queue) {
        super("A delivery from queue '" + queue + "' on " + brokerUri + " cannot be settled: its channel was lost,"
                + " and the broker delivers the message again");
    }
}
