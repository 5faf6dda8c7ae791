package io.celeriac.broker.memory.internal;

import io.celeriac.CeleriacException;
import io.celeriac.broker.Binding;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;
import io.celeriac.broker.BrokerClosedException;
import io.celeriac.broker.BrokerRefusedException;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.DeclarationConflictException;
import io.celeriac.broker.DeliveryHandler;
import io.celeriac.broker.ExchangeNotFoundException;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.InvalidDeclarationException;
import io.celeriac.broker.InvalidMessageException;
import io.celeriac.broker.Message;
import io.celeriac.broker.QueueNotFoundException;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.QueueStats;
import io.celeriac.broker.Subscription;
import io.celeriac.broker.memory.MemoryBrokerConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The in-process reference broker: RabbitMQ's model (direct, fanout and topic exchanges, bindings, queues,
 * prefetch, acknowledgements) held in the memory of this JVM. It declares every {@link BrokerCapability} and passes
 * the whole conformance kit.
 *
 * <p>Brokers opened on the same name share one {@link MemoryServer} while at least one of them is open. A publish
 * is in its queues when it returns ({@link #publishAsync} completes at once); the default exchange {@code ""}
 * routes to the queue named by the routing key; a message no queue takes is dropped, as RabbitMQ drops it. Queues
 * honour {@code x-max-priority}, {@code x-message-ttl} and the message {@code expiration}, {@code x-expires}
 * (checked whenever the queue is looked up), auto-delete (when the last consumer goes) and exclusive (one broker's
 * own, deleted when it closes); an auto-delete exchange goes with its last binding. Durability is accepted and
 * compared, but nothing survives the last broker of a server. Each subscription has a daemon consumer thread.
 * Thread-safe.
 */
public final class MemoryBroker implements Broker {

    private static final Set<BrokerCapability> CAPABILITIES =
            Collections.unmodifiableSet(EnumSet.allOf(BrokerCapability.class));
    private static final long JOIN_MILLIS = 2_000;

    private final MemoryServer server;
    private final String uri;
    /** Guarded by the server's lock. */
    private final Set<MemorySubscription> subscriptions = new LinkedHashSet<>();
    private volatile boolean closed;

    /**
     * Opens a memory broker; use {@link io.celeriac.broker.memory.MemoryBrokerProvider} or
     * {@code Celeriac.openBroker("memory://")}.
     *
     * @param config the parsed configuration
     */
    public MemoryBroker(MemoryBrokerConfig config) {
        this.uri = config.url().masked();
        this.server = MemoryServer.acquire(config.serverName());
    }

    @Override
    public Set<BrokerCapability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public String asUri() {
        return uri;
    }

    @Override
    public boolean isConnected() {
        return !closed;
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------------------------------
    // declarations

    @Override
    public void declareExchange(ExchangeSpec exchange) {
        Objects.requireNonNull(exchange, "exchange");
        server.lock.lock();
        try {
            checkOpen();
            MemoryServer.Exchange existing = server.exchanges.get(exchange.name());
            if (existing == null) {
                server.exchanges.put(exchange.name(), new MemoryServer.Exchange(exchange));
            } else if (!existing.spec.equals(exchange)) {
                throw new DeclarationConflictException(uri, "exchange '" + exchange.name() + "'",
                        "PRECONDITION_FAILED - inequivalent declaration: it exists as " + describe(existing.spec)
                                + ", not " + describe(exchange));
            }
        } finally {
            server.lock.unlock();
        }
    }

    @Override
    public QueueStats declareQueue(QueueSpec queue) {
        Objects.requireNonNull(queue, "queue");
        server.lock.lock();
        try {
            checkOpen();
            long now = System.nanoTime();
            server.sweepLocked(now);
            MemoryQueue q = server.queues.get(queue.name());
            if (q == null) {
                q = new MemoryQueue(queue, queue.exclusive() ? this : null, now);
                server.queues.put(queue.name(), q);
            } else {
                if (q.owner != null && q.owner != this) {
                    throw new DeclarationConflictException(uri, "queue '" + queue.name() + "'",
                            "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '" + queue.name()
                                    + "': it is exclusive to another connection");
                }
                if (!q.spec.equals(queue)) {
                    throw new DeclarationConflictException(uri, "queue '" + queue.name() + "'",
                            "PRECONDITION_FAILED - inequivalent declaration: it exists as " + describe(q.spec)
                                    + ", not " + describe(queue));
                }
                q.used(now);
            }
            return stats(q, now);
        } finally {
            server.lock.unlock();
        }
    }

    @Override
    public void bind(Binding binding) {
        Objects.requireNonNull(binding, "binding");
        server.lock.lock();
        try {
            checkOpen();
            MemoryQueue q = existingQueue(binding.queue(), System.nanoTime());
            checkNotLocked(q, "bind queue '" + q.name + "'");
            exchange(binding.exchange()).bindings.add(binding);
        } finally {
            server.lock.unlock();
        }
    }

    @Override
    public void unbind(Binding binding) {
        Objects.requireNonNull(binding, "binding");
        server.lock.lock();
        try {
            checkOpen();
            MemoryServer.Exchange x = server.exchanges.get(binding.exchange());
            if (x != null && x.bindings.remove(binding)) {
                server.unboundLocked(x);
            }
        } finally {
            server.lock.unlock();
        }
    }

    @Override
    public void deleteQueue(String queue) {
        Objects.requireNonNull(queue, "queue");
        server.lock.lock();
        try {
            checkOpen();
            MemoryQueue q = server.queues.get(queue);
            if (q != null) {
                checkNotLocked(q, "delete queue '" + queue + "'");
                server.deleteQueueLocked(q);
            }
        } finally {
            server.lock.unlock();
        }
    }

    @Override
    public void deleteExchange(String exchange) {
        Objects.requireNonNull(exchange, "exchange");
        server.lock.lock();
        try {
            checkOpen();
            server.exchanges.remove(exchange);
        } finally {
            server.lock.unlock();
        }
    }

    @Override
    public long purgeQueue(String queue) {
        Objects.requireNonNull(queue, "queue");
        server.lock.lock();
        try {
            checkOpen();
            long now = System.nanoTime();
            MemoryQueue q = existingQueue(queue, now);
            checkNotLocked(q, "purge queue '" + queue + "'");
            return q.purge(now);
        } finally {
            server.lock.unlock();
        }
    }

    @Override
    public QueueStats queueStats(String queue) {
        Objects.requireNonNull(queue, "queue");
        server.lock.lock();
        try {
            checkOpen();
            long now = System.nanoTime();
            return stats(existingQueue(queue, now), now);
        } finally {
            server.lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------
    // publish

    @Override
    public void publish(String exchange, String routingKey, Message message) {
        checkPublish(exchange, routingKey, message);
        server.lock.lock();
        try {
            checkOpen();
            long now = System.nanoTime();
            if (exchange.isEmpty()) {
                MemoryQueue q = server.queueLocked(routingKey, now);
                if (q != null) {
                    server.deliverLocked(List.of(q), exchange, routingKey, message, now);
                }
            } else {
                Set<MemoryQueue> targets = server.routeLocked(exchange(exchange), routingKey, now);
                server.deliverLocked(targets, exchange, routingKey, message, now);
            }
        } finally {
            server.lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Void> publishAsync(String exchange, String routingKey, Message message) {
        checkPublish(exchange, routingKey, message);
        if (closed) {
            throw new BrokerClosedException(uri);
        }
        try {
            publish(exchange, routingKey, message);
            return CompletableFuture.completedFuture(null);
        } catch (CeleriacException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void checkPublish(String exchange, String routingKey, Message message) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(message, "message");
        if (routingKey.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new InvalidMessageException("the routing key is longer than 255 bytes");
        }
    }

    // ------------------------------------------------------------------------------------------
    // consume

    @Override
    public Subscription consume(List<String> queues, ConsumeOptions options, DeliveryHandler handler) {
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (queues.isEmpty()) {
            throw new InvalidDeclarationException("A subscription needs at least one queue");
        }
        MemorySubscription s;
        server.lock.lock();
        try {
            checkOpen();
            long now = System.nanoTime();
            Map<String, MemoryQueue> found = new LinkedHashMap<>();
            for (String name : queues) {
                MemoryQueue q = existingQueue(Objects.requireNonNull(name, "queue"), now);
                checkNotLocked(q, "consume from queue '" + name + "'");
                found.put(name, q);
            }
            s = new MemorySubscription(this, server, new ArrayList<>(found.values()), options.prefetch(),
                    options.autoAck(), handler);
            for (MemoryQueue q : found.values()) {
                q.consumers.add(s);
                q.used(now);
            }
            subscriptions.add(s);
        } finally {
            server.lock.unlock();
        }
        s.start();
        return s;
    }

    /** A subscription ended (cancelled by its caller or by the deletion of its queues). Under the lock. */
    void forgetLocked(MemorySubscription s) {
        subscriptions.remove(s);
    }

    // ------------------------------------------------------------------------------------------
    // close

    @Override
    public void close() {
        List<MemorySubscription> stopped;
        server.lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            stopped = new ArrayList<>(subscriptions);
            for (MemorySubscription s : stopped) {
                s.stopLocked();
            }
            subscriptions.clear();
            for (MemoryQueue q : server.exclusiveQueuesLocked(this)) {
                server.deleteQueueLocked(q);
            }
        } finally {
            server.lock.unlock();
        }
        MemoryServer.release(server);
        long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000;
        for (MemorySubscription s : stopped) {
            s.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    // ------------------------------------------------------------------------------------------
    // helpers, under the lock

    private void checkOpen() {
        if (closed) {
            throw new BrokerClosedException(uri);
        }
    }

    private MemoryQueue existingQueue(String queue, long now) {
        MemoryQueue q = server.queueLocked(queue, now);
        if (q == null) {
            throw new QueueNotFoundException(uri, queue);
        }
        return q;
    }

    private MemoryServer.Exchange exchange(String exchange) {
        MemoryServer.Exchange x = server.exchanges.get(exchange);
        if (x == null) {
            throw new ExchangeNotFoundException(uri, exchange);
        }
        return x;
    }

    /** Refuses to touch an exclusive queue of another broker, as RabbitMQ refuses another connection. */
    private void checkNotLocked(MemoryQueue q, String operation) {
        if (q.owner != null && q.owner != this) {
            throw new BrokerRefusedException(uri, operation,
                    "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '" + q.name + "'", null);
        }
    }

    private static QueueStats stats(MemoryQueue q, long now) {
        return new QueueStats(q.name, q.count(now), q.consumers.size());
    }

    private static String describe(ExchangeSpec x) {
        return x.type().wireName() + (x.durable() ? ", durable" : ", not durable")
                + (x.autoDelete() ? ", auto-delete" : "") + (x.arguments().isEmpty() ? "" : ", arguments " + x.arguments());
    }

    private static String describe(QueueSpec q) {
        return (q.durable() ? "durable" : "not durable") + (q.exclusive() ? ", exclusive" : "")
                + (q.autoDelete() ? ", auto-delete" : "") + (q.arguments().isEmpty() ? "" : ", arguments " + q.arguments());
    }

    @Override
    public String toString() {
        return "MemoryBroker[" + uri + (closed ? ", closed" : "") + "]";
    }
}
