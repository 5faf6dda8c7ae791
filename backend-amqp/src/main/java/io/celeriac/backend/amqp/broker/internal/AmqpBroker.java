package io.celeriac.backend.amqp.broker.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.celeriac.backend.amqp.broker.AmqpBrokerConfig;
import io.celeriac.backend.amqp.internal.AmqpConnections;
import io.celeriac.broker.Binding;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;
import io.celeriac.broker.BrokerClosedException;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.DeliveryHandler;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.InvalidDeclarationException;
import io.celeriac.broker.InvalidMessageException;
import io.celeriac.broker.Message;
import io.celeriac.broker.PublishFailedException;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.QueueStats;
import io.celeriac.broker.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live RabbitMQ broker: one connection with automatic connection and topology recovery, a pool of
 * confirm-mode channels for publishing, one channel per subscription, and one long-lived channel through which
 * every declaration is made (so that the client re-declares them after a recovery). A declaration is first tried
 * on a throwaway channel, so that a refusal (a conflict, a missing queue) never closes the long-lived one.
 * Thread-safe.
 */
public final class AmqpBroker implements Broker {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpBroker.class);
    private static final Set<BrokerCapability> CAPABILITIES = Set.copyOf(EnumSet.allOf(BrokerCapability.class));

    private final AmqpBrokerConfig config;
    private final String uri;
    private final ExecutorService consumerExecutor;
    private final Connection connection;
    private final ConfirmChannel[] publishers;
    private final Object topologyLock = new Object();
    private Channel topology; // guarded by topologyLock
    private final Set<AmqpSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final AtomicLong subscriptionIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Connects.
     *
     * @param config the configuration
     * @throws BrokerUnavailableException when the broker cannot be reached
     * @throws io.celeriac.InvalidConfigurationException when a TLS file cannot be used
     */
    public AmqpBroker(AmqpBrokerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.uri = config.masked();
        this.consumerExecutor = Executors.newFixedThreadPool(config.consumerThreads(), AmqpConnections.threads("consumer"));
        Connection c;
        try {
            c = AmqpConnections.factory(config.connection(), consumerExecutor, "io")
                    .newConnection(consumerExecutor, AmqpConnections.addresses(config.connection()), "celeriac");
        } catch (IOException | TimeoutException e) {
            consumerExecutor.shutdownNow();
            throw new BrokerUnavailableException(uri, AmqpErrors.connectFailure(e), e);
        } catch (RuntimeException e) {
            consumerExecutor.shutdownNow();
            throw e;
        }
        this.connection = c;
        this.publishers = new ConfirmChannel[config.channelPoolSize()];
        for (int i = 0; i < publishers.length; i++) {
            publishers[i] = new ConfirmChannel(this);
        }
        LOG.debug("Connected to {}", uri);
    }

    // ------------------------------------------------------------------------------------------
    // description

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
        return !closed.get() && connection.isOpen();
    }

    boolean isClosing() {
        return closed.get();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new BrokerClosedException(uri);
        }
    }

    // ------------------------------------------------------------------------------------------
    // channels

    /** A new channel, or {@link BrokerUnavailableException} while the connection is down. */
    Channel newChannel() {
        checkOpen();
        try {
            Channel ch = connection.createChannel();
            if (ch == null) {
                throw new BrokerUnavailableException(uri, "the broker has no free channel", null);
            }
            return ch;
        } catch (IOException | ShutdownSignalException e) {
            throw new BrokerUnavailableException(uri, "not connected (" + AmqpErrors.brokerText(e) + ")", e);
        }
    }

    void closeQuietly(Channel ch) {
        try {
            if (ch.isOpen()) {
                ch.close();
            } else {
                ch.abort();
            }
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            abortQuietly(ch);
        }
    }

    void abortQuietly(Channel ch) {
        try {
            ch.abort();
        } catch (IOException | RuntimeException e) {
            // gone already
        }
    }

    void forget(AmqpSubscription s) {
        subscriptions.remove(s);
    }

    @FunctionalInterface
    private interface ChannelOperation<T> {
        T apply(Channel ch) throws IOException;
    }

    /** Runs an operation on a throwaway channel. */
    private <T> T onThrowaway(String operation, boolean declaration, ChannelOperation<T> op) {
        Channel ch = newChannel();
        try {
            return op.apply(ch);
        } catch (IOException | ShutdownSignalException e) {
            throw AmqpErrors.operation(uri, operation, declaration, e);
        } finally {
            closeQuietly(ch);
        }
    }

    /**
     * Runs a declaration on a throwaway channel, then again on the long-lived topology channel, so that the client
     * records it there and declares it again after a recovery.
     */
    private <T> T declare(String operation, ChannelOperation<T> op) {
        T result = onThrowaway(operation, true, op);
        synchronized (topologyLock) {
            checkOpen();
            if (topology == null || !topology.isOpen() && connection.isOpen()) {
                if (topology != null) {
                    abortQuietly(topology);
                }
                topology = newChannel();
            }
            try {
                return op.apply(topology);
            } catch (IOException | ShutdownSignalException e) {
                throw AmqpErrors.operation(uri, operation, true, e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // declarations

    @Override
    public void declareExchange(ExchangeSpec x) {
        Objects.requireNonNull(x, "exchange");
        checkOpen();
        declare("declare exchange '" + x.name() + "'", ch -> ch.exchangeDeclare(x.name(), x.type().wireName(),
                x.durable(), x.autoDelete(), AmqpValues.toTable(x.arguments())));
    }

    @Override
    public QueueStats declareQueue(QueueSpec q) {
        Objects.requireNonNull(q, "queue");
        checkOpen();
        AMQP.Queue.DeclareOk ok = declare("declare queue '" + q.name() + "'", ch -> ch.queueDeclare(q.name(),
                q.durable(), q.exclusive(), q.autoDelete(), AmqpValues.toTable(q.arguments())));
        return new QueueStats(q.name(), ok.getMessageCount(), ok.getConsumerCount());
    }

    @Override
    public void bind(Binding b) {
        Objects.requireNonNull(b, "binding");
        checkOpen();
        declare("bind queue '" + b.queue() + "' to exchange '" + b.exchange() + "'",
                ch -> ch.queueBind(b.queue(), b.exchange(), b.routingKey(), AmqpValues.toTable(b.arguments())));
    }

    @Override
    public void unbind(Binding b) {
        Objects.requireNonNull(b, "binding");
        checkOpen();
        declare("unbind queue '" + b.queue() + "' from exchange '" + b.exchange() + "'",
                ch -> ch.queueUnbind(b.queue(), b.exchange(), b.routingKey(), AmqpValues.toTable(b.arguments())));
    }

    @Override
    public void deleteQueue(String queue) {
        checkName(queue, "queue");
        checkOpen();
        declare("delete queue '" + queue + "'", ch -> ch.queueDelete(queue));
    }

    @Override
    public void deleteExchange(String exchange) {
        checkName(exchange, "exchange");
        checkOpen();
        declare("delete exchange '" + exchange + "'", ch -> ch.exchangeDelete(exchange));
    }

    @Override
    public long purgeQueue(String queue) {
        checkName(queue, "queue");
        checkOpen();
        return onThrowaway("purge queue '" + queue + "'", false, ch -> ch.queuePurge(queue)).getMessageCount();
    }

    @Override
    public QueueStats queueStats(String queue) {
        checkName(queue, "queue");
        checkOpen();
        AMQP.Queue.DeclareOk ok = onThrowaway("read queue '" + queue + "'", false, ch -> ch.queueDeclarePassive(queue));
        return new QueueStats(queue, ok.getMessageCount(), ok.getConsumerCount());
    }

    private static void checkName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new InvalidDeclarationException("The " + what + " name is empty");
        }
    }

    // ------------------------------------------------------------------------------------------
    // publish

    @Override
    public void publish(String exchange, String routingKey, Message message) {
        ConfirmChannel.Pending p = send(exchange, routingKey, message);
        try {
            p.future.get(config.confirmTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new PublishFailedException(uri, exchange, routingKey, String.valueOf(e.getCause()), true, e.getCause());
        } catch (TimeoutException e) {
            p.abandon();
            throw new PublishFailedException(uri, exchange, routingKey, "no confirmation from the broker within "
                    + config.confirmTimeout().toMillis() + " ms", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException(uri, exchange, routingKey, "interrupted while waiting for the confirmation",
                    true, e);
        }
    }

    @Override
    public CompletableFuture<Void> publishAsync(String exchange, String routingKey, Message message) {
        return send(exchange, routingKey, message).future;
    }

    private ConfirmChannel.Pending send(String exchange, String routingKey, Message message) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(message, "message");
        if (routingKey.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new InvalidMessageException("the routing key is longer than 255 bytes");
        }
        if (exchange.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new InvalidMessageException("the exchange name is longer than 255 bytes");
        }
        checkOpen();
        // one channel per thread, so that the messages of one thread keep their order
        ConfirmChannel c = publishers[(int) Math.floorMod(Thread.currentThread().getId(), (long) publishers.length)];
        return c.publish(exchange, routingKey, AmqpValues.properties(message), message.body());
    }

    // ------------------------------------------------------------------------------------------
    // consume

    @Override
    public Subscription consume(List<String> queues, ConsumeOptions options, DeliveryHandler handler) {
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (queues.isEmpty()) {
            throw new InvalidDeclarationException("consume needs at least one queue");
        }
        List<String> names = new ArrayList<>();
        for (String q : queues) {
            checkName(q, "queue");
            names.add(q);
        }
        checkOpen();
        for (String q : names) {
            queueStats(q); // QueueNotFoundException before anything is consumed
        }
        AmqpSubscription s = new AmqpSubscription(this, names, options, handler,
                "celeriac-" + subscriptionIds.incrementAndGet());
        subscriptions.add(s);
        try {
            s.start();
        } catch (RuntimeException e) {
            subscriptions.remove(s);
            throw e;
        }
        if (closed.get()) {
            s.cancel();
            throw new BrokerClosedException(uri);
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------
    // close

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AmqpSubscription s : List.copyOf(subscriptions)) {
            try {
                s.cancel();
            } catch (RuntimeException e) {
                LOG.debug("cancel on close", e);
            }
        }
        long deadline = System.nanoTime() + config.closeTimeout().toNanos();
        while (System.nanoTime() < deadline && connection.isOpen() && inFlight() > 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ConfirmChannel c : publishers) {
            c.failAll(new BrokerClosedException(uri));
        }
        int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.closeTimeout().toMillis()));
        try {
            if (connection.isOpen()) {
                connection.close(timeout);
            } else {
                connection.abort(timeout);
            }
        } catch (IOException | RuntimeException e) {
            connection.abort(timeout);
        }
        consumerExecutor.shutdown();
        try {
            if (!consumerExecutor.awaitTermination(config.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                consumerExecutor.shutdownNow();
            }
        } catch (InterruptedException e) {
            consumerExecutor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.debug("Closed {}", uri);
    }

    private int inFlight() {
        int n = 0;
        for (ConfirmChannel c : publishers) {
            n += c.inFlight();
        }
        return n;
    }

    @Override
    public String toString() {
        return "AmqpBroker[" + uri + "]";
    }
}
