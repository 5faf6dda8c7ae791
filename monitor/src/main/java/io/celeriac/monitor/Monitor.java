package io.celeriac.monitor;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.monitor.internal.MonitorServer;
import io.celeriac.monitor.internal.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A Flower-class monitor of one Celery cluster, embeddable in a service: it follows the cluster's events from its
 * broker (Redis or RabbitMQ; workers need {@code -E}) and serves, on one port,
 * <ul>
 *   <li>a web UI: workers, tasks with filters and search, a page per task and per worker, the broker's queues,
 *       charts, all updated live by server-sent events;</li>
 *   <li>a JSON API in Flower's shape: {@code /api/workers}, {@code /api/tasks}, {@code /api/task/info/<id>},
 *       {@code /api/task/result/<id>}, {@code /api/queues/length}, {@code /api/task/send-task/<name>},
 *       {@code /api/task/revoke/<id>}, ...;</li>
 *   <li>{@code /metrics} in Prometheus' text format with celery-exporter's metric names and labels.</li>
 * </ul>
 * The task history is kept in a SQLite file (bounded by count and age) and read again at start.
 *
 * <pre>{@code
 * try (Monitor monitor = Monitor.builder().brokerUrl("redis://localhost:6379/0")
 *         .backendUrl("redis://localhost:6379/1").port(5555).basicAuth("admin", secret)
 *         .history(Path.of("monitor.db")).build().start()) {
 *     System.out.println("monitor on " + monitor.url());
 *     ...
 * }
 * }</pre>
 *
 * <p>Security: the monitor binds to 127.0.0.1 unless told otherwise. With basic auth and/or a bearer token set,
 * the UI, the API and the actions need credentials ({@code /metrics} too, unless {@link Builder#metricsOpen}); no
 * password appears in a log line or a page, and every value a worker sent is shown as text.
 *
 * <p>Thread-safe. {@link #close()} stops the server, the event stream and the pollers, and flushes the history.
 */
public final class Monitor implements AutoCloseable {

    /** Flower's port. */
    public static final int DEFAULT_PORT = 5555;
    /** The address bound unless told otherwise: loopback only. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1";

    private final MonitorServer server;

    private Monitor(Settings settings) {
        this.server = new MonitorServer(settings);
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the history, starts following events, the pollers and the HTTP server.
     *
     * @return this
     * @throws MonitorException when the port is taken or the history cannot be opened
     * @throws IllegalStateException when started twice or after {@link #close()}
     */
    public Monitor start() {
        server.start();
        return this;
    }

    /** @return the port the server listens on (the chosen one when built with port 0); -1 before start */
    public int port() {
        return server.port();
    }

    /** @return the base URL of the UI, e.g. {@code http://127.0.0.1:5555/} */
    public String url() {
        return server.url();
    }

    /** @return how many events were applied since the start */
    public long eventsReceived() {
        return server.core() == null ? 0 : server.core().eventsApplied();
    }

    /** Stops serving and following, flushes the history and releases everything. Closing twice does nothing. */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "Monitor[" + server + "]";
    }

    /**
     * Settings of a {@link Monitor}. Not thread-safe; {@link #build()} validates and lists every problem at once
     * ({@link InvalidConfigurationException}).
     */
    public static final class Builder {
        private Celeriac celeriac;
        private String brokerUrl;
        private String backendUrl;
        private BrokerOptions brokerOptions = BrokerOptions.defaults();
        private EventSourceOptions eventSourceOptions = EventSourceOptions.defaults();
        private String address = DEFAULT_ADDRESS;
        private int port = DEFAULT_PORT;
        private String user;
        private String password;
        private String token;
        private boolean metricsOpen;
        private boolean readOnly;
        private Path history;
        private int historyMaxTasks = 1_000_000;
        private Duration historyMaxAge = Duration.ofDays(7);
        private int maxTasksInMemory = 50_000;
        private int maxWorkersInMemory = 5_000;
        private final List<String> queues = new ArrayList<>(List.of("celery"));
        private Duration queuePollInterval = Duration.ofSeconds(5);
        private Duration inspectInterval = Duration.ofSeconds(30);
        private int httpThreads = 4;

        private Builder() {
        }

        /** @param v the registry that opens the broker, event source and backend (default: discovery) @return this */
        public Builder celeriac(Celeriac v) {
            celeriac = v;
            return this;
        }

        /** @param v the broker URL whose events to follow (required) @return this */
        public Builder brokerUrl(String v) {
            brokerUrl = v;
            return this;
        }

        /** @param v the result backend URL, for task results (optional) @return this */
        public Builder backendUrl(String v) {
            backendUrl = v;
            return this;
        }

        /** @param v options of the broker opened for queue depths and actions @return this */
        public Builder brokerOptions(BrokerOptions v) {
            brokerOptions = Objects.requireNonNull(v, "brokerOptions");
            return this;
        }

        /** @param v options of the event source (kombu transport options) @return this */
        public Builder eventSourceOptions(EventSourceOptions v) {
            eventSourceOptions = Objects.requireNonNull(v, "eventSourceOptions");
            return this;
        }

        /** @param v the address to bind, default {@value Monitor#DEFAULT_ADDRESS} @return this */
        public Builder address(String v) {
            address = v;
            return this;
        }

        /** @param v the port, default {@value Monitor#DEFAULT_PORT}; 0 picks a free one @return this */
        public Builder port(int v) {
            port = v;
            return this;
        }

        /**
         * Requires HTTP basic authentication.
         *
         * @param user the user name
         * @param password the password (never logged or shown)
         * @return this
         */
        public Builder basicAuth(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** @param v a bearer token that is accepted ({@code Authorization: Bearer <token>}) @return this */
        public Builder bearerToken(String v) {
            token = v;
            return this;
        }

        /** @param v whether {@code /metrics} is served without credentials (default {@code false}) @return this */
        public Builder metricsOpen(boolean v) {
            metricsOpen = v;
            return this;
        }

        /** @param v whether actions (revoke, rate limit, shutdown, send) are refused with 403 @return this */
        public Builder readOnly(boolean v) {
            readOnly = v;
            return this;
        }

        /**
         * Keeps the task history in a SQLite file, read again at start. Without it the history lives in memory
         * only and is lost on restart. A corrupt file is renamed aside (logged) and a new one is made.
         *
         * @param v the file, or {@code null} for memory only
         * @return this
         */
        public Builder history(Path v) {
            history = v;
            return this;
        }

        /** @param v the most tasks the history keeps, the oldest dropped first (default 1,000,000) @return this */
        public Builder historyMaxTasks(int v) {
            historyMaxTasks = v;
            return this;
        }

        /** @param v how long a task stays in the history after its last event (default 7 days) @return this */
        public Builder historyMaxAge(Duration v) {
            historyMaxAge = v;
            return this;
        }

        /** @param v the most tasks kept in memory by the event state (default 50,000) @return this */
        public Builder maxTasksInMemory(int v) {
            maxTasksInMemory = v;
            return this;
        }

        /** @param v the most workers kept in memory (default 5,000) @return this */
        public Builder maxWorkersInMemory(int v) {
            maxWorkersInMemory = v;
            return this;
        }

        /**
         * The queues whose depth is shown and exported from the start (default {@code celery}); queues seen in
         * task events and in the workers' {@code active_queues} are added as they appear. The first is the
         * default queue: where {@code send-task} sends, and the {@code queue_name} label of tasks whose queue no
         * event named (celery-exporter's {@code --default-queue-name}).
         *
         * @param v the queue names
         * @return this
         */
        public Builder queues(List<String> v) {
            queues.clear();
            queues.addAll(v);
            return this;
        }

        /** @param v how often queue depths are read from the broker (default 5 s) @return this */
        public Builder queuePollInterval(Duration v) {
            queuePollInterval = v;
            return this;
        }

        /** @param v how often workers are asked for stats, queues and tasks (default 30 s; zero: never) @return this */
        public Builder inspectInterval(Duration v) {
            inspectInterval = v;
            return this;
        }

        /** @param v the HTTP worker threads (default 4) @return this */
        public Builder httpThreads(int v) {
            httpThreads = v;
            return this;
        }

        /**
         * Validates and builds the monitor (nothing is opened until {@link Monitor#start()}).
         *
         * @return the monitor
         * @throws InvalidConfigurationException listing every invalid setting
         */
        public Monitor build() {
            List<String> problems = new ArrayList<>();
            if (brokerUrl == null || brokerUrl.isBlank()) {
                problems.add("a broker URL is required");
            }
            if (address == null || address.isBlank()) {
                problems.add("an address to bind is required");
            }
            if (port < 0 || port > 65535) {
                problems.add("port must be between 0 and 65535, not " + port);
            }
            if ((user == null) != (password == null) || (user != null && user.isEmpty())) {
                problems.add("basic auth needs both a user name and a password");
            }
            if (token != null && token.isBlank()) {
                problems.add("the bearer token must not be blank");
            }
            if (historyMaxTasks <= 0) {
                problems.add("historyMaxTasks must be positive, not " + historyMaxTasks);
            }
            if (historyMaxAge == null || historyMaxAge.isNegative() || historyMaxAge.isZero()) {
                problems.add("historyMaxAge must be positive");
            }
            if (maxTasksInMemory <= 0 || maxWorkersInMemory <= 0) {
                problems.add("the in-memory limits must be positive");
            }
            if (queuePollInterval == null || queuePollInterval.isNegative() || queuePollInterval.isZero()) {
                problems.add("queuePollInterval must be positive");
            }
            if (inspectInterval == null || inspectInterval.isNegative()) {
                problems.add("inspectInterval must not be negative");
            }
            if (httpThreads <= 0) {
                problems.add("httpThreads must be positive");
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("Invalid monitor settings", problems);
            }
            Settings s = new Settings(celeriac == null ? Celeriac.discover() : celeriac, brokerUrl, backendUrl,
                    brokerOptions, eventSourceOptions, address, port, user, password, token, metricsOpen, readOnly,
                    history, historyMaxTasks, historyMaxAge, maxTasksInMemory, maxWorkersInMemory,
                    List.copyOf(new LinkedHashSet<>(queues)), queuePollInterval, inspectInterval, httpThreads);
            return new Monitor(s);
        }
    }
}
