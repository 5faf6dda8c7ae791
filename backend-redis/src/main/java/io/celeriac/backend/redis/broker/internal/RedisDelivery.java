package io.celeriac.backend.redis.broker.internal;

import io.celeriac.broker.Delivery;
import io.celeriac.broker.DeliveryAlreadySettledException;
import io.celeriac.broker.Message;
import io.celeriac.broker.StaleDeliveryException;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One delivery of a {@link RedisSubscription}: the message with kombu's {@code delivery_info}, its delivery tag
 * (the key of its entry in {@code unacked}) and its raw envelope. Settling it is one state change,
 * unsettled to settled, made once: a failed acknowledgement (Redis unreachable) leaves it unsettled so that the
 * caller may try again; one left when its subscription goes becomes stale. Thread-safe.
 */
final class RedisDelivery implements Delivery {

    static final int UNSETTLED = 0;
    static final int SETTLING = 1;
    static final int SETTLED = 2;
    static final int STALE = 3;

    private final RedisSubscription subscription;
    private final Message message;
    private final String queue;
    private final String exchange;
    private final String routingKey;
    private final boolean redelivered;
    private final String tag;
    private final byte[] raw;
    private final byte[] sourceList;
    private final boolean fanout;
    private final boolean autoAck;
    private final boolean recorded;
    private final AtomicInteger state;

    RedisDelivery(RedisSubscription subscription, Message message, String queue, String exchange, String routingKey,
                  boolean redelivered, String tag, byte[] raw, byte[] sourceList, boolean fanout, boolean autoAck,
                  boolean recorded) {
        this.subscription = subscription;
        this.message = message;
        this.queue = queue;
        this.exchange = exchange;
        this.routingKey = routingKey;
        this.redelivered = redelivered;
        this.tag = tag;
        this.raw = raw;
        this.sourceList = sourceList;
        this.fanout = fanout;
        this.autoAck = autoAck;
        this.recorded = recorded;
        this.state = new AtomicInteger(autoAck ? SETTLED : UNSETTLED);
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
        settle(false, false);
    }

    @Override
    public void reject(boolean requeue) {
        settle(true, requeue);
    }

    private void settle(boolean reject, boolean requeue) {
        if (autoAck) {
            return;
        }
        if (!state.compareAndSet(UNSETTLED, SETTLING)) {
            if (state.get() == STALE) {
                throw new StaleDeliveryException(subscription.brokerUri(), queue);
            }
            throw new DeliveryAlreadySettledException(queue);
        }
        boolean done = false;
        try {
            subscription.settle(this, reject, requeue);
            done = true;
        } finally {
            state.set(done ? SETTLED : UNSETTLED);
            if (done) {
                subscription.settled(this);
            }
        }
    }

    /** Makes an unsettled delivery stale; returns whether it was unsettled. */
    boolean markStale() {
        return state.compareAndSet(UNSETTLED, STALE);
    }

    /** Settled, or being settled (a failed acknowledgement makes it unsettled again). */
    @Override
    public boolean isSettled() {
        int s = state.get();
        return s == SETTLED || s == SETTLING;
    }

    String tag() {
        return tag;
    }

    byte[] raw() {
        return raw;
    }

    /** @return the list it was popped from, or {@code null} for a fanout delivery */
    byte[] sourceList() {
        return sourceList;
    }

    /** @return whether it is in {@code unacked} (ack emulation, a manual subscription, a delivery tag) */
    boolean isRecorded() {
        return recorded;
    }

    boolean isFanout() {
        return fanout;
    }

    @Override
    public String toString() {
        return "RedisDelivery[" + queue + " " + tag + (redelivered ? " redelivered" : "") + "]";
    }
}
