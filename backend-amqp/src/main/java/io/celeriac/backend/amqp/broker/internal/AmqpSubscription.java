package io.celeriac.backend.amqp.broker.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.celeriac.broker.BrokerClosedException;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.DeliveryHandler;
import io.celeriac.broker.Message;
import io.celeriac.broker.StaleDeliveryException;
import io.celeriac.broker.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer on its own channel ({@code basic.qos} with {@code global=true}, so the prefetch holds across its
 * queues, as Celery sets it). The channel is recovered with the connection, and its consumers with it; the
 * channel's incarnation ({@link #generation}) tells a stale delivery from a live one.
 */
final class AmqpSubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpSubscription.class);

    private final AmqpBroker broker;
    private final List<String> queues;
    private final ConsumeOptions options;
    private final DeliveryHandler handler;
    private final String tagPrefix;
    private final Map<String, String> queueOfTag = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicBoolean active = new AtomicBoolean(true);
    private volatile Channel channel;

    AmqpSubscription(AmqpBroker broker, List<String> queues, ConsumeOptions options, DeliveryHandler handler,
                     String tagPrefix) {
        this.broker = broker;
        this.queues = List.copyOf(queues);
        this.options = options;
        this.handler = handler;
        this.tagPrefix = tagPrefix;
    }

    /** Opens the channel and starts the consumers; on failure everything is closed and the error thrown. */
    void start() {
        Channel ch = broker.newChannel();
        channel = ch;
        ch.addShutdownListener(this::shutdown);
        try {
            if (options.prefetch() > 0) {
                ch.basicQos(options.prefetch(), true);
            }
            Consumer consumer = new Handler();
            for (int i = 0; i < queues.size(); i++) {
                String tag = tagPrefix + "-" + i;
                queueOfTag.put(tag, queues.get(i));
                ch.basicConsume(queues.get(i), options.autoAck(), tag, false, false, null, consumer);
            }
        } catch (IOException | ShutdownSignalException e) {
            active.set(false);
            broker.abortQuietly(ch);
            throw AmqpErrors.operation(broker.asUri(), "consume from " + queues, false, e);
        }
    }

    private void shutdown(ShutdownSignalException cause) {
        generation.incrementAndGet();
        if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
            LOG.warn("The subscription to {} on {} was closed by the broker: {}", queues, broker.asUri(),
                    AmqpErrors.brokerText(cause));
            active.set(false);
            broker.forget(this);
        }
    }

    boolean autoAck() {
        return options.autoAck();
    }

    void settle(String queue, long tag, long deliveryGeneration, boolean ack, boolean requeue) {
        if (broker.isClosing()) {
            throw new BrokerClosedException(broker.asUri());
        }
        Channel ch = channel;
        if (deliveryGeneration != generation.get() || !ch.isOpen()) {
            throw new StaleDeliveryException(broker.asUri(), queue);
        }
        try {
            if (ack) {
                ch.basicAck(tag, false);
            } else {
                ch.basicReject(tag, requeue);
            }
        } catch (IOException | ShutdownSignalException e) {
            throw new StaleDeliveryException(broker.asUri(), queue);
        }
    }

    @Override
    public List<String> queues() {
        return queues;
    }

    @Override
    public boolean isActive() {
        return active.get() && !broker.isClosing();
    }

    @Override
    public void cancel() {
        if (!active.compareAndSet(true, false)) {
            return;
        }
        broker.forget(this);
        Channel ch = channel;
        if (ch != null) {
            for (String tag : queueOfTag.keySet()) {
                try {
                    if (ch.isOpen()) {
                        ch.basicCancel(tag);
                    }
                } catch (IOException | ShutdownSignalException e) {
                    // the channel is going anyway
                }
            }
            broker.closeQuietly(ch);
        }
    }

    private final class Handler implements Consumer {
        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            long gen = generation.get();
            String queue = queueOfTag.getOrDefault(consumerTag, "?");
            Message message;
            try {
                message = AmqpValues.message(properties, body);
            } catch (RuntimeException e) {
                LOG.warn("Rejecting a message from {} that cannot be read: {}", queue, e.getMessage());
                if (!options.autoAck()) {
                    try {
                        settle(queue, envelope.getDeliveryTag(), gen, false, false);
                    } catch (RuntimeException ignored) {
                        // stale or closed: it comes back or goes with the channel
                    }
                }
                return;
            }
            Delivery d = new AmqpDelivery(AmqpSubscription.this, queue, envelope.getExchange(), envelope.getRoutingKey(),
                    envelope.isRedeliver(), envelope.getDeliveryTag(), gen, message, options.autoAck());
            try {
                handler.handle(d);
            } catch (Throwable t) {
                LOG.warn("The handler of {} failed on a message from {}; it is rejected", queues, queue, t);
                if (!d.isSettled()) {
                    try {
                        d.reject(false);
                    } catch (RuntimeException ignored) {
                        // stale or closed
                    }
                }
            }
        }

        @Override
        public void handleConsumeOk(String consumerTag) {
        }

        @Override
        public void handleCancelOk(String consumerTag) {
        }

        @Override
        public void handleCancel(String consumerTag) {
            LOG.warn("The broker cancelled the consumer of {} (the queue was deleted?)", queueOfTag.get(consumerTag));
            queueOfTag.remove(consumerTag);
            if (queueOfTag.isEmpty()) {
                cancel();
            }
        }

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
            // the channel's shutdown listener counts the incarnation, before any recovery
        }

        @Override
        public void handleRecoverOk(String consumerTag) {
        }
    }
}
