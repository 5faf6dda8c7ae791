package io.celeriac.broker.memory.internal;

import io.celeriac.broker.Message;
import io.celeriac.broker.QueueSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * One queue of a {@link MemoryServer}: its declaration, its ready messages and its consumers. Messages are served
 * by priority (when declared with {@code x-max-priority}, a higher message priority counting as the maximum), then
 * in the order they were first enqueued, so that a requeued message takes its old place again. A message past its
 * deadline ({@code expiration} or {@code x-message-ttl}) is never served and not counted.
 *
 * <p>Not thread-safe: every method runs under the server's lock.
 */
final class MemoryQueue {

    /** The most nanoseconds a TTL may add to {@link System#nanoTime()} without overflowing. */
    private static final long MAX_TTL_NANOS = Long.MAX_VALUE / 4;

    private static final Comparator<Entry> ORDER =
            Comparator.comparingInt(Entry::priority).reversed().thenComparingLong(Entry::seq);

    /**
     * One ready (or delivered, unacknowledged) message.
     *
     * @param message the message
     * @param exchange the exchange it was published to
     * @param routingKey its routing key
     * @param seq its place in the server's order of enqueues
     * @param priority the priority it is served by (0 in a queue without {@code x-max-priority})
     * @param expires whether it has a deadline
     * @param deadline its deadline on the {@link System#nanoTime()} clock, when it has one
     * @param redelivered whether it was delivered before and not acknowledged
     */
    record Entry(Message message, String exchange, String routingKey, long seq, int priority, boolean expires,
                 long deadline, boolean redelivered) {

        boolean expiredAt(long now) {
            return expires && now - deadline > 0;
        }

        Entry asRedelivered() {
            return redelivered ? this : new Entry(message, exchange, routingKey, seq, priority, expires, deadline, true);
        }
    }

    final String name;
    final QueueSpec spec;
    /** The broker that declared it exclusive, or {@code null}. */
    final MemoryBroker owner;
    final List<MemorySubscription> consumers = new ArrayList<>();
    private final int maxPriority;
    private final long ttlNanos;
    private final long expiresNanos;
    private final PriorityQueue<Entry> ready = new PriorityQueue<>(ORDER);
    private int withDeadline;
    private long lastUsed;
    private boolean deleted;

    MemoryQueue(QueueSpec spec, MemoryBroker owner, long now) {
        this.name = spec.name();
        this.spec = spec;
        this.owner = owner;
        this.maxPriority = (int) longArgument(spec, QueueSpec.MAX_PRIORITY, 0);
        this.ttlNanos = millisToNanos(longArgument(spec, QueueSpec.MESSAGE_TTL, -1));
        this.expiresNanos = millisToNanos(longArgument(spec, QueueSpec.EXPIRES, -1));
        this.lastUsed = now;
    }

    private static long longArgument(QueueSpec spec, String name, long absent) {
        Object v = spec.arguments().get(name);
        return v instanceof Long l ? l : absent;
    }

    private static long millisToNanos(long millis) {
        if (millis < 0) {
            return -1;
        }
        return millis >= MAX_TTL_NANOS / 1_000_000 ? MAX_TTL_NANOS : TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** Adds a newly published message and wakes the consumers. */
    void enqueue(Message message, String exchange, String routingKey, long seq, long now) {
        long ttl = ttlNanos;
        if (message.expiration() != null) {
            long perMessage;
            try {
                perMessage = millisToNanos(Long.parseLong(message.expiration()));
            } catch (NumberFormatException e) {
                perMessage = MAX_TTL_NANOS;
            }
            ttl = ttl < 0 ? perMessage : Math.min(ttl, perMessage);
        }
        int priority = maxPriority == 0 ? 0 : Math.min(message.priority(), maxPriority);
        add(new Entry(message, exchange, routingKey, seq, priority, ttl >= 0, now + Math.max(ttl, 0), false));
    }

    /** Puts a delivered message back at its old place, redelivered when {@code redelivered}, and wakes the consumers. */
    void putBack(Entry entry, boolean redelivered) {
        if (!deleted) {
            add(redelivered ? entry.asRedelivered() : entry);
        }
    }

    private void add(Entry e) {
        ready.add(e);
        if (e.expires()) {
            withDeadline++;
        }
        wakeConsumers();
    }

    void wakeConsumers() {
        for (MemorySubscription s : consumers) {
            s.wake();
        }
    }

    /** The next message to serve, dropping expired ones, or {@code null}. */
    Entry poll(long now) {
        Entry e;
        while ((e = ready.poll()) != null) {
            if (e.expires()) {
                withDeadline--;
            }
            if (!e.expiredAt(now)) {
                return e;
            }
        }
        return null;
    }

    /** Drops the expired messages; returns how many are ready. */
    long count(long now) {
        if (withDeadline > 0) {
            Iterator<Entry> it = ready.iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (e.expiredAt(now)) {
                    it.remove();
                    withDeadline--;
                }
            }
        }
        return ready.size();
    }

    /** Removes every ready message; returns how many were not expired. */
    long purge(long now) {
        long n = count(now);
        ready.clear();
        withDeadline = 0;
        return n;
    }

    /** Renews the lease of {@code x-expires}. */
    void used(long now) {
        lastUsed = now;
    }

    /** Whether {@code x-expires} has passed without a consumer or a declaration. */
    boolean unusedTooLong(long now) {
        return expiresNanos >= 0 && consumers.isEmpty() && now - lastUsed >= expiresNanos;
    }

    boolean isDeleted() {
        return deleted;
    }

    /** Marks it deleted and drops its messages; the consumers stay listed for the server to cancel. */
    void markDeleted() {
        deleted = true;
        ready.clear();
        withDeadline = 0;
    }
}
