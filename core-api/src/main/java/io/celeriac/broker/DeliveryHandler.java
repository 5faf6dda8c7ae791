package io.celeriac.broker;

/**
 * Receives the deliveries of a {@link Broker#consume} subscription, one at a time per subscription, in the order
 * the broker sends them, on a thread of the broker.
 *
 * <p>The handler settles each delivery ({@link Delivery#ack()}, {@link Delivery#reject(boolean)}) then or later,
 * from any thread. If it throws, the exception is logged and a delivery it left unsettled is rejected without
 * requeue (as kombu rejects a message it cannot decode), so that one bad message never stops the subscription.
 */
@FunctionalInterface
public interface DeliveryHandler {

    /**
     * Handles one delivery.
     *
     * @param delivery the delivery
     * @throws Exception to reject it (when still unsettled) and log the failure
     */
    void handle(Delivery delivery) throws Exception;
}
