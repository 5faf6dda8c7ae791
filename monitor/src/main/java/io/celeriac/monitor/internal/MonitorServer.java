package io.celeriac.monitor.internal;

import com.sun.net.httpserver.HttpServer;
import io.celeriac.broker.Broker;
import io.celeriac.client.CeleryClient;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.monitor.MonitorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The monitor's lifecycle: opens the event state, the history, the broker, the client and the event source,
 * starts the HTTP server and the periodic jobs (history flush and pruning, queue depths, inspect, live updates),
 * and closes all of it in reverse order.
 */
public final class MonitorServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorServer.class);

    private final Settings settings;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private HttpServer http;
    private ExecutorService httpPool;
    private ScheduledThreadPoolExecutor jobs;
    private MonitorCore core;
    private EventSource source;
    private Broker broker;
    private CeleryClient client;
    private Routes routes;
    private boolean started;
    private boolean closed;

    /**
     * A server for these settings; nothing is opened until {@link #start()}.
     *
     * @param settings the settings
     */
    public MonitorServer(Settings settings) {
        this.settings = settings;
    }

    /**
     * Starts everything.
     *
     * @throws MonitorException when the port is taken or the history cannot be opened
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "the monitor is closed" : "the monitor was started already");
        }
        started = true;
        try {
            http = bind();
            EventState state = settings.celeriac().openEventState("memory://", EventStateOptions.builder()
                    .maxTasksInMemory(settings.maxTasksInMemory()).maxWorkersInMemory(settings.maxWorkersInMemory())
                    .build());
            opened.add(state);
            HistoryStore history = new HistoryStore(settings.history(), settings.historyMaxTasks(),
                    settings.historyMaxAge().toMillis() / 1000.0, Math.max(2, settings.httpThreads()));
            opened.add(history);
            core = new MonitorCore(state, history, settings.queues(), Clock.systemUTC());
            broker = settings.celeriac().openBroker(settings.brokerUrl(), settings.brokerOptions());
            opened.add(broker);
            CeleryClient.Builder cb = CeleryClient.builder().celeriac(settings.celeriac()).broker(broker)
                    .environment(java.util.Map.of())
                    .defaultQueue(settings.queues().isEmpty() ? "celery" : settings.queues().get(0));
            if (settings.backendUrl() != null && !settings.backendUrl().isBlank()) {
                cb.backendUrl(settings.backendUrl());
            } else {
                cb.withoutBackend();
            }
            client = cb.build();
            opened.add(client);
            source = settings.celeriac().openEventSource(settings.brokerUrl(), settings.eventSourceOptions());
            opened.add(source);
            routes = new Routes(settings, core, client, source);
            jobs = new ScheduledThreadPoolExecutor(3, daemon("celeriac-monitor-job"));
            jobs.setRemoveOnCancelPolicy(true);
            http.createContext("/", routes::handle);
            httpPool = new ThreadPoolExecutor(settings.httpThreads(), settings.httpThreads(), 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(1000), daemon("celeriac-monitor-http"));
            http.setExecutor(httpPool);
            source.start(core::onEvent);
            schedule(this::flush, 250);
            schedule(() -> core.history().prune(System.currentTimeMillis() / 1000.0), 30_000);
            schedule(() -> core.history().refreshCounts(), 5_000);
            schedule(() -> core.pollQueues(broker), settings.queuePollInterval().toMillis());
            if (!settings.inspectInterval().isZero()) {
                schedule(() -> core.inspect(client.control(), null, java.time.Duration.ofSeconds(1)),
                        settings.inspectInterval().toMillis());
            }
            schedule(routes::tick, 1000);
            http.start();
            LOG.info("celeriac monitor on {} following {}{}", url(), source.location(),
                    settings.authRequired() ? " (authentication required)" : "");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private HttpServer bind() {
        // small responses would otherwise wait for the client's delayed ACK (Nagle): ~40 ms each. The JDK server
        // reads this once per JVM, when its first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        try {
            return HttpServer.create(new InetSocketAddress(settings.address(), settings.port()), 64);
        } catch (BindException e) {
            throw new MonitorException("cannot listen on " + settings.address() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new MonitorException("cannot start the HTTP server on " + settings.address() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
    }

    private void flush() {
        core.flushHistory();
    }

    private void schedule(Runnable r, long periodMillis) {
        jobs.scheduleWithFixedDelay(() -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("monitor job failed: {}", e.toString());
            }
        }, Math.min(periodMillis, 1000), periodMillis, TimeUnit.MILLISECONDS);
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** @return the bound port, or -1 before start */
    public int port() {
        HttpServer h = http;
        return h == null ? -1 : h.getAddress().getPort();
    }

    /** @return the base URL */
    public String url() {
        String host = settings.address().contains(":") ? "[" + settings.address() + "]" : settings.address();
        return "http://" + host + ":" + port() + "/";
    }

    /** @return the core, or {@code null} before start */
    public MonitorCore core() {
        return core;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (routes != null) {
            routes.close();
        }
        if (http != null) {
            http.stop(0);
        }
        if (jobs != null) {
            jobs.shutdownNow();
            try {
                jobs.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (httpPool != null) {
            httpPool.shutdownNow();
        }
        if (source != null) {
            source.close();
        }
        if (core != null) {
            try {
                core.flushHistory();
            } catch (RuntimeException e) {
                LOG.warn("history not flushed at close: {}", e.toString());
            }
        }
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                LOG.debug("close", e);
            }
        }
        opened.clear();
    }

    @Override
    public String toString() {
        return settings + (http == null ? "" : " on " + url());
    }
}
