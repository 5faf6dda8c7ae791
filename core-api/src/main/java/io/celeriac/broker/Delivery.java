package io.celeriac.broker;

/**
 * One message delivered to a {@link Broker#consume} subscription, with kombu's {@code delivery_info}
 * (exchange, routing key, redelivered) and the means to settle it.
 *
 * <p>A delivery of a manual-acknowledgement subscription must be settled exactly once, by {@link #ack()} or
 * {@link #reject(boolean)}, from any thread. Until then it counts against the subscription's prefetch; if the
 * subscription's broker closes or its connection is lost first, the broker delivers the message again, with
 * {@link #redelivered()} set. Settling a delivery whose channel has since been lost raises
 * {@link StaleDeliveryException} and touches nothing else (never a wrong acknowledgement on a new channel);
 * settling twice raises {@link DeliveryAlreadySettledException}. For an auto-ack subscription both are no-ops.
 * Thread-safe.
 */
public interface Delivery {

    /** @return the message */
    Message message();

    /** @return the queue it was consumed from */
    String queue();

    /** @return the exchange it was published to ({@code ""} for the default exchange) */
    String exchange();

    /** @return the routing key it was published with */
    String routingKey();

    /** @return whether the broker delivered it before (to this or another consumer) without an acknowledgement */
    boolean redelivered();

    /**
     * Acknowledges the message: the broker forgets it.
     *
     * @throws StaleDeliveryException when its channel was lost (the message will come again)
     * @throws DeliveryAlreadySettledException when it was settled already
     * @throws BrokerClosedException when the broker was closed
     */
    void ack();

    /**
     * Rejects the message.
     *
     * @param requeue {@code true} to put it back in its queue (it then comes again with
     *                {@link #redelivered()} set), {@code false} to drop it (or dead-letter it)
     * @throws StaleDeliveryException when its channel was lost (the message will come again)
     * @throws DeliveryAlreadySettledException when it was settled already
     * @throws BrokerClosedException when the broker was closed
     */
    void reject(boolean requeue);

    /** @return whether {@link #ack()} or {@link #reject(boolean)} was called, or the subscription auto-acks */
    boolean isSettled();
}
