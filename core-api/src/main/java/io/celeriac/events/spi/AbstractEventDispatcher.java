package io.celeriac.events.spi;

import io.celeriac.events.EventReceiverRules;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.state.LamportClock;
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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport-neutral part of an event dispatcher that publishes the events of a Java service exactly as
 * Celery's {@code EventDispatcher} does: it builds Celery's event dicts (worker-online, -heartbeat, -offline and
 * the task events), keeps the Lamport clock, the {@code active} and {@code processed} counters and the heartbeat
 * timer; a subclass only moves the finished event to its broker.
 *
 * <p>Every event carries Celery's fields {@code hostname}, {@code utcoffset} (hours west of UTC), {@code pid},
 * {@code clock} (the next value of the dispatcher's {@link LamportClock}), the event's own fields, then
 * {@code timestamp} (epoch seconds, unless given) and {@code type}, in that order.
 *
 * <p>A subclass implements {@link #publish(String, Map)} (send one event; the routing key or channel derived from
 * the type, e.g. {@code task-succeeded} to {@code task.succeeded}, is its concern) and {@link #closeTransport()}
 * (release the connection; called once, by {@link #close()}). It may override {@link #heartbeatThreads()} and
 * {@link #heartbeatFailed(RuntimeException)}. Whatever {@code publish} throws (typically a subclass of
 * {@link io.celeriac.ServiceUnavailableException} when the server cannot be reached) reaches the caller of the
 * sending method unchanged, except for the heartbeat timer, which reports it to {@code heartbeatFailed} and goes
 * on.
 *
 * <p>Thread-safe: events may be sent from any thread; {@code publish} may be called concurrently and must be
 * thread-safe itself. Arguments documented as names, types and maps must not be {@code null}
 * ({@link NullPointerException}); field values may be.
 */
public abstract class AbstractEventDispatcher implements AutoCloseable {

    /** The heartbeat interval Celery's worker uses. */
    public static final Duration DEFAULT_FREQ = Duration.ofSeconds(2);
    /** The {@code sw_ident} this dispatcher reports. */
    public static final String SW_IDENT = "celeriac";

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String location;
    private final String hostname;
    private final long pid;
    private final LamportClock clock;
    private final Clock wallClock;
    private final ZoneId zone;
    private final Duration freq;
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final AtomicLong processed = new AtomicLong();
    private final Object lock = new Object();
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> heartbeat;
    private volatile boolean closed;
    private long lastHeartbeatWarning;
    private boolean heartbeatWarned;
    private long heartbeatWarningsLeftOut;

    /**
     * Takes the common settings.
     *
     * @param settings the builder holding hostname, pid, clock, wall clock, zone and heartbeat interval
     * @param location where the events go, password masked (used in messages)
     */
    protected AbstractEventDispatcher(BaseBuilder<?> settings, String location) {
        this.location = Objects.requireNonNull(location, "location");
        this.hostname = settings.hostname != null ? settings.hostname : defaultHostname();
        this.pid = settings.pid != null ? settings.pid : ProcessHandle.current().pid();
        this.clock = settings.clock != null ? settings.clock : new LamportClock();
        this.wallClock = settings.wallClock;
        this.zone = settings.zone;
        this.freq = settings.freq;
    }

    /**
     * The builder settings every dispatcher shares: connection options, hostname, pid, Lamport clock, wall clock
     * and zone, heartbeat interval. Not thread-safe.
     *
     * @param <B> the concrete builder, returned by every setter
     */
    public abstract static class BaseBuilder<B extends BaseBuilder<B>> {
        private EventSourceOptions options = EventSourceOptions.defaults();
        private String hostname;
        private Long pid;
        private LamportClock clock;
        private Clock wallClock = Clock.systemUTC();
        private ZoneId zone = ZoneId.systemDefault();
        private Duration freq = DEFAULT_FREQ;

        /** Creates a builder with the defaults. */
        protected BaseBuilder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * Connection settings and transport options, as for an event source of the same broker; not used when
         * the builder was made from a configuration.
         *
         * @param options the options
         * @return this
         */
        public B options(EventSourceOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return self();
        }

        /** @return the options given to {@link #options(EventSourceOptions)}, else the defaults */
        protected EventSourceOptions sourceOptions() {
            return options;
        }

        /**
         * The worker's name, e.g. {@code java1@host}; default {@code celeriac<pid>@<host name>}.
         *
         * @param hostname the name
         * @return this
         */
        public B hostname(String hostname) {
            this.hostname = Objects.requireNonNull(hostname, "hostname");
            return self();
        }

        /**
         * The {@code pid} reported; default this JVM's.
         *
         * @param pid the process id
         * @return this
         */
        public B pid(long pid) {
            this.pid = pid;
            return self();
        }

        /**
         * The Lamport clock whose next value every event carries; default a fresh one.
         *
         * @param clock the clock (e.g. the one a worker state store keeps)
         * @return this
         */
        public B clock(LamportClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return self();
        }

        /**
         * The wall clock and time zone for {@code timestamp} and {@code utcoffset}; default the system's.
         *
         * @param wallClock the clock
         * @param zone the time zone
         * @return this
         */
        public B wallClock(Clock wallClock, ZoneId zone) {
            this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
            this.zone = Objects.requireNonNull(zone, "zone");
            return self();
        }

        /**
         * The heartbeat interval ({@code freq}); default 2 s.
         *
         * @param freq at least 1 ms
         * @return this
         * @throws IllegalArgumentException when shorter than 1 ms
         */
        public B heartbeatInterval(Duration freq) {
            if (freq.toMillis() < 1) {
                throw new IllegalArgumentException("the heartbeat interval must be at least 1 ms, not " + freq);
            }
            this.freq = freq;
            return self();
        }
    }

    // ------------------------------------------------------------------------------------------
    // what a subclass implements

    /**
     * Sends one finished event. Called from any thread, also from the heartbeat timer.
     *
     * @param type the event type, e.g. {@code task-succeeded}; the routing key or channel is derived from it
     * @param event the event, in Celery's field order; do not modify it
     */
    protected abstract void publish(String type, Map<String, Object> event);

    /** Releases the connection. Called once, by {@link #close()}, after worker-offline (if any) was sent. */
    protected abstract void closeTransport();

    /**
     * The thread factory of the heartbeat timer; by default daemon threads named
     * {@code celeriac-heartbeat-<hostname>}.
     *
     * @return the factory
     */
    protected ThreadFactory heartbeatThreads() {
        return r -> {
            Thread t = new Thread(r, "celeriac-heartbeat-" + hostname);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Reports a heartbeat that could not be sent; the timer goes on. By default logs a warning at most every 10
     * seconds (with how many were left out in between).
     *
     * @param e what {@link #publish} threw
     */
    protected void heartbeatFailed(RuntimeException e) {
        long left;
        synchronized (lock) {
            long now = System.nanoTime();
            if (heartbeatWarned && now - lastHeartbeatWarning < TimeUnit.SECONDS.toNanos(10)) {
                heartbeatWarningsLeftOut++;
                return;
            }
            heartbeatWarned = true;
            lastHeartbeatWarning = now;
            left = heartbeatWarningsLeftOut;
            heartbeatWarningsLeftOut = 0;
        }
        if (left > 0) {
            log.warn("The heartbeat of {} on {} failed: {} (and {} more like it not logged)", hostname, location,
                    e.getMessage(), left);
        } else {
            log.warn("The heartbeat of {} on {} failed: {}", hostname, location, e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------
    // worker events

    /**
     * Sends worker-online, then worker-heartbeat every {@code freq}; {@link #close()} sends worker-offline.
     *
     * @throws io.celeriac.ServiceUnavailableException when worker-online cannot be published (or what
     *         {@link #publish} throws)
     * @throws IllegalStateException when already started or closed
     */
    public final void startHeartbeat() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the event dispatcher of " + location + " is closed");
            }
            if (heartbeat != null) {
                throw new IllegalStateException("the heartbeat of " + hostname + " was already started");
            }
            workerEvent("worker-online");
            timer = Executors.newSingleThreadScheduledExecutor(heartbeatThreads());
            long every = freq.toMillis();
            heartbeat = timer.scheduleAtFixedRate(() -> {
                try {
                    workerEvent("worker-heartbeat");
                } catch (RuntimeException e) {
                    heartbeatFailed(e);
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
     * @throws io.celeriac.ServiceUnavailableException when it cannot be published (or what {@link #publish}
     *         throws)
     */
    public final Map<String, Object> workerEvent(String type) {
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
    public final Map<String, Object> taskSent(String uuid, String name, String args, String kwargs, String queue) {
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
    public final Map<String, Object> taskReceived(String uuid, String name, String args, String kwargs, int retries) {
        return taskReceived(uuid, name, args, kwargs, retries, uuid, null, null, null);
    }

    /**
     * Sends task-received with the task's lineage and times, as a Celery worker does.
     *
     * @param uuid the task id
     * @param name the task name
     * @param args the arguments' repr
     * @param kwargs the keyword arguments' repr
     * @param retries how many times it was retried before
     * @param rootId the id of the workflow's first task ({@code uuid} when it is the first)
     * @param parentId the id of the task that sent it, or {@code null}
     * @param eta the ISO-8601 time it is due, or {@code null}
     * @param expires the ISO-8601 time it expires, or {@code null}
     * @return the event as sent
     */
    public final Map<String, Object> taskReceived(String uuid, String name, String args, String kwargs, int retries,
                                                  String rootId, String parentId, String eta, String expires) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("uuid", uuid);
        f.put("name", name);
        f.put("args", args);
        f.put("kwargs", kwargs);
        f.put("root_id", rootId);
        f.put("parent_id", parentId);
        f.put("retries", retries);
        f.put("eta", eta);
        f.put("expires", expires);
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
    public final Map<String, Object> taskStarted(String uuid) {
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
    public final Map<String, Object> taskSucceeded(String uuid, String resultRepr, double runtime) {
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
    public final Map<String, Object> taskFailed(String uuid, String exceptionRepr, String traceback) {
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
    public final Map<String, Object> taskRetried(String uuid, String exceptionRepr, String traceback) {
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
    public final Map<String, Object> taskRevoked(String uuid, boolean terminated, String signum, boolean expired) {
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
     * @throws io.celeriac.ServiceUnavailableException when it cannot be published (or what {@link #publish}
     *         throws)
     * @throws IllegalStateException when the dispatcher is closed
     */
    public final Map<String, Object> send(String type, Map<String, ?> fields) {
        Map<String, Object> event = newEvent(type, fields);
        publish(type, event);
        return event;
    }

    /**
     * Builds an event as {@link #send} does (taking the clock's next value) without publishing it, e.g. for a
     * batch.
     *
     * @param type the event type
     * @param fields the event's own fields
     * @return the event
     * @throws IllegalStateException when the dispatcher is closed
     */
    protected final Map<String, Object> newEvent(String type, Map<String, ?> fields) {
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

    /** @return the worker name the events carry */
    public final String hostname() {
        return hostname;
    }

    /** @return the Lamport clock the events carry */
    public final LamportClock clock() {
        return clock;
    }

    /** @return where the events go, password masked */
    public final String location() {
        return location;
    }

    /**
     * Stops the heartbeat, sends worker-offline if it had been started, and disconnects
     * ({@link #closeTransport()}). Closing twice does nothing.
     */
    @Override
    public final void close() {
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
            log.warn("Could not send worker-offline of {} to {}: {}", hostname, location, e.getMessage());
        } finally {
            synchronized (lock) {
                closed = true;
            }
            closeTransport();
        }
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

    /** The implementation version of the concrete dispatcher's jar, as before the split. */
    private String version() {
        String v = getClass().getPackage().getImplementationVersion();
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
