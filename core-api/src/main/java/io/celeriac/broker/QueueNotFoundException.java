package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised when an operation names a queue the broker does not have: queue statistics, consume, purge, bind.
 */
public class QueueNotFoundException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String queue;

    /**
     * Creates the exception.
     *
     * @param brokerUri the broker's masked URI
     * @param queue the queue
     */
    public QueueNotFoundException(String brokerUri, String queue) {
        super("No queue '" + queue + "' on " + brokerUri);
        this.queue = queue;
    }

    /** @return the queue */
    public String queue() {
        return queue;
    }
}
