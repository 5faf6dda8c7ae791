package io.celeriac.backend.redis.events.internal;

import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.backend.redis.events.RedisEventSourceConfig;
import io.celeriac.backend.redis.internal.KombuEnvelope;
import io.celeriac.backend.redis.internal.Pauses;
import io.celeriac.backend.redis.internal.PubSubConnection;
import io.celeriac.backend.redis.internal.RedisConnections;
import io.celeriac.backend.redis.internal.RateLimitedWarning;
import io.celeriac.backend.redis.internal.RedisErrors;
import io.celeriac.events.Event;
import io.celeriac.events.EventListener;
import io.celeriac.events.EventReceiverRules;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.events.MalformedEventException;
import io.celeriac.url.BackendUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows the events of a Celery cluster on a Redis broker, as Celery's {@code EventReceiver} does: subscribes
 * with {@code PSUBSCRIBE} to kombu's fanout channels of the {@code celeryev} exchange
 * ({@code /{db}.celeryev/*} with kombu's defaults; see {@link #channelPattern()} and the transport options
 * {@code fanout_prefix}, {@code fanout_patterns} and {@code global_keyprefix}, given as query parameters of the
 * URL or as properties of the {@link EventSourceOptions}), unwraps kombu's JSON envelopes (base64 bodies),
 * reads one event or a {@code task.multi} batch from each, applies Celery's receiver rules through
 * {@link EventReceiverRules} and delivers every event in order to the listener, on the source's own thread.
 * Once first subscribed it wakes the workers up as {@code EventReceiver.capture} does (Celery's remote-control
 * broadcast {@code heartbeat}, answered by every worker with a worker-heartbeat), unless {@code wakeup=false}.
 *
 * <p>Every connection setting of {@link RedisConnectionConfig} applies (TLS, unix sockets, sentinels, ACL users). A
 * connection that is lost, or silent for three {@code subscriber ping intervals} although pinged, is replaced:
 * the source reconnects after 100 ms, doubling the pause after each failed attempt up to 5 s, for as long as
 * it is open. Events published while it is away are lost (Redis pub/sub keeps nothing), as in Celery.
 *
 * <p>A message that is not an event (not JSON, another content type, bad base64, a body that is not an event
 * or a batch of them) is counted in {@link #messagesRejected()} and logged as a warning at most every 10
 * seconds, never fatal; an exception of the listener is counted in {@link #listenerFailures()} and logged the
 * same way. {@link #location()} and every log line show the URL with its password masked.
 *
 * <p>Opened by {@link io.celeriac.backend.redis.events.RedisEventSourceProvider}; not an API: reach it through
 * the {@link EventSource} interface. Thread-safe. {@link #close()} stops the thread and disconnects promptly.
 */
public final class RedisEventSource implements EventSource {

    private static final Logger LOG = LoggerFactory.getLogger(RedisEventSource.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final long FIRST_PAUSE_MILLIS = 100;
    private static final long MAX_PAUSE_MILLIS = 5_000;
    private static final long WARN_INTERVAL_MILLIS = 10_000;
    private static final long JOIN_MILLIS = 10_000;
    private static final double WAKEUP_TIMEOUT_SECONDS = 1.0;

    private final String location;
    private final EventChannels channels;
    private final boolean wakeup;
    private final byte[] pattern;
    private final EventReceiverRules rules;
    private final RedisErrors errors;
    private final RedisConnections connections;
    private final Duration pingInterval;
    private final String threadName;

    private final Object lock = new Object();
    private boolean started;
    private boolean closed;
    private PubSubConnection current;
    private Thread thread;
    private ScheduledExecutorService pinger;
    private volatile boolean subscribed;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final RateLimitedWarning rejectWarning = new RateLimitedWarning(LOG, WARN_INTERVAL_MILLIS);
    private final RateLimitedWarning listenerWarning = new RateLimitedWarning(LOG, WARN_INTERVAL_MILLIS);
    private final RateLimitedWarning connectionWarning = new RateLimitedWarning(LOG, WARN_INTERVAL_MILLIS);

    /**
     * Opens a source with Celery's receiver rules (a fresh Lamport clock, the system clock and time zone).
     *
     * @param config the configuration
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     * @throws io.celeriac.ServiceUnavailableException when no sentinel answers
     */
    public RedisEventSource(RedisEventSourceConfig config) {
        this(config, new EventReceiverRules());
    }

    /**
     * Opens a source with explicit receiver rules (e.g. the application's own Lamport clock).
     *
     * @param config the configuration
     * @param rules the receiver rules applied to every event
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     * @throws io.celeriac.ServiceUnavailableException when no sentinel answers
     */
    public RedisEventSource(RedisEventSourceConfig config, EventReceiverRules rules) {
        Objects.requireNonNull(config, "config");
        this.rules = Objects.requireNonNull(rules, "rules");
        RedisConnectionConfig rc = config.connection();
        this.channels = EventChannels.of(rc, config.fanoutPrefix(), config.fanoutPatterns());
        this.wakeup = config.wakeup();
        this.location = config.url().masked();
        this.pattern = channels.subscribePattern().getBytes(StandardCharsets.UTF_8);
        this.errors = new RedisErrors(location, config.url(), rc, RedisErrors.SERVICE);
        this.connections = RedisConnections.open(rc, errors);
        this.pingInterval = rc.subscriberPingInterval();
        this.threadName = "celeriac-redis-events-" + SEQUENCE.incrementAndGet();
    }

    /**
     * Opens a source from a URL, as {@link io.celeriac.backend.redis.events.RedisEventSourceProvider} does.
     *
     * @param brokerUrl a {@code redis://}, {@code rediss://}, {@code socket://} or {@code sentinel://} URL
     * @param options connection settings and transport options
     * @throws io.celeriac.url.InvalidUrlException listing every problem of the URL and options
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     * @throws io.celeriac.ServiceUnavailableException when no sentinel answers
     */
    public RedisEventSource(BackendUrl brokerUrl, EventSourceOptions options) {
        this(RedisEventSourceConfig.parse(brokerUrl, options == null ? EventSourceOptions.defaults() : options));
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
            pinger = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, threadName + "-ping");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, pingInterval.toMillis());
            pinger.scheduleWithFixedDelay(this::ping, every, every, TimeUnit.MILLISECONDS);
            thread = new Thread(() -> run(listener), threadName);
            thread.setDaemon(true);
            thread.start();
        }
        LOG.debug("Following the events of {} on {}", location, channels.subscribePattern());
    }

    @Override
    public long eventsReceived() {
        return received.get();
    }

    /**
     * How many messages were rejected: not JSON, not a kombu JSON envelope, bad base64, or a body that is not
     * an event or a batch of them. A batch with some elements that are not events counts once; its events are
     * still delivered.
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

    /**
     * Whether Redis has confirmed the subscription on the current connection: events published from now on
     * are delivered.
     *
     * @return {@code true} while subscribed
     */
    public boolean isSubscribed() {
        return subscribed;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The same as {@link #isSubscribed()}.
     */
    @Override
    public boolean isConnected() {
        return subscribed;
    }

    /** @return how many times Redis confirmed the subscription (more than once after reconnections) */
    public long subscriptions() {
        return subscriptions.get();
    }

    /** @return the pattern subscribed to, e.g. {@code /0.celeryev/*} */
    public String channelPattern() {
        return channels.subscribePattern();
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public void close() {
        PubSubConnection c;
        Thread t;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
            current = null;
            t = thread;
            lock.notifyAll();
        }
        subscribed = false;
        if (c != null) {
            c.shutdown();
        }
        if (pinger != null) {
            pinger.shutdownNow();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("The event source thread of {} did not stop within {} ms", location, JOIN_MILLIS);
            }
        }
        connections.close();
        LOG.debug("Closed the event source of {}", location);
    }

    /** @return the delivering thread, or {@code null} before {@link #start}; for tests */
    Thread deliveringThread() {
        synchronized (lock) {
            return thread;
        }
    }

    @Override
    public String toString() {
        return "RedisEventSource[" + location + " " + channels.subscribePattern() + "]";
    }

    // ------------------------------------------------------------------------------------------

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void run(EventListener listener) {
        long pause = FIRST_PAUSE_MILLIS;
        boolean lost = false;
        while (!isClosed()) {
            PubSubConnection c;
            try {
                c = connections.newSubscriberConnection(pingInterval.multipliedBy(3));
            } catch (RuntimeException e) {
                connectionWarning.warn("The event source cannot connect to {} ({}); retrying in {} ms", location,
                        errors.describe(e), pause);
                if (!pause(pause)) {
                    return;
                }
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
                continue;
            }
            synchronized (lock) {
                if (closed) {
                    c.shutdown();
                    return;
                }
                current = c;
            }
            try {
                synchronized (c) {
                    c.write(Protocol.Command.PSUBSCRIBE, pattern);
                    c.flushOut();
                }
                while (true) {
                    Object reply;
                    try {
                        reply = c.readReply();
                    } catch (JedisDataException e) {
                        connectionWarning.warn("Redis refused a command of the event source of {}: {}", location,
                                errors.scrub(e.getMessage()));
                        continue;
                    }
                    if (handle(reply, listener, lost)) {
                        pause = FIRST_PAUSE_MILLIS;
                        lost = false;
                    }
                }
            } catch (RuntimeException e) {
                subscribed = false;
                synchronized (lock) {
                    if (current == c) {
                        current = null;
                    }
                    if (closed) {
                        c.shutdown();
                        return;
                    }
                }
                c.shutdown();
                lost = true;
                connectionWarning.warn("The event source lost its connection to {} ({}); reconnecting in {} ms",
                        location, errors.describe(e), pause);
                if (!pause(pause)) {
                    return;
                }
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
            }
        }
    }

    /** Handles one reply; returns whether it confirmed the subscription. */
    private boolean handle(Object reply, EventListener listener, boolean afterLoss) {
        if (!(reply instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof byte[] kindBytes)) {
            return false;
        }
        String kind = new String(kindBytes, StandardCharsets.US_ASCII);
        if ("pmessage".equals(kind) && list.size() >= 4 && list.get(3) instanceof byte[] data) {
            deliver(data, listener);
        } else if ("psubscribe".equals(kind)) {
            if (subscriptions.incrementAndGet() == 1 && wakeup) {
                wakeUpWorkers();
            }
            subscribed = true;
            if (afterLoss) {
                LOG.info("The event source is subscribed to {} on {} again", channels.subscribePattern(), location);
            }
            return true;
        }
        return false;
    }

    private void deliver(byte[] message, EventListener listener) {
        EventReceiverRules.Batch batch;
        try {
            batch = rules.receiveJson(KombuEnvelope.decode(message));
        } catch (MalformedEventException e) {
            reject(String.join("; ", e.problems()), message);
            return;
        }
        if (!batch.problems().isEmpty()) {
            reject(String.join("; ", batch.problems()), message);
        }
        for (Event event : batch.events()) {
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
     * Celery's {@code EventReceiver.wakeup_workers}: the remote-control broadcast {@code heartbeat}, which every
     * worker answers with a worker-heartbeat.
     */
    private void wakeUpWorkers() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", "heartbeat");
        body.put("arguments", Map.of());
        body.put("destination", null);
        body.put("pattern", null);
        body.put("matcher", null);
        Instant now = Instant.now();
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("clock", rules.clock().forward());
        headers.put("expires", now.getEpochSecond() + now.getNano() / 1e9 + WAKEUP_TIMEOUT_SECONDS);
        byte[] message = KombuEnvelope.encode(body, EventChannels.PIDBOX_EXCHANGE, "", headers, 2);
        try {
            connections.client().publish(channels.pidboxChannel().getBytes(StandardCharsets.UTF_8), message);
        } catch (RuntimeException e) {
            connectionWarning.warn("The event source could not wake the workers up on {} ({})", location,
                    errors.describe(e));
        }
    }

    private void reject(String why, byte[] message) {
        rejected.incrementAndGet();
        int shown = Math.min(message.length, 200);
        rejectWarning.warn("The event source of {} rejected a message on {}: {}; it began with '{}'", location,
                channels.subscribePattern(), why, new String(message, 0, shown, StandardCharsets.UTF_8));
    }

    private void ping() {
        PubSubConnection c;
        synchronized (lock) {
            c = current;
        }
        if (c == null || !subscribed) {
            return;
        }
        try {
            synchronized (c) {
                c.write(Protocol.Command.PING);
                c.flushOut();
            }
        } catch (RuntimeException e) {
            c.shutdown(); // the reader notices and reconnects
        }
    }

    /** Waits unless closed first; returns whether still open. */
    private boolean pause(long millis) {
        return Pauses.await(lock, () -> closed, TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
