package io.celeriac.broker.memory.internal;

import io.celeriac.broker.Binding;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.Message;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One named in-memory "server": the exchanges, bindings and queues every {@link MemoryBroker} opened on its name
 * shares. A server lives while at least one broker holds it ({@link #acquire}, {@link #release}); then it and
 * everything in it are gone.
 *
 * <p>One lock guards the whole server: every field and every {@code ...Locked} method is used under
 * {@link #lock} only. Nothing under the lock blocks or calls user code.
 */
final class MemoryServer {

    private static final Map<String, MemoryServer> SERVERS = new HashMap<>();

    /** An exchange and its bindings, in the order made. */
    static final class Exchange {
        final ExchangeSpec spec;
        final Set<Binding> bindings = new LinkedHashSet<>();

        Exchange(ExchangeSpec spec) {
            this.spec = spec;
        }
    }

    final String name;
    final ReentrantLock lock = new ReentrantLock();
    final Map<String, Exchange> exchanges = new HashMap<>();
    final Map<String, MemoryQueue> queues = new LinkedHashMap<>();
    private long seq;
    private int refs;

    private MemoryServer(String name) {
        this.name = name;
    }

    /**
     * The server of a name, created when no open broker holds it; each call must be matched by {@link #release}.
     *
     * @param name the name, {@code ""} for the default server
     * @return the server
     */
    static MemoryServer acquire(String name) {
        synchronized (SERVERS) {
            MemoryServer s = SERVERS.computeIfAbsent(name, MemoryServer::new);
            s.refs++;
            return s;
        }
    }

    /**
     * Lets go of a server; the last holder forgets it.
     *
     * @param server the server
     */
    static void release(MemoryServer server) {
        synchronized (SERVERS) {
            if (--server.refs == 0) {
                SERVERS.remove(server.name, server);
            }
        }
    }

    /** A queue, or {@code null} when it does not exist (a queue unused past its {@code x-expires} is deleted now). */
    MemoryQueue queueLocked(String queue, long now) {
        MemoryQueue q = queues.get(queue);
        if (q != null && q.unusedTooLong(now)) {
            deleteQueueLocked(q);
            return null;
        }
        return q;
    }

    /** Deletes every queue unused past its {@code x-expires}. */
    void sweepLocked(long now) {
        List<MemoryQueue> expired = new ArrayList<>();
        for (MemoryQueue q : queues.values()) {
            if (q.unusedTooLong(now)) {
                expired.add(q);
            }
        }
        expired.forEach(this::deleteQueueLocked);
    }

    /**
     * Deletes a queue, its messages and its bindings, and cancels its consumers (a consumer of several queues
     * keeps the others).
     */
    void deleteQueueLocked(MemoryQueue q) {
        if (q.isDeleted()) {
            return;
        }
        queues.remove(q.name, q);
        q.markDeleted();
        for (Exchange x : new ArrayList<>(exchanges.values())) {
            if (x.bindings.removeIf(b -> b.queue().equals(q.name))) {
                unboundLocked(x);
            }
        }
        for (MemorySubscription s : new ArrayList<>(q.consumers)) {
            s.queueDeletedLocked(q);
        }
        q.consumers.clear();
    }

    /** Deletes an auto-delete exchange whose last binding went. */
    void unboundLocked(Exchange x) {
        if (x.spec.autoDelete() && x.bindings.isEmpty()) {
            exchanges.remove(x.spec.name(), x);
        }
    }

    /** The queues a publish to an existing exchange reaches, each once. */
    Set<MemoryQueue> routeLocked(Exchange x, String routingKey, long now) {
        Set<MemoryQueue> targets = new LinkedHashSet<>();
        for (Binding b : new ArrayList<>(x.bindings)) {
            boolean match = switch (x.spec.type()) {
                case DIRECT -> b.routingKey().equals(routingKey);
                case FANOUT -> true;
                case TOPIC -> TopicMatcher.matches(b.routingKey(), routingKey);
            };
            if (match) {
                MemoryQueue q = queueLocked(b.queue(), now);
                if (q != null) {
                    targets.add(q);
                }
            }
        }
        return targets;
    }

    /** Enqueues a message in each target. */
    void deliverLocked(Iterable<MemoryQueue> targets, String exchange, String routingKey, Message message, long now) {
        for (MemoryQueue q : targets) {
            q.enqueue(message, exchange, routingKey, ++seq, now);
        }
    }

    /** The queues an owner declared exclusive. */
    List<MemoryQueue> exclusiveQueuesLocked(MemoryBroker owner) {
        List<MemoryQueue> out = new ArrayList<>();
        for (MemoryQueue q : queues.values()) {
            if (q.owner == owner) {
                out.add(q);
            }
        }
        return out;
    }
}
