package io.celeriac.backend.amqp.events.internal;

import io.celeriac.backend.amqp.broker.AmqpBrokerConfig;
import io.celeriac.backend.amqp.broker.internal.AmqpBroker;
import io.celeriac.backend.amqp.events.AmqpEventSourceConfig;
import io.celeriac.backend.amqp.internal.AmqpConnections;
import io.celeriac.backend.amqp.internal.WarningLimiter;
import io.celeriac.broker.Binding;
import io.celeriac.broker.Broker;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.Subscription;
import io.celeriac.events.Event;
import io.celeriac.events.EventListener;
import io.celeriac.events.EventReceiverRules;
import io.celeriac.events.EventSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Follows the events of a Celery cluster on RabbitMQ as Celery's {@code EventReceiver} does: declares the topic
 * exchange {@code celeryev} (durable), a receiver queue {@code celeryev.<uuid4>} (auto-delete and exclusive, with
 * {@code x-message-ttl} and {@code x-expires} from {@code event_queue_ttl} and {@code event_queue_expires}) bound
 * with routing key {@code #} (or the configured keys), consumes it without acknowledgements, reads one event or a
 * {@code task.multi} batch from each message, applies Celery's receiver rules through {@link EventReceiverRules},
 * and delivers every event in order to the listener, on one thread of the source. Once it first receives, it wakes
 * the workers up as {@code EventReceiver.capture} does (the remote-control broadcast {@code heartbeat} on the
 * {@code celery.pidbox} fanout), unless {@code wakeup=false}.
 *
 * <p>It works through the module's RabbitMQ broker ({@link AmqpBroker}, one consumer thread): the connection, its
 * recovery after a cut or a broker restart (every {@code recovery_interval}), and the re-declaration of the
 * exchange, the queue and its bindings and the consumer after a recovery are the broker's. The source's own
 * thread connects at first (retrying every {@code recovery_interval} while the broker cannot be reached, logging
 * at most every 10 seconds) and subscribes again should the subscription end without the connection (its queue
 * deleted). Events published while it is away are lost, as in Celery (the exclusive queue goes with the
 * connection).
 *
 * <p>A message that is not an event (another content type, not JSON, a body that is not an event or a batch of
 * them) is counted in {@link #messagesRejected()} and logged as a warning at most every 10 seconds, never fatal;
 * an exception of the listener is counted in {@link #listenerFailures()} and logged the same way.
 * {@link #location()} and every log line show the URL with its password masked.
 *
 * <p>Opened by {@link io.celeriac.backend.amqp.events.AmqpEventSourceProvider}; not an API: reach it through the
 * {@link EventSource} interface. Thread-safe. {@link #close()} stops the thread and disconnects promptly.
 */
public final class AmqpEventSource implements EventSource {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpEventSource.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final long WARN_INTERVAL_MILLIS = 10_000;
    private static final long CHECK_MILLIS = 500;

    private final String location;
    private final String exchange;
    private final String queue;
    private final QueueSpec queueSpec;
    private final List<String> routingKeys;
    private final boolean wakeup;
    private final long retryMillis;
    private final long joinMillis;
    private final EventReceiverRules rules;
    private final Supplier<Broker> connect;
    private final String threadName;

    private final Object lock = new Object();
    private boolean started;          // guarded by lock
    private boolean closed;           // guarded by lock
    private Thread thread;            // guarded by lock
    private Broker broker;            // guarded by lock
    private Subscription subscription; // guarded by lock
    private volatile boolean closing;
    private boolean wokenUp;          // the source's thread only

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final WarningLimiter rejectWarning = new WarningLimiter(LOG, WARN_INTERVAL_MILLIS);
    private final WarningLimiter listenerWarning = new WarningLimiter(LOG, WARN_INTERVAL_MILLIS);
    private final WarningLimiter connectionWarning = new WarningLimiter(LOG, WARN_INTERVAL_MILLIS);

    /**
     * Opens a source with Celery's receiver rules (a fresh Lamport clock, the system clock and time zone); it
     * connects when started.
     *
     * @param config the configuration
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     */
    public AmqpEventSource(AmqpEventSourceConfig config) {
        this(config, new EventReceiverRules());
    }

    /**
     * Opens a source with explicit receiver rules (e.g. the application's own Lamport clock).
     *
     * @param config the configuration
     * @param rules the receiver rules applied to every event
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     */
    public AmqpEventSource(AmqpEventSourceConfig config, EventReceiverRules rules) {
        Objects.requireNonNull(config, "config");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.location = config.masked();
        this.exchange = config.exchange();
        this.queue = config.queuePrefix() + "." + UUID.randomUUID();
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put(QueueSpec.EXPIRES, config.queueExpires().toMillis());
        arguments.put(QueueSpec.MESSAGE_TTL, config.queueTtl().toMillis());
        // Celery's Queue(auto_delete=True, durable=False, message_ttl, expires), and exclusive as Celery 5.7 has it
        this.queueSpec = new QueueSpec(queue, false, true, true, arguments);
        this.routingKeys = config.routingKeys();
        this.wakeup = config.wakeup();
        this.retryMillis = Math.max(10, config.connection().recoveryInterval().toMillis());
        this.joinMillis = config.connection().connectTimeout().toMillis() + config.broker().closeTimeout().toMillis()
                + 5_000;
        AmqpConnections.factory(config.connection(), null, "events"); // TLS files are checked now, not later
        // one consumer thread: every event is delivered in order, on one thread; one channel for the wake-up
        AmqpBrokerConfig brokerConfig = config.broker().withPools(1, 1);
        this.connect = () -> new AmqpBroker(brokerConfig);
        this.threadName = AmqpConnections.THREAD_PREFIX + "events-" + SEQUENCE.incrementAndGet();
    }

    @Override
    public void start(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the event source of " + location + " is closed");
            }
            if (started) {
                throw new IllegalStateException("the event source of " + location + " was already started");
            }
            started = true;
            thread = new Thread(() -> run(listener), threadName);
            thread.setDaemon(true);
            thread.start();
        }
        LOG.debug("Following the events of {} on exchange '{}' with queue '{}'", location, exchange, queue);
    }

    @Override
    public long eventsReceived() {
        return received.get();
    }

    /**
     * How many messages were rejected: another content type than JSON, not JSON, or a body that is not an event or
     * a batch of them. A batch with some elements that are not events counts once; its events are still
     * delivered.
     *
     * @return the count
     */
    @Override
    public long messagesRejected() {
        return rejected.get();
    }

    /** @return how many times the listener threw; delivery went on */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /** @return how many times the source subscribed to its queue (more than once if the subscription ended) */
    public long subscriptions() {
        return subscriptions.get();
    }

    /** @return the receiver queue's name, {@code celeryev.<uuid4>} by default */
    public String queue() {
        return queue;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Whether the connection is up and the queue is being consumed; {@code false} before start, while the
     * connection is being recovered, and after close.
     */
    @Override
    public boolean isConnected() {
        Broker b;
        Subscription s;
        synchronized (lock) {
            if (closed) {
                return false;
            }
            b = broker;
            s = subscription;
        }
        return b != null && s != null && b.isConnected() && s.isActive();
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public void close() {
        Broker b;
        Thread t;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closing = true;
            b = broker;
            broker = null;
            subscription = null;
            t = thread;
            lock.notifyAll();
        }
        if (b != null) {
            closeQuietly(b);
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(joinMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("The event source thread of {} did not stop within {} ms", location, joinMillis);
            }
        }
        LOG.debug("Closed the event source of {}", location);
    }

    @Override
    public String toString() {
        return "AmqpEventSource[" + location + " " + exchange + " -> " + queue + "]";
    }

    // ------------------------------------------------------------------------------------------

    /** The source's thread: connects, subscribes, wakes the workers up, and subscribes again if need be. */
    private void run(EventListener listener) {
        boolean failing = false;
        while (true) {
            Broker b;
            Subscription s;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                b = broker;
                s = subscription;
            }
            if (b == null) {
                try {
                    b = connect.get();
                } catch (RuntimeException e) {
                    failing = true;
                    connectionWarning.warn("The event source cannot connect to {} ({}); retrying every {} ms",
                            location, e.getMessage(), retryMillis);
                    if (!pause(retryMillis)) {
                        return;
                    }
                    continue;
                }
                synchronized (lock) {
                    if (closed) {
                        closeQuietly(b);
                        return;
                    }
                    broker = b;
                }
                if (failing) {
                    LOG.info("The event source is connected to {}", location);
                    failing = false;
                }
            }
            if ((s == null || !s.isActive()) && b.isConnected()) {
                try {
                    s = subscribe(b, listener);
                } catch (RuntimeException e) {
                    if (closing) {
                        return;
                    }
                    connectionWarning.warn("The event source could not consume its queue '{}' on {} ({}); retrying "
                            + "every {} ms", queue, location, e.getMessage(), retryMillis);
                    if (!pause(retryMillis)) {
                        return;
                    }
                    continue;
                }
                synchronized (lock) {
                    if (closed) {
                        return; // close() closes the broker, and the subscription with it
                    }
                    subscription = s;
                }
                if (subscriptions.incrementAndGet() > 1) {
                    LOG.info("The event source consumes its queue '{}' on {} again", queue, location);
                }
                if (wakeup && !wokenUp) {
                    wokenUp = true;
                    wakeUpWorkers(b);
                }
            }
            if (!pause(CHECK_MILLIS)) {
                return;
            }
        }
    }

    /** Declares the exchange and the queue, binds it and consumes it, as {@code EventReceiver} does. */
    private Subscription subscribe(Broker b, EventListener listener) {
        b.declareExchange(EventMessages.exchange(exchange));
        b.declareQueue(queueSpec);
        for (String key : routingKeys) {
            b.bind(Binding.of(queue, exchange, key));
        }
        return b.consume(List.of(queue), ConsumeOptions.noAck(), d -> deliver(d, listener));
    }

    private void deliver(Delivery d, EventListener listener) {
        if (closing) {
            return;
        }
        Message m = d.message();
        String problem = EventMessages.problem(m);
        if (problem != null) {
            reject(problem, d);
            return;
        }
        EventReceiverRules.Batch batch = rules.receiveJson(m.body());
        if (!batch.problems().isEmpty()) {
            reject(String.join("; ", batch.problems()), d);
        }
        for (Event event : batch.events()) {
            if (closing) {
                return;
            }
            received.incrementAndGet();
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                listenerFailures.incrementAndGet();
                listenerWarning.warn("The listener of the event source of {} failed on a '{}' event: {}", location,
                        event.type(), String.valueOf(e));
            }
        }
    }

    /**
     * Celery's {@code EventReceiver.wakeup_workers}: declares the {@code celery.pidbox} fanout and broadcasts the
     * remote-control {@code heartbeat}, which every worker answers with a worker-heartbeat.
     */
    private void wakeUpWorkers(Broker b) {
        try {
            b.declareExchange(CeleryTopology.pidboxExchange());
            b.publish(CeleryTopology.PIDBOX_EXCHANGE, "", EventMessages.wakeUp(rules.clock().forward(), Instant.now()));
        } catch (RuntimeException e) {
            connectionWarning.warn("The event source could not wake the workers up on {} ({})", location,
                    e.getMessage());
        }
    }

    private void reject(String why, Delivery d) {
        rejected.incrementAndGet();
        byte[] body = d.message().body();
        int shown = Math.min(body.length, 200);
        rejectWarning.warn("The event source of {} rejected a message routed '{}': {}; it began with '{}'", location,
                d.routingKey(), why, new String(body, 0, shown, StandardCharsets.UTF_8));
    }

    private void closeQuietly(Broker b) {
        try {
            b.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the broker connection of the event source of {}", location, e);
        }
    }

    /** Waits unless closed first; returns whether still open. */
    private boolean pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            while (!closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
    }
}
