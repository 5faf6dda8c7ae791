package io.celeriac.broker.memory.internal;

import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;

/**
 * One delivery of a {@link MemorySubscription}: the queue's entry and its settlement state, which changes once,
 * from pending to settled (by the caller) or to stale (when its subscription or broker went and the message was
 * put back). The state is written under the server's lock. Thread-safe.
 */
final class MemoryDelivery implements Delivery {

    static final int PENDING = 0;
    static final int SETTLED = 1;
    static final int STALE = 2;

    final MemorySubscription subscription;
    final MemoryQueue source;
    final MemoryQueue.Entry entry;
    private final boolean autoAck;
    private volatile int state;

    MemoryDelivery(MemorySubscription subscription, MemoryQueue source, MemoryQueue.Entry entry, boolean autoAck) {
        this.subscription = subscription;
        this.source = source;
        this.entry = entry;
        this.autoAck = autoAck;
        this.state = autoAck ? SETTLED : PENDING;
    }

    @Override
    public Message message() {
        return entry.message();
    }

    @Override
    public String queue() {
        return source.name;
    }

    @Override
    public String exchange() {
        return entry.exchange();
    }

    @Override
    public String routingKey() {
        return entry.routingKey();
    }

    @Override
    public boolean redelivered() {
        return entry.redelivered();
    }

    @Override
    public void ack() {
        if (!autoAck) {
            subscription.settle(this, false);
        }
    }

    @Override
    public void reject(boolean requeue) {
        if (!autoAck) {
            subscription.settle(this, requeue);
        }
    }

    @Override
    public boolean isSettled() {
        return state == SETTLED;
    }

    int state() {
        return state;
    }

    void state(int v) {
        state = v;
    }

    @Override
    public String toString() {
        return "MemoryDelivery[queue=" + source.name + ", exchange=" + entry.exchange() + ", routingKey="
                + entry.routingKey() + ", redelivered=" + entry.redelivered() + "]";
    }
}
