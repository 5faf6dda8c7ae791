package io.celeriac.backend.amqp.broker.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.ExchangeNotFoundException;
import io.celeriac.broker.PublishFailedException;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One publishing channel in confirm mode. Publishes from many threads take its lock only to take a sequence
 * number and send; the confirmations complete their futures. When the channel goes down, every publish still
 * waiting fails at once: the pending map is swapped for a new one (one map per channel incarnation, as the
 * sequence numbers start again after a recovery), and a publish that raced with the swap fails too.
 */
final class ConfirmChannel {

    /** A publish awaiting its confirmation. */
    static final class Pending {
        final String exchange;
        final String routingKey;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        volatile Map<Long, Pending> map;
        volatile long seq;

        Pending(String exchange, String routingKey) {
            this.exchange = exchange;
            this.routingKey = routingKey;
        }

        /** Forgets this publish (its wait timed out). */
        void abandon() {
            Map<Long, Pending> m = map;
            if (m != null) {
                m.remove(seq, this);
            }
        }
    }

    private final AmqpBroker broker;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicReference<ConcurrentSkipListMap<Long, Pending>> pending =
            new AtomicReference<>(new ConcurrentSkipListMap<>());
    private Channel channel;        // guarded by lock
    private volatile boolean dead;  // closed at channel level: replace it

    ConfirmChannel(AmqpBroker broker) {
        this.broker = broker;
    }

    Pending publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
        Pending p = new Pending(exchange, routingKey);
        lock.lock();
        try {
            Channel ch;
            try {
                ch = channel();
            } catch (BrokerUnavailableException e) {
                p.future.completeExceptionally(failed(p, "not connected (" + e.getMessage() + ")", false, e));
                return p;
            }
            ConcurrentSkipListMap<Long, Pending> map = pending.get();
            long seq = ch.getNextPublishSeqNo();
            p.map = map;
            p.seq = seq;
            map.put(seq, p);
            try {
                ch.basicPublish(exchange, routingKey, false, props, body);
            } catch (IOException | ShutdownSignalException e) {
                if (map.remove(seq, p)) {
                    boolean sent = !(e instanceof AlreadyClosedException);
                    p.future.completeExceptionally(failed(p, "the channel is closed: " + AmqpErrors.brokerText(e), sent, e));
                }
                return p;
            }
            if (pending.get() != map && map.remove(seq, p)) {
                p.future.completeExceptionally(failed(p, "the connection was lost before the broker confirmed", true, null));
            }
            return p;
        } finally {
            lock.unlock();
        }
    }

    private Channel channel() {
        if (channel == null || dead) {
            Channel old = channel;
            Channel ch = broker.newChannel();
            try {
                ch.confirmSelect();
            } catch (IOException | ShutdownSignalException e) {
                broker.abortQuietly(ch);
                throw new BrokerUnavailableException(broker.asUri(), "cannot open a publishing channel: "
                        + AmqpErrors.brokerText(e), e);
            }
            ch.addConfirmListener((tag, multiple) -> confirmed(tag, multiple, true),
                    (tag, multiple) -> confirmed(tag, multiple, false));
            ch.addShutdownListener(this::shutdown);
            channel = ch;
            dead = false;
            if (old != null) {
                broker.abortQuietly(old);
            }
        }
        return channel;
    }

    private void confirmed(long tag, boolean multiple, boolean ack) {
        ConcurrentSkipListMap<Long, Pending> map = pending.get();
        if (multiple) {
            for (Map.Entry<Long, Pending> e : map.headMap(tag, true).entrySet()) {
                if (map.remove(e.getKey(), e.getValue())) {
                    settle(e.getValue(), ack);
                }
            }
        } else {
            Pending p = map.remove(tag);
            if (p != null) {
                settle(p, ack);
            }
        }
    }

    private void settle(Pending p, boolean ack) {
        if (ack) {
            p.future.complete(null);
        } else {
            p.future.completeExceptionally(failed(p, "the broker refused the message (basic.nack)", false, null));
        }
    }

    private void shutdown(ShutdownSignalException cause) {
        if (!cause.isHardError()) {
            dead = true;
        }
        ConcurrentSkipListMap<Long, Pending> old = pending.getAndSet(new ConcurrentSkipListMap<>());
        String missing = AmqpErrors.missingExchange(cause);
        for (Pending p : old.values()) {
            if (missing != null && missing.equals(p.exchange)) {
                p.future.completeExceptionally(new ExchangeNotFoundException(broker.asUri(), missing));
            } else if (cause.isInitiatedByApplication() && broker.isClosing()) {
                p.future.completeExceptionally(new io.celeriac.broker.BrokerClosedException(broker.asUri()));
            } else {
                p.future.completeExceptionally(failed(p, (cause.isHardError() ? "the connection was lost" : "the channel was closed")
                        + " before the broker confirmed (" + AmqpErrors.brokerText(cause) + ")", true, cause));
            }
        }
    }

    /** Fails every publish still waiting (the broker closes). */
    void failAll(RuntimeException e) {
        ConcurrentSkipListMap<Long, Pending> old = pending.getAndSet(new ConcurrentSkipListMap<>());
        for (Pending p : old.values()) {
            p.future.completeExceptionally(e);
        }
    }

    /** @return how many publishes await their confirmation */
    int inFlight() {
        return pending.get().size();
    }

    private PublishFailedException failed(Pending p, String reason, boolean mayHaveBeenDelivered, Throwable cause) {
        return new PublishFailedException(broker.asUri(), p.exchange, p.routingKey, reason, mayHaveBeenDelivered, cause);
    }
}
