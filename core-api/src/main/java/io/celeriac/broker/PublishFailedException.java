package io.celeriac.broker;

import io.celeriac.CeleriacException;

/**
 * Raised when a publish was not confirmed by the broker: it refused the message (a negative acknowledgement), the
 * connection or channel was lost before the confirmation came, or none came in time. A publish is never dropped
 * silently: it returns normally only when the broker has the message.
 *
 * <p>{@link #mayHaveBeenDelivered()} tells whether the broker may have the message all the same (the connection
 * was lost or the wait timed out after it was sent), so that a caller who republishes knows a consumer may see it
 * twice (Celery's tasks are idempotent by id for this reason).
 */
public class PublishFailedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final boolean mayHaveBeenDelivered;

    /**
     * Creates the exception.
     *
     * @param brokerUri the broker's masked URI
     * @param exchange the exchange published to
     * @param routingKey the routing key
     * @param reason what happened
     * @param mayHaveBeenDelivered whether the broker may have the message all the same
     * @param cause the underlying failure, may be {@code null}
     */
    public PublishFailedException(String brokerUri, String exchange, String routingKey, String reason,
                                  boolean mayHaveBeenDelivered, Throwable cause) {
        super("Publish to exchange '" + exchange + "' with routing key '" + routingKey + "' on " + brokerUri
                + " failed: " + reason, cause);
        this.mayHaveBeenDelivered = mayHaveBeenDelivered;
    }

    /** @return whether the broker may have the message although the publish failed */
    public boolean mayHaveBeenDelivered() {
        return mayHaveBeenDelivered;
    }
}
