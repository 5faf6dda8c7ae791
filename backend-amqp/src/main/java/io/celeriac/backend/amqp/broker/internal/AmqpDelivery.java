package io.celeriac.backend.amqp.broker.internal;

import io.celeriac.broker.Delivery;
import io.celeriac.broker.DeliveryAlreadySettledException;
import io.celeriac.broker.Message;

import java.util.concurrent.atomic.AtomicBoolean;

/** A delivery of an {@link AmqpSubscription}: settles through the subscription's channel, once. */
final class AmqpDelivery implements Delivery {

    private final AmqpSubscription subscription;
    private final String queue;
    private final String exchange;
    private final String routingKey;
    private final boolean redelivered;
    private final long tag;
    private final long generation;
    private final Message message;
    private final AtomicBoolean settled;

    AmqpDelivery(AmqpSubscription subscription, String queue, String exchange, String routingKey, boolean redelivered,
                 long tag, long generation, Message message, boolean autoAck) {
        this.subscription = subscription;
        this.queue = queue;
        this.exchange = exchange;
        this.routingKey = routingKey;
        this.redelivered = redelivered;
        this.tag = tag;
        this.generation = generation;
        this.message = message;
        this.settled = new AtomicBoolean(autoAck);
    }

    @Override
    public Message message() {
        return message;
    }

    @Override
    public String queue() {
        return queue;
    }

    @Override
    public String exchange() {
        return exchange;
    }

    @Override
    public String routingKey() {
        return routingKey;
    }

    @Override
    public boolean redelivered() {
        return redelivered;
    }

    @Override
    public void ack() {
        settle(true, false);
    }

    @Override
    public void reject(boolean requeue) {
        settle(false, requeue);
    }

    private void settle(boolean ack, boolean requeue) {
        if (subscription.autoAck()) {
            return;
        }
        if (!settled.compareAndSet(false, true)) {
            throw new DeliveryAlreadySettledException(queue);
        }
        subscription.settle(queue, tag, generation, ack, requeue);
    }

    @Override
    public boolean isSettled() {
        return settled.get();
    }

    @Override
    public String toString() {
        return "Delivery[queue=" + queue + ", exchange=" + exchange + ", routingKey=" + routingKey + ", redelivered="
                + redelivered + ", " + message + "]";
    }
}
