package io.celeriac.backend.amqp.events;

import io.celeriac.backend.amqp.broker.internal.AmqpBroker;
import io.celeriac.backend.amqp.events.internal.EventMessages;
import io.celeriac.backend.amqp.internal.AmqpConnections;
import io.celeriac.backend.amqp.internal.WarningLimiter;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.PublishFailedException;
import io.celeriac.events.EventReceiverRules;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.state.LamportClock;
import io.celeriac.url.BackendUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes the events of a Java service on RabbitMQ exactly as Celery's {@code EventDispatcher} does on kombu's
 * pyamqp transport, so that {@code celery events}, Flower, Python's {@code EventReceiver} and {@code State}, and
 * celeriac's event sources see it as a worker: worker-online, worker-heartbeat and worker-offline (with
 * {@code freq}, {@code active}, {@code processed}, {@code loadavg}, {@code sw_ident}, {@code sw_ver},
 * {@code sw_sys}) and the task events (task-sent, -received, -started, -succeeded, -failed, -retried, -revoked).
 *
 * <p>Every event carries Celery's fields {@code hostname}, {@code utcoffset} (hours west of UTC), {@code pid},
 * {@code clock} (the next value of the dispatcher's {@link LamportClock}), {@code timestamp} (epoch seconds) and
 * {@code type}, in Celery's order. It is published on the topic exchange {@code celeryev} (declared durable, as
 * Celery declares it, when the dispatcher is built) with the routing key Celery uses, the type with {@code -}
 * replaced by {@code .} ({@code worker.heartbeat}, {@code task.succeeded}): the JSON body as it is,
 * {@code content_type application/json}, {@code content_encoding utf-8}, the header {@code hostname}, transient,
 * priority 0. Task events go one per message; {@link #sendBatch} sends several in one {@code task.multi} message,
 * as Celery's worker buffers them. Receivers accept both.
 *
 * <p>It publishes through the module's RabbitMQ broker: every publish waits for RabbitMQ's confirmation, and the
 * connection is recovered after a cut or a broker restart. {@link #startHeartbeat()} sends worker-online and then
 * worker-heartbeat every {@code freq} seconds (default 2.0); {@link #close()} then sends worker-offline.
 * {@code active} and {@code processed} count the tasks this dispatcher reported: a task-received adds one to both,
 * a task-succeeded, -failed, -retried or -revoked ends an active task.
 *
 * <p>A publish while the broker cannot be reached raises {@link BrokerUnavailableException} (a
 * {@link io.celeriac.ServiceUnavailableException}); one the broker refused or did not confirm in time raises
 * {@link PublishFailedException}. A heartbeat that fails is logged at most every 10 seconds and the timer goes on.
 * Thread-safe; text never shows the password.
 */
public final class AmqpEventDispatcher implements AutoCloseable {

    /** The heartbeat interval Celery's worker uses. */
    public static final Duration DEFAULT_FREQ = Duration.ofSeconds(2);
    /** The {@code sw_ident} this dispatcher reports. */
    public static final String SW_IDENT = "celeriac";
    /** Celery's routing key of a batch of task events. */
    public static final String MULTI = "task.multi";

    private static final Logger LOG = LoggerFactory.getLogger(AmqpEventDispatcher.class);

    private final String location;
    private final String exchange;
    private final Broker broker;
    private final String hostname;
    private final long pid;
    private final LamportClock clock;
    private final Clock wallClock;
    private final ZoneId zone;
    private final Duration freq;
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final AtomicLong processed = new AtomicLong();
    private final WarningLimiter heartbeatWarning = new WarningLimiter(LOG, 10_000);
    private final Object lock = new Object();
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> heartbeat;
    private volatile boolean closed;

    private AmqpEventDispatcher(AmqpEventDispatcherConfig config, Builder b) {
        this.location = config.masked();
        this.exchange = config.exchange();
        this.hostname = b.hostname != null ? b.hostname : defaultHostname();
        this.pid = b.pid != null ? b.pid : ProcessHandle.current().pid();
        this.clock = b.clock != null ? b.clock : new LamportClock();
        this.wallClock = b.wallClock;
        this.zone = b.zone;
        this.freq = b.freq;
        AmqpBroker opened = new AmqpBroker(config.broker().withPools(Math.min(4, config.broker().channelPoolSize()), 1));
        try {
            opened.declareExchange(EventMessages.exchange(exchange));
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        this.broker = opened;
    }

    /**
     * Starts configuring a dispatcher.
     *
     * @param brokerUrl the broker URL ({@code amqp://}, {@code amqps://}, {@code pyamqp://}, {@code librabbitmq://})
     * @return the builder
     */
    public static Builder builder(BackendUrl brokerUrl) {
        return new Builder(Objects.requireNonNull(brokerUrl, "brokerUrl"), null);
    }

    /**
     * Starts configuring a dispatcher from a configuration read earlier.
     *
     * @param config the broker's connection and event settings
     * @return the builder
     */
    public static Builder builder(AmqpEventDispatcherConfig config) {
        return new Builder(null, Objects.requireNonNull(config, "config"));
    }

    /** Configures an {@link AmqpEventDispatcher}. Not thread-safe. */
    public static final class Builder {
        private final BackendUrl url;
        private final AmqpEventDispatcherConfig config;
        private EventSourceOptions options = EventSourceOptions.defaults();
        private String hostname;
        private Long pid;
        private LamportClock clock;
        private Clock wallClock = Clock.systemUTC();
        private ZoneId zone = ZoneId.systemDefault();
        private Duration freq = DEFAULT_FREQ;

        private Builder(BackendUrl url, AmqpEventDispatcherConfig config) {
            this.url = url;
            this.config = config;
        }

        /**
         * Connection and event settings, as for an event source (see {@link AmqpEventDispatcherConfig}); not used
         * when the builder was made from a configuration.
         *
         * @param options the options
         * @return this
         */
        public Builder options(EventSourceOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * The worker's name, e.g. {@code java1@host}; default {@code celeriac<pid>@<host name>}.
         *
         * @param hostname the name
         * @return this
         */
        public Builder hostname(String hostname) {
            this.hostname = Objects.requireNonNull(hostname, "hostname");
            return this;
        }

        /**
         * The {@code pid} reported; default this JVM's.
         *
         * @param pid the process id
         * @return this
         */
        public Builder pid(long pid) {
            this.pid = pid;
            return this;
        }

        /**
         * The Lamport clock whose next value every event carries; default a fresh one.
         *
         * @param clock the clock (e.g. the one a worker state store keeps)
         * @return this
         */
        public Builder clock(LamportClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The wall clock and time zone for {@code timestamp} and {@code utcoffset}; default the system's.
         *
         * @param wallClock the clock
         * @param zone the time zone
         * @return this
         */
        public Builder wallClock(Clock wallClock, ZoneId zone) {
            this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /**
         * The heartbeat interval ({@code freq}); default 2 s.
         *
         * @param freq at least 1 ms
         * @return this
         * @throws IllegalArgumentException when shorter than 1 ms
         */
        public Builder heartbeatInterval(Duration freq) {
            if (freq.toMillis() < 1) {
                throw new IllegalArgumentException("the heartbeat interval must be at least 1 ms, not " + freq);
            }
            this.freq = freq;
            return this;
        }

        /**
         * Connects and declares the event exchange.
         *
         * @return the dispatcher; close it
         * @throws io.celeriac.InvalidConfigurationException listing every problem of the URL and options, or when
         *         the TLS files cannot be used
         * @throws BrokerUnavailableException when the broker cannot be reached
         * @throws io.celeriac.broker.DeclarationConflictException when the exchange exists with other flags
         */
        public AmqpEventDispatcher build() {
            return new AmqpEventDispatcher(config != null ? config : AmqpEventDispatcherConfig.parse(url, options), this);
        }
    }

    // ------------------------------------------------------------------------------------------
    // worker events

    /**
     * Sends worker-online, then worker-heartbeat every {@code freq}; {@link #close()} sends worker-offline.
     *
     * @throws BrokerUnavailableException when worker-online cannot be published
     * @throws IllegalStateException when already started or closed
     */
    public void startHeartbeat() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the event dispatcher of " + location + " is closed");
            }
            if (heartbeat != null) {
                throw new IllegalStateException("the heartbeat of " + hostname + " was already started");
            }
            workerEvent("worker-online");
            timer = Executors.newSingleThreadScheduledExecutor(AmqpConnections.threads("heartbeat"));
            long every = freq.toMillis();
            heartbeat = timer.scheduleAtFixedRate(() -> {
                try {
                    workerEvent("worker-heartbeat");
                } catch (RuntimeException e) {
                    heartbeatWarning.warn("The heartbeat of {} on {} failed: {}", hostname, location, e.getMessage());
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends one worker event with the worker's fields: {@code freq}, {@code active}, {@code processed},
     * {@code loadavg}, {@code sw_ident}, {@code sw_ver}, {@code sw_sys}.
     *
     * @param type {@code worker-online}, {@code worker-heartbeat} or {@code worker-offline}
     * @return the event as sent
     * @throws BrokerUnavailableException when it cannot be published
     */
    public Map<String, Object> workerEvent(String type) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("freq", freq.toMillis() / 1000.0);
        f.put("active", active.size());
        f.put("processed", processed.get());
        f.put("loadavg", loadAverage());
        f.put("sw_ident", SW_IDENT);
        f.put("sw_ver", version());
        f.put("sw_sys", System.getProperty("os.name", "unknown"));
        return send(type, f);
    }

    // ------------------------------------------------------------------------------------------
    // task events

    /**
     * Sends task-sent, as a client does ({@code task_send_sent_event}).
     *
     * @param uuid the task id
     * @param name the task name
     * @param args the arguments' repr, e.g. {@code (2, 3)}
     * @param kwargs the keyword arguments' repr, e.g. {@code {}}
     * @param queue the queue, e.g. {@code celery}
     * @return the event as sent
     */
    public Map<String, Object> taskSent(String uuid, String name, String args, String kwargs, String queue) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("uuid", uuid);
        f.put("root_id", uuid);
        f.put("parent_id", null);
        f.put("name", name);
        f.put("args", args);
        f.put("kwargs", kwargs);
        f.put("retries", 0);
        f.put("eta", null);
        f.put("expires", null);
        f.put("queue", queue);
        f.put("exchange", "");
        f.put("routing_key", queue);
        return send("task-sent", f);
    }

    /**
     * Sends task-received: the worker took the task (it becomes active and counts as processed).
     *
     * @param uuid the task id
     * @param name the task name
     * @param args the arguments' repr
     * @param kwargs the keyword arguments' repr
     * @param retries how many times it was retried before
     * @return the event as sent
     */
    public Map<String, Object> taskReceived(String uuid, String name, String args, String kwargs, int retries) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("uuid", uuid);
        f.put("name", name);
        f.put("args", args);
        f.put("kwargs", kwargs);
        f.put("root_id", uuid);
        f.put("parent_id", null);
        f.put("retries", retries);
        f.put("eta", null);
        f.put("expires", null);
        if (active.add(uuid)) {
            processed.incrementAndGet();
        }
        return send("task-received", f);
    }

    /**
     * Sends task-started.
     *
     * @param uuid the task id
     * @return the event as sent
     */
    public Map<String, Object> taskStarted(String uuid) {
        return send("task-started", fields("uuid", uuid));
    }

    /**
     * Sends task-succeeded.
     *
     * @param uuid the task id
     * @param resultRepr the result's repr, e.g. {@code 5} or {@code 'ok'}
     * @param runtime seconds the task ran
     * @return the event as sent
     */
    public Map<String, Object> taskSucceeded(String uuid, String resultRepr, double runtime) {
        active.remove(uuid);
        return send("task-succeeded", fields("uuid", uuid, "result", resultRepr, "runtime", runtime));
    }

    /**
     * Sends task-failed.
     *
     * @param uuid the task id
     * @param exceptionRepr the exception's repr, e.g. {@code ValueError('boom')}
     * @param traceback the traceback text
     * @return the event as sent
     */
    public Map<String, Object> taskFailed(String uuid, String exceptionRepr, String traceback) {
        active.remove(uuid);
        return send("task-failed", fields("uuid", uuid, "exception", exceptionRepr, "traceback", traceback));
    }

    /**
     * Sends task-retried.
     *
     * @param uuid the task id
     * @param exceptionRepr the reason's repr, e.g. {@code Retry('in 1s')}
     * @param traceback the traceback text
     * @return the event as sent
     */
    public Map<String, Object> taskRetried(String uuid, String exceptionRepr, String traceback) {
        active.remove(uuid);
        return send("task-retried", fields("uuid", uuid, "exception", exceptionRepr, "traceback", traceback));
    }

    /**
     * Sends task-revoked.
     *
     * @param uuid the task id
     * @param terminated whether a running task was terminated
     * @param signum the signal sent to it, or {@code null}
     * @param expired whether it was revoked because it expired
     * @return the event as sent
     */
    public Map<String, Object> taskRevoked(String uuid, boolean terminated, String signum, boolean expired) {
        active.remove(uuid);
        return send("task-revoked", fields("uuid", uuid, "terminated", terminated, "signum", signum,
                "expired", expired));
    }

    // ------------------------------------------------------------------------------------------
    // any event

    /**
     * Sends any event as Celery's {@code EventDispatcher.send(type, **fields)}: {@code hostname},
     * {@code utcoffset}, {@code pid}, {@code clock} (the clock's next value), the fields, then {@code timestamp}
     * (unless given) and {@code type}.
     *
     * @param type the event type, e.g. {@code task-succeeded}; its routing key is the type with {@code -}
     *             replaced by {@code .}
     * @param fields the event's own fields (JSON values)
     * @return the event as sent
     * @throws BrokerUnavailableException when the broker cannot be reached
     * @throws PublishFailedException when the broker refused the message or did not confirm it in time
     * @throws IllegalStateException when the dispatcher is closed
     */
    public Map<String, Object> send(String type, Map<String, ?> fields) {
        Map<String, Object> event = event(type, fields);
        publish(EventMessages.routingKey(type), event);
        return event;
    }

    /**
     * Sends several events in one message, as Celery's worker flushes its buffered task events: a JSON list under
     * the routing key {@value #MULTI} ({@code <group>.multi}). Each event is built as by {@link #send}, with its
     * own clock value.
     *
     * @param events the events, each a type and its own fields, in order
     * @return the events as sent
     * @throws BrokerUnavailableException when the broker cannot be reached
     * @throws PublishFailedException when the broker refused the message or did not confirm it in time
     * @throws IllegalStateException when the dispatcher is closed
     */
    public List<Map<String, Object>> sendBatch(List<? extends Map.Entry<String, ? extends Map<String, ?>>> events) {
        Objects.requireNonNull(events, "events");
        List<Map<String, Object>> out = new ArrayList<>(events.size());
        for (Map.Entry<String, ? extends Map<String, ?>> e : events) {
            out.add(event(e.getKey(), e.getValue()));
        }
        publish(MULTI, out);
        return out;
    }

    private Map<String, Object> event(String type, Map<String, ?> fields) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(fields, "fields");
        if (closed) {
            throw new IllegalStateException("the event dispatcher of " + location + " is closed");
        }
        Instant now = wallClock.instant();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("hostname", hostname);
        event.put("utcoffset", EventReceiverRules.utcoffset(zone, now));
        event.put("pid", pid);
        event.put("clock", clock.forward());
        event.putAll(fields);
        if (!event.containsKey("timestamp")) {
            event.put("timestamp", now.getEpochSecond() + now.getNano() / 1e9);
        }
        event.remove("type");
        event.put("type", type);
        return event;
    }

    private void publish(String routingKey, Object body) {
        try {
            broker.publish(exchange, routingKey, EventMessages.event(body, hostname));
        } catch (PublishFailedException e) {
            if (!broker.isConnected()) {
                throw new BrokerUnavailableException(location, "cannot publish the event: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** @return the worker name the events carry */
    public String hostname() {
        return hostname;
    }

    /** @return the Lamport clock the events carry */
    public LamportClock clock() {
        return clock;
    }

    /** @return where the events go, password masked */
    public String location() {
        return location;
    }

    /** @return the exchange the events are published on, {@code celeryev} by default */
    public String exchange() {
        return exchange;
    }

    /**
     * The routing key an event type is published with.
     *
     * @param type the event type
     * @return the routing key, e.g. {@code worker.heartbeat}
     */
    public static String routingKey(String type) {
        return EventMessages.routingKey(type);
    }

    /**
     * Stops the heartbeat, sends worker-offline if it had been started, and disconnects. Closing twice does
     * nothing.
     */
    @Override
    public void close() {
        boolean offline;
        synchronized (lock) {
            if (closed) {
                return;
            }
            offline = heartbeat != null;
            if (timer != null) {
                timer.shutdownNow();
                try {
                    timer.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try {
            if (offline) {
                workerEvent("worker-offline");
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not send worker-offline of {} to {}: {}", hostname, location, e.getMessage());
        } finally {
            synchronized (lock) {
                closed = true;
            }
            broker.close();
        }
    }

    @Override
    public String toString() {
        return "AmqpEventDispatcher[" + hostname + " -> " + location + " " + exchange + "]";
    }

    // ------------------------------------------------------------------------------------------

    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Celery's {@code load_average()}: the three load averages rounded to 2 decimals. */
    private static List<Double> loadAverage() {
        List<Double> out = new ArrayList<>(3);
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            for (int i = 0; i < 3 && i < parts.length; i++) {
                out.add(Math.round(Double.parseDouble(parts[i]) * 100) / 100.0);
            }
        } catch (IOException | RuntimeException e) {
            out.clear();
        }
        if (out.size() != 3) {
            out.clear();
            double one = Math.max(0, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            out.add(Math.round(one * 100) / 100.0);
            out.add(0.0);
            out.add(0.0);
        }
        return out;
    }

    private static String version() {
        String v = AmqpEventDispatcher.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0";
    }

    private static String defaultHostname() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return "celeriac" + ProcessHandle.current().pid() + "@" + host;
    }
}
