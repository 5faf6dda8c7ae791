package io.celeriac.worker;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.worker.internal.Engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A Celery worker in the JVM: consumes protocol-2 task messages from a broker's queues, runs the registered Java
 * {@link Task}s on a pool of threads, stores results in the result backend, sends events, answers remote control
 * ({@code celery inspect}, {@code celery control}) and keeps its revoked ids in a state store, so that Python sees
 * it as one of its own workers.
 *
 * <pre>{@code
 * TaskRegistry tasks = new TaskRegistry().register("proj.add", ctx -> ctx.arg(0, Long.class) + ctx.arg(1, Long.class));
 * try (Worker worker = Worker.builder()
 *         .brokerUrl("redis://localhost:6379/0").backendUrl("redis://localhost:6379/1")
 *         .tasks(tasks).concurrency(8).sendEvents(true).build().start()) {
 *     worker.awaitTermination(Duration.ofDays(365));   // until a remote shutdown or close()
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} is Celery's warm shutdown: no new tasks, running ones finish (up to
 * {@link Builder#shutdownTimeout}), messages reserved or waiting for their ETA go back to the broker, the state store
 * is saved and worker-offline is sent.
 */
public final class Worker implements AutoCloseable {

    /** Celery's default broker URL. */
    public static final String DEFAULT_BROKER_URL = "amqp://guest:guest@localhost:5672//";

    private final Engine engine;

    private Worker(Engine engine) {
        this.engine = engine;
    }

    /** @return a builder with Celery's defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects, declares the queues, merges the state store, starts remote control and events, and starts
     * consuming.
     *
     * @return this
     * @throws IllegalStateException when started before or closed
     * @throws io.celeriac.broker.BrokerUnavailableException when the broker cannot be reached
     */
    public Worker start() {
        engine.start();
        return this;
    }

    /** @return the node name, e.g. {@code celeriac@host} */
    public String nodename() {
        return engine.nodename();
    }

    /** @return the tasks it runs */
    public TaskRegistry registry() {
        return engine.registry();
    }

    /** @return whether it consumes (started and not shut down) */
    public boolean isRunning() {
        return engine.isRunning();
    }

    /** @return how many tasks it has finished, by name, as {@code celery inspect stats} {@code total} */
    public Map<String, Long> totals() {
        return engine.totals();
    }

    /**
     * Waits until the worker has shut down (by {@link #close()}, {@link #shutdownNow()} or a remote
     * {@code shutdown}).
     *
     * @param timeout the longest wait
     * @return whether it has shut down
     * @throws InterruptedException when interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return engine.awaitTermination(timeout);
    }

    /**
     * Cold shutdown: stops consuming, interrupts running tasks at once; messages of tasks acknowledged late go back
     * to the broker, those acknowledged early are lost (as in Celery); the state store is saved.
     */
    public void shutdownNow() {
        engine.shutdown(true);
    }

    /** Warm shutdown (see the class documentation). Closing twice does nothing. */
    @Override
    public void close() {
        engine.shutdown(false);
    }

    @Override
    public String toString() {
        return "Worker[" + engine + "]";
    }

    /**
     * The node name with Celery's variables expanded: {@code %h} the host name, {@code %n} the name part,
     * {@code %d} the domain, {@code %%} a percent sign.
     *
     * @param pattern e.g. {@code java1@%h}
     * @param nodename the worker's node name for {@code %n} (its part before {@code @}), or {@code null} to use the
     *                 pattern's own
     * @return the expanded text
     */
    public static String expand(String pattern, String nodename) {
        String host = hostname();
        String base = nodename == null ? pattern : nodename;
        int at = base.indexOf('@');
        String name = at < 0 ? base : base.substring(0, at);
        int dot = host.indexOf('.');
        String domain = dot < 0 ? "" : host.substring(dot + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '%' && i + 1 < pattern.length()) {
                char n = pattern.charAt(++i);
                switch (n) {
                    case 'h' -> sb.append(host);
                    case 'n' -> sb.append(name);
                    case 'd' -> sb.append(domain);
                    case '%' -> sb.append('%');
                    default -> sb.append('%').append(n);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String hostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * Builds a {@link Worker}; the settings are Celery's worker settings with their defaults. Not thread-safe.
     */
    public static final class Builder {
        private Celeriac celeriac;
        private String brokerUrl;
        private Broker broker;
        private BrokerOptions brokerOptions;
        private String backendUrl;
        private Backend backend;
        private BackendOptions backendOptions;
        private boolean noBackend;
        private String stateDb;
        private StateStoreOptions stateStoreOptions;
        private TaskRegistry registry = new TaskRegistry();
        private final Set<String> queues = new LinkedHashSet<>();
        private String defaultQueue = CeleryTopology.DEFAULT_QUEUE;
        private final Map<String, String> routes = new java.util.LinkedHashMap<>();
        private int concurrency = Runtime.getRuntime().availableProcessors();
        private int prefetchMultiplier = 4;
        private boolean acksLate;
        private boolean rejectOnWorkerLost;
        private boolean trackStarted;
        private boolean ignoreResult;
        private Duration timeLimit;
        private Duration softTimeLimit;
        private boolean sendEvents;
        private Duration heartbeatInterval = Duration.ofSeconds(2);
        private String nodename = "celeriac@%h";
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private boolean remoteControl = true;
        private Clock clock = Clock.systemUTC();
        private Map<String, String> environment = System.getenv();

        private Builder() {
        }

        /** @param v the provider registry; default {@link Celeriac#discover()} @return this */
        public Builder celeriac(Celeriac v) {
            celeriac = Objects.requireNonNull(v, "celeriac");
            return this;
        }

        /** @param v the broker URL; default {@code CELERY_BROKER_URL}, else {@value #DEFAULT_BROKER_URL} @return this */
        public Builder brokerUrl(String v) {
            brokerUrl = Objects.requireNonNull(v, "brokerUrl");
            return this;
        }

        /** @param v an open broker (the worker does not close it) @return this */
        public Builder broker(Broker v) {
            broker = Objects.requireNonNull(v, "broker");
            return this;
        }

        /** @param v the broker's options @return this */
        public Builder brokerOptions(BrokerOptions v) {
            brokerOptions = Objects.requireNonNull(v, "brokerOptions");
            return this;
        }

        /** @param v the result backend URL; default {@code CELERY_RESULT_BACKEND}, else none @return this */
        public Builder backendUrl(String v) {
            backendUrl = Objects.requireNonNull(v, "backendUrl");
            return this;
        }

        /** @param v an open backend (the worker does not close it) @return this */
        public Builder backend(Backend v) {
            backend = Objects.requireNonNull(v, "backend");
            return this;
        }

        /** @param v the backend's options @return this */
        public Builder backendOptions(BackendOptions v) {
            backendOptions = Objects.requireNonNull(v, "backendOptions");
            return this;
        }

        /** Stores no results, even when {@code CELERY_RESULT_BACKEND} is set. @return this */
        public Builder withoutBackend() {
            noBackend = true;
            return this;
        }

        /**
         * The worker state store ({@code --statedb}): a file path (with {@code %n}, {@code %h}), {@code file:///},
         * {@code redis://} or {@code db+...}; default none (revokes live in memory only, as Celery without
         * {@code --statedb}).
         *
         * @param v the URL
         * @return this
         */
        public Builder stateDb(String v) {
            stateDb = Objects.requireNonNull(v, "stateDb");
            return this;
        }

        /** @param v the state store's options @return this */
        public Builder stateStoreOptions(StateStoreOptions v) {
            stateStoreOptions = Objects.requireNonNull(v, "stateStoreOptions");
            return this;
        }

        /** @param v the tasks to run @return this */
        public Builder tasks(TaskRegistry v) {
            registry = Objects.requireNonNull(v, "registry");
            return this;
        }

        /** @param name the task name @param task the handler @return this */
        public Builder task(String name, Task task) {
            registry.register(name, task);
            return this;
        }

        /** @param name the task name @param task the handler @param options its settings @return this */
        public Builder task(String name, Task task, TaskOptions options) {
            registry.register(name, task, options);
            return this;
        }

        /**
         * The queues to consume ({@code -Q}); default the default queue.
         *
         * @param v the queue names
         * @return this
         */
        public Builder queues(List<String> v) {
            queues.clear();
            queues.addAll(v);
            return this;
        }

        /**
         * {@code task_default_queue}: consumed when no queue is named, and where unrouted tasks the worker sends go.
         *
         * @param v the queue; default {@code celery}
         * @return this
         */
        public Builder defaultQueue(String v) {
            defaultQueue = v;
            return this;
        }

        /**
         * A {@code task_routes} entry for the tasks the worker sends (callbacks, chain steps, chord bodies): tasks
         * whose name matches go to the queue. Unrouted tasks go to {@link #defaultQueue}, as in Celery.
         *
         * @param taskNameOrGlob a task name or a glob such as {@code py.*}
         * @param queue the queue
         * @return this
         */
        public Builder route(String taskNameOrGlob, String queue) {
            routes.put(Objects.requireNonNull(taskNameOrGlob, "taskNameOrGlob"), Objects.requireNonNull(queue, "queue"));
            return this;
        }

        /** @param v the pool size ({@code -c}); default the number of processors @return this */
        public Builder concurrency(int v) {
            concurrency = v;
            return this;
        }

        /** @param v {@code worker_prefetch_multiplier}; default 4 (0: no limit) @return this */
        public Builder prefetchMultiplier(int v) {
            prefetchMultiplier = v;
            return this;
        }

        /** @param v {@code task_acks_late}; default false @return this */
        public Builder acksLate(boolean v) {
            acksLate = v;
            return this;
        }

        /**
         * {@code task_reject_on_worker_lost}; default false. A JVM worker loses a task only when the process dies,
         * and then the broker redelivers every unacknowledged message either way: the setting is kept for Celery
         * parity and reported by {@code inspect conf}.
         *
         * @param v the setting
         * @return this
         */
        public Builder rejectOnWorkerLost(boolean v) {
            rejectOnWorkerLost = v;
            return this;
        }

        /** @param v {@code task_track_started}; default false @return this */
        public Builder trackStarted(boolean v) {
            trackStarted = v;
            return this;
        }

        /** @param v {@code task_ignore_result}; default false @return this */
        public Builder ignoreResult(boolean v) {
            ignoreResult = v;
            return this;
        }

        /** @param v {@code task_time_limit}; default none @return this */
        public Builder timeLimit(Duration v) {
            timeLimit = v;
            return this;
        }

        /** @param v {@code task_soft_time_limit}; default none @return this */
        public Builder softTimeLimit(Duration v) {
            softTimeLimit = v;
            return this;
        }

        /** @param v send task events ({@code -E}); worker events are always sent; default false @return this */
        public Builder sendEvents(boolean v) {
            sendEvents = v;
            return this;
        }

        /** @param v the heartbeat interval; default 2 s @return this */
        public Builder heartbeatInterval(Duration v) {
            heartbeatInterval = Objects.requireNonNull(v, "heartbeatInterval");
            return this;
        }

        /** @param v the node name ({@code -n}), with {@code %h}; default {@code celeriac@%h} @return this */
        public Builder nodename(String v) {
            nodename = Objects.requireNonNull(v, "nodename");
            return this;
        }

        /** @param v how long a warm shutdown waits for running tasks; default 30 s @return this */
        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = Objects.requireNonNull(v, "shutdownTimeout");
            return this;
        }

        /** @param v answer remote control (the pidbox); default true @return this */
        public Builder remoteControl(boolean v) {
            remoteControl = v;
            return this;
        }

        /** @param v the wall clock (ETAs, expiry); default UTC system clock @return this */
        public Builder clock(Clock v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /**
         * The environment read for {@code CELERY_BROKER_URL}, {@code CELERY_RESULT_BACKEND},
         * {@code CELERY_WORKER_REVOKES_MAX} and {@code CELERY_WORKER_REVOKE_EXPIRES}; default the process's.
         *
         * @param v the variables
         * @return this
         */
        public Builder environment(Map<String, String> v) {
            environment = Map.copyOf(v);
            return this;
        }

        /**
         * Validates the settings (every problem listed) and builds the worker; nothing is opened before
         * {@link Worker#start()}.
         *
         * @return the worker
         * @throws InvalidConfigurationException when a setting is wrong
         */
        public Worker build() {
            List<String> problems = new ArrayList<>();
            if (concurrency < 1 || concurrency > 10_000) {
                problems.add("concurrency must be from 1 to 10000, not " + concurrency);
            }
            if (prefetchMultiplier < 0) {
                problems.add("worker_prefetch_multiplier cannot be negative: " + prefetchMultiplier);
            }
            if (defaultQueue == null || defaultQueue.isBlank()) {
                problems.add("task_default_queue must be a queue name");
            }
            for (String q : queues) {
                if (q == null || q.isBlank()) {
                    problems.add("a queue name cannot be blank");
                }
            }
            if (timeLimit != null && (timeLimit.isNegative() || timeLimit.isZero())) {
                problems.add("task_time_limit must be positive, not " + timeLimit);
            }
            if (softTimeLimit != null && (softTimeLimit.isNegative() || softTimeLimit.isZero())) {
                problems.add("task_soft_time_limit must be positive, not " + softTimeLimit);
            }
            if (heartbeatInterval.toMillis() < 1) {
                problems.add("the heartbeat interval must be at least 1 ms, not " + heartbeatInterval);
            }
            if (shutdownTimeout.isNegative()) {
                problems.add("the shutdown timeout cannot be negative: " + shutdownTimeout);
            }
            if (nodename.isBlank()) {
                problems.add("the node name cannot be blank");
            }
            if (registry.size() == 0) {
                problems.add("no task is registered: register tasks with task(...) or tasks(registry)");
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("Worker settings", problems);
            }
            String node = expand(nodename, null);
            List<String> qs = queues.isEmpty() ? List.of(defaultQueue) : List.copyOf(queues);
            String brokerAt = brokerUrl != null ? brokerUrl
                    : environment.getOrDefault("CELERY_BROKER_URL", DEFAULT_BROKER_URL);
            String backendAt = noBackend ? null : backendUrl != null ? backendUrl
                    : environment.get("CELERY_RESULT_BACKEND");
            Engine.Settings s = new Engine.Settings(celeriac == null ? Celeriac.discover() : celeriac, brokerAt, broker,
                    brokerOptions, backendAt, backend, backendOptions, noBackend, stateDb, stateStoreOptions, registry,
                    qs, defaultQueue, Map.copyOf(routes), concurrency, prefetchMultiplier, acksLate, rejectOnWorkerLost, trackStarted, ignoreResult,
                    timeLimit, softTimeLimit, sendEvents, heartbeatInterval, node, shutdownTimeout, remoteControl,
                    clock, environment);
            return new Worker(new Engine(s));
        }
    }
}
