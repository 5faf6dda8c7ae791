package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised when a {@link Delivery} is acknowledged or rejected a second time; nothing is sent.
 */
public class DeliveryAlreadySettledException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param queue the queue the delivery came from
     */
    public DeliveryAlreadySettledException(String queue) {
        super("A delivery from queue '" + queue + "' was already acknowledged or rejected");
    }
}
