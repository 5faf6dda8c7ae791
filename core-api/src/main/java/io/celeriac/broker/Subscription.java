package io.celeriac.broker;

import java.util.List;

/**
 * A live consumer created by {@link Broker#consume}: cancel it to stop deliveries.
 *
 * <p>Cancelling stops deliveries and closes the subscription's channel: deliveries not settled by then go back to
 * their queue (they come again with their {@linkplain Delivery#redelivered() redelivered} flag set) and settling
 * them afterwards raises {@link StaleDeliveryException}; so settle what is in flight before cancelling. A
 * subscription survives a lost connection: it resumes once the broker is back. Thread-safe; cancelling twice does
 * nothing.
 */
public interface Subscription extends AutoCloseable {

    /** @return the queues it reads */
    List<String> queues();

    /** @return whether it still receives (not cancelled by the caller, by the broker, or by a close) */
    boolean isActive();

    /** Stops the subscription; unsettled deliveries are requeued. Does nothing the second time. */
    void cancel();

    /** Same as {@link #cancel()}. */
    @Override
    default void close() {
        cancel();
    }
}
