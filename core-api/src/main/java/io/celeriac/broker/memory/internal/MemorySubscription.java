package io.celeriac.broker.memory.internal;

import io.celeriac.broker.BrokerClosedException;
import io.celeriac.broker.DeliveryAlreadySettledException;
import io.celeriac.broker.DeliveryHandler;
import io.celeriac.broker.StaleDeliveryException;
import io.celeriac.broker.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A consumer of one or more queues of a {@link MemoryServer}, served by its own daemon thread: the thread takes
 * the next message (the queues in turn) while the subscription holds fewer unsettled deliveries than its prefetch,
 * and hands it to the handler; with nothing to do it parks until a publish, a settlement or a cancel wakes it.
 *
 * <p>Cancelling (by the caller, by the deletion of its last queue, or by the broker's close) puts every unsettled
 * delivery back in its queue, redelivered, and makes it stale. A consumer that was the last of an auto-delete queue
 * deletes that queue. State is guarded by the server's lock; thread-safe.
 */
final class MemorySubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(MemorySubscription.class);
    private static final AtomicLong THREADS = new AtomicLong();

    private final MemoryBroker broker;
    private final MemoryServer server;
    private final List<String> names;
    private final List<MemoryQueue> queues;
    private final int prefetch;
    private final boolean autoAck;
    private final DeliveryHandler handler;
    private final Set<MemoryDelivery> unsettled = new LinkedHashSet<>();
    private final Thread thread;
    private volatile boolean active = true;
    private int next;

    MemorySubscription(MemoryBroker broker, MemoryServer server, List<MemoryQueue> queues, int prefetch,
                       boolean autoAck, DeliveryHandler handler) {
        this.broker = broker;
        this.server = server;
        this.queues = new ArrayList<>(queues);
        this.names = queues.stream().map(q -> q.name).toList();
        this.prefetch = prefetch;
        this.autoAck = autoAck;
        this.handler = handler;
        String serverName = server.name.isEmpty() ? "default" : server.name;
        this.thread = new Thread(this::run, "celeriac-memory-" + serverName + "-consumer-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    @Override
    public List<String> queues() {
        return names;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public void cancel() {
        server.lock.lock();
        try {
            if (!active) {
                return;
            }
            stopLocked();
            broker.forgetLocked(this);
        } finally {
            server.lock.unlock();
        }
    }

    /** Wakes the consumer thread (a message came, a delivery was settled, or it was cancelled). */
    void wake() {
        LockSupport.unpark(thread);
    }

    /**
     * Stops deliveries: leaves every queue, puts the unsettled deliveries back (redelivered, stale), and deletes
     * the auto-delete queues it was the last consumer of. Under the server's lock.
     */
    void stopLocked() {
        if (!active) {
            return;
        }
        active = false;
        long now = System.nanoTime();
        for (MemoryDelivery d : unsettled) {
            d.state(MemoryDelivery.STALE);
            d.source.putBack(d.entry, true);
        }
        unsettled.clear();
        for (MemoryQueue q : queues) {
            q.consumers.remove(this);
            q.used(now);
        }
        for (MemoryQueue q : queues) {
            if (q.spec.autoDelete() && q.consumers.isEmpty()) {
                server.deleteQueueLocked(q);
            }
        }
        queues.clear();
        wake();
    }

    /** A queue it reads was deleted: it reads the others, or is cancelled when none is left. */
    void queueDeletedLocked(MemoryQueue q) {
        queues.remove(q);
        if (queues.isEmpty() && active) {
            stopLocked();
            broker.forgetLocked(this);
        }
    }

    /** Settles a delivery of this subscription (manual acknowledgement only). */
    void settle(MemoryDelivery d, boolean requeue) {
        server.lock.lock();
        try {
            if (d.state() == MemoryDelivery.SETTLED) {
                throw new DeliveryAlreadySettledException(d.source.name);
            }
            if (d.state() == MemoryDelivery.STALE) {
                if (broker.isClosed()) {
                    throw new BrokerClosedException(broker.asUri());
                }
                throw new StaleDeliveryException(broker.asUri(), d.source.name);
            }
            d.state(MemoryDelivery.SETTLED);
            unsettled.remove(d);
            if (requeue) {
                d.source.putBack(d.entry, true);
            }
        } finally {
            server.lock.unlock();
        }
        wake();
    }

    private void run() {
        while (active) {
            MemoryDelivery d = take();
            if (d == null) {
                LockSupport.park(this);
                continue;
            }
            if (!active) {
                putBackTaken(d);
                break;
            }
            handle(d);
        }
    }

    /** The next delivery, or {@code null} when there is none or the prefetch is reached. */
    private MemoryDelivery take() {
        server.lock.lock();
        try {
            if (!active || !autoAck && prefetch > 0 && unsettled.size() >= prefetch || queues.isEmpty()) {
                return null;
            }
            long now = System.nanoTime();
            int n = queues.size();
            for (int i = 0; i < n; i++) {
                MemoryQueue q = queues.get((next + i) % n);
                MemoryQueue.Entry e = q.poll(now);
                if (e != null) {
                    next = (next + i + 1) % n;
                    MemoryDelivery d = new MemoryDelivery(this, q, e, autoAck);
                    if (!autoAck) {
                        unsettled.add(d);
                    }
                    return d;
                }
            }
            return null;
        } finally {
            server.lock.unlock();
        }
    }

    /** Cancelled after a take: a manual delivery went back with the others; an automatic one goes back now. */
    private void putBackTaken(MemoryDelivery d) {
        if (autoAck) {
            server.lock.lock();
            try {
                d.source.putBack(d.entry, false);
            } finally {
                server.lock.unlock();
            }
        }
    }

    private void handle(MemoryDelivery d) {
        try {
            handler.handle(d);
        } catch (Throwable e) { // a failing handler must not stop the subscription
            if (e instanceof VirtualMachineError vm) {
                throw vm;
            }
            LOG.warn("The handler of a subscription to {} on {} failed on a message from '{}'; it is rejected",
                    names, broker.asUri(), d.queue(), e);
            if (!d.isSettled()) {
                try {
                    d.reject(false);
                } catch (RuntimeException ignored) {
                    // stale or closed meanwhile: the message went back to its queue
                }
            }
        }
    }

    /** Waits a short while for the consumer thread to end (not when called from it). */
    void join(long millis) {
        if (Thread.currentThread() == thread || !thread.isAlive()) {
            return;
        }
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("The consumer thread {} of {} did not stop within {} ms (its handler is still running)",
                    thread.getName(), broker.asUri(), millis);
        }
    }

    @Override
    public String toString() {
        return "MemorySubscription" + names + (active ? "" : " (cancelled)");
    }
}
