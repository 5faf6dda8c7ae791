package io.celeriac.monitor.internal;

import io.celeriac.events.Event;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus metrics, with celery-exporter's names, labels and buckets so that its Grafana dashboards and
 * alerts work unchanged: a counter per task event ({@code celery_task_sent_total} ... {@code _retried_total},
 * labels {@code name, hostname, queue_name}, plus {@code exception} on {@code _failed_total}), the runtime and
 * queue-wait histograms, and gauges of workers and queues read when scraped. {@code hostname} is the part of
 * the node name after {@code @}, as celery-exporter labels it.
 *
 * <p>{@link #onTaskEvent} runs on the event thread; scraping runs on HTTP threads. Thread-safe.
 */
final class CeleryMetrics {

    /** Prometheus' (and celery-exporter's) default buckets for the task runtime. */
    static final double[] RUNTIME_BUCKETS = {.005, .01, .025, .05, .075, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10};
    /** celery-exporter's buckets for the queue wait, spent on the 10 s to 30 min range. */
    static final double[] QUEUE_WAIT_BUCKETS = {.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};

    private static final Pattern EXCEPTION_CLASS = Pattern.compile("^(\\w+)\\(");
    private static final List<String> TYPES = List.of("task-sent", "task-received", "task-started",
            "task-succeeded", "task-failed", "task-rejected", "task-revoked", "task-retried");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Map<String, Counter> counters = new LinkedHashMap<>();
    private final Histogram runtime;
    private final Histogram queueWait;
    private final Counter eventsTotal;
    private final String defaultQueue;
    /** Label sets whose counters were made visible at zero (touched by the event thread only). */
    private final Set<String> initialised = new HashSet<>();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * The sources of the gauges, read at each scrape.
     *
     * @param workers the workers of the event state
     * @param queues the latest depth and consumer count of each queue ({@code [messages, consumers]})
     * @param queueWorkers per queue, the workers consuming it and their pool processes ({@code [workers,
     *                     processes]}), from {@code inspect}
     * @param historySize the tasks in the history
     */
    record Sources(Supplier<List<WorkerInfo>> workers, Supplier<Map<String, long[]>> queues,
                   Supplier<Map<String, long[]>> queueWorkers, Supplier<Long> historySize) {
    }

    CeleryMetrics(String defaultQueue, Sources sources) {
        this.defaultQueue = defaultQueue;
        help("task-sent", "Sent when a task message is published.");
        help("task-received", "Sent when the worker receives a task.");
        help("task-started", "Sent just before the worker executes the task.");
        help("task-succeeded", "Sent if the task executed successfully.");
        help("task-failed", "Sent if the execution of the task failed.");
        help("task-rejected", "The task was rejected by the worker, possibly to be re-queued or moved to a dead "
                + "letter queue.");
        help("task-revoked", "Sent if the task has been revoked.");
        help("task-retried", "Sent if the task failed, but will be retried in the future.");
        runtime = Histogram.builder().name("celery_task_runtime").help("Histogram of task runtime measurements.")
                .unit(null).labelNames("name", "hostname", "queue_name").classicOnly()
                .classicUpperBounds(RUNTIME_BUCKETS).withoutExemplars().register(registry);
        queueWait = Histogram.builder().name("celery_task_queue_wait_time")
                .help("Histogram of the time tasks spend waiting in the queue before being executed, excluding "
                        + "deliberate ETA/countdown delay.")
                .labelNames("name", "hostname", "queue_name").classicOnly().classicUpperBounds(QUEUE_WAIT_BUCKETS)
                .withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("celery_worker_up").help("Indicates if a worker has recently sent a heartbeat.")
                .labelNames("hostname").callback(cb -> byHost(sources.workers().get()).forEach((host, v) ->
                        cb.call(v[0] > 0 ? 1 : 0, host))).register(registry);
        GaugeWithCallback.builder().name("celery_worker_tasks_active")
                .help("The number of tasks the worker is currently processing").labelNames("hostname")
                .callback(cb -> byHost(sources.workers().get()).forEach((host, v) -> cb.call(v[1], host)))
                .register(registry);
        GaugeWithCallback.builder().name("celery_queue_length").help("The number of message in broker queue.")
                .labelNames("queue_name").callback(cb -> sources.queues().get().forEach((q, v) -> {
                    if (v[0] >= 0) {
                        cb.call(v[0], q);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("celery_active_consumer_count")
                .help("The number of active consumer in broker queue.").labelNames("queue_name")
                .callback(cb -> sources.queues().get().forEach((q, v) -> {
                    if (v[1] >= 0) {
                        cb.call(v[1], q);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("celery_active_worker_count")
                .help("The number of active workers in broker queue.").labelNames("queue_name")
                .callback(cb -> sources.queueWorkers().get().forEach((q, v) -> cb.call(v[0], q))).register(registry);
        GaugeWithCallback.builder().name("celery_active_process_count")
                .help("The number of active processes in broker queue.").labelNames("queue_name")
                .callback(cb -> sources.queueWorkers().get().forEach((q, v) -> cb.call(v[1], q))).register(registry);
        eventsTotal = Counter.builder().name("celeriac_monitor_events_total")
                .help("Events the monitor applied to its cluster state.").withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("celeriac_monitor_history_tasks")
                .help("Tasks kept in the monitor's history store.")
                .callback(cb -> cb.call(sources.historySize().get())).register(registry);
    }

    private void help(String type, String help) {
        String name = "celery_" + type.replace('-', '_');
        Counter.Builder b = Counter.builder().name(name).help(help).withoutExemplars();
        b = type.equals("task-failed") ? b.labelNames("name", "hostname", "exception", "queue_name")
                : b.labelNames("name", "hostname", "queue_name");
        counters.put(type, b.register(registry));
    }

    /** Counts every event the monitor applied. */
    void onEvent() {
        eventsTotal.inc();
    }

    /**
     * Counts one task event as celery-exporter does: the counter of its type, the other counters of the same
     * labels made visible at zero (except {@code task-sent}), the queue wait on {@code task-started} and the
     * runtime on {@code task-succeeded}.
     *
     * @param event the event
     * @param task the task after the event was applied
     */
    void onTaskEvent(Event event, TaskInfo task) {
        Counter c = counters.get(event.type());
        if (c == null) {
            return;
        }
        String name = task.name() == null ? "unknown" : task.name();
        String host = host(event.hostname());
        String queue = queueOf(task);
        String key = name + '\u0000' + host + '\u0000' + queue;
        if (!event.type().equals("task-sent") && initialised.add(key)) {
            for (Map.Entry<String, Counter> e : counters.entrySet()) {
                if (e.getKey().equals("task-sent")) {
                    continue;
                }
                if (e.getKey().equals("task-failed")) {
                    e.getValue().initLabelValues(name, host, "", queue);
                } else {
                    e.getValue().initLabelValues(name, host, queue);
                }
            }
        }
        if (event.type().equals("task-failed")) {
            c.labelValues(name, host, exceptionClass(task.exception()), queue).inc();
        } else {
            c.labelValues(name, host, queue).inc();
        }
        if (event.type().equals("task-started") && task.sent() != null && task.started() != null) {
            double baseline = task.sent();
            Double eta = etaSeconds(task.eta());
            if (eta != null) {
                baseline = Math.max(baseline, eta);
            }
            queueWait.labelValues(name, host, queue).observe(Math.max(0.0, task.started() - baseline));
        }
        if (event.type().equals("task-succeeded") && task.runtime() != null) {
            runtime.labelValues(name, host, queue).observe(task.runtime());
        }
    }

    String queueOf(TaskInfo task) {
        Object q = task.extra().get("queue");
        return q instanceof String s && !s.isEmpty() ? s : defaultQueue;
    }

    /** Writes every metric in Prometheus' text format. */
    void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** @return the content type of {@link #write} */
    String contentType() {
        return writer.getContentType();
    }

    /** celery-exporter's {@code get_hostname}: the part of a node name after the first {@code @}. */
    static String host(String nodename) {
        if (nodename == null) {
            return "unknown";
        }
        int at = nodename.indexOf('@');
        return at < 0 ? nodename : nodename.substring(at + 1);
    }

    /** celery-exporter's {@code get_exception_class_name}: {@code ValueError} of {@code ValueError('x')}. */
    static String exceptionClass(String exception) {
        if (exception == null) {
            return "UnknownException";
        }
        Matcher m = EXCEPTION_CLASS.matcher(exception);
        return m.find() ? m.group(1) : "UnknownException";
    }

    /** The ETA as epoch seconds; an ETA without an offset is read as UTC (Celery 5 sends aware ones). */
    static Double etaSeconds(String eta) {
        if (eta == null || eta.isEmpty()) {
            return null;
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(eta);
            return t.toEpochSecond() + t.getNano() / 1e9;
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime l = LocalDateTime.parse(eta);
                return l.toEpochSecond(ZoneOffset.UTC) + l.getNano() / 1e9;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** Per host (the part after {@code @}): {@code [any alive, active tasks]}. */
    private static Map<String, double[]> byHost(List<WorkerInfo> workers) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (WorkerInfo w : workers) {
            double[] v = m.computeIfAbsent(host(w.hostname()), k -> new double[2]);
            if (w.alive()) {
                v[0] = 1;
                v[1] += w.active() == null ? 0 : w.active();
            }
        }
        return m;
    }
}
