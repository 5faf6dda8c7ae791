package io.celeriac.monitor.internal;

import io.celeriac.broker.Broker;
import io.celeriac.broker.QueueNotFoundException;
import io.celeriac.broker.QueueStats;
import io.celeriac.client.control.Control;
import io.celeriac.client.control.Inspect;
import io.celeriac.client.control.Replies;
import io.celeriac.client.control.Target;
import io.celeriac.events.Event;
import io.celeriac.events.EventState;
import io.celeriac.events.MalformedEventException;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The monitor's model of the cluster: applies each event to the event state, counts it in the metrics, the
 * per-worker counters and the charts, and marks its task for the history and the live stream. Also polls the
 * broker's queue depths and the workers' {@code inspect} answers.
 *
 * <p>{@link #onEvent} runs on the event source's thread (or a benchmark's); everything else may run on any thread.
 */
public final class MonitorCore {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorCore.class);
    /** Changed tasks remembered for one live update; beyond it the update says {@code more}. */
    static final int LIVE_LIMIT = 200;
    /** Per-worker counters: received, started, succeeded, failed, retried, revoked. */
    private static final List<String> COUNTED = List.of("task-received", "task-started", "task-succeeded",
            "task-failed", "task-retried", "task-revoked");

    private final EventState state;
    private final HistoryStore history;
    private final CeleryMetrics metrics;
    private final Charts charts = new Charts();
    private final Clock clock;
    private final String defaultQueue;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final Set<String> historyDirty = ConcurrentHashMap.newKeySet();
    private final Set<String> liveDirty = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean liveOverflow = new AtomicBoolean();
    private final AtomicBoolean workersChanged = new AtomicBoolean(true);
    private final Map<String, AtomicLongArray> workerCounters = new ConcurrentHashMap<>();
    private final Set<String> queues = new ConcurrentSkipListSet<>();
    private volatile Map<String, long[]> queueStats = Map.of();
    private final Map<String, Map<String, Object>> inspected = new ConcurrentHashMap<>();
    private volatile Map<String, long[]> queueWorkers = Map.of();

    /**
     * A core over an event state and a history store.
     *
     * @param state the event state
     * @param history the history store
     * @param queues the queues watched from the start
     * @param clock the wall clock
     */
    MonitorCore(EventState state, HistoryStore history, List<String> queues, Clock clock) {
        this.state = state;
        this.history = history;
        this.clock = clock;
        this.defaultQueue = queues.isEmpty() ? "celery" : queues.get(0);
        this.queues.addAll(queues);
        this.metrics = new CeleryMetrics(defaultQueue, new CeleryMetrics.Sources(state::workers, () -> queueStats,
                () -> queueWorkers, history::size));
    }

    /**
     * Applies one event: the state, the metrics, the counters, the charts, the history and the live stream.
     * Malformed events are counted and dropped.
     *
     * @param e the event, with {@code local_received} set
     */
    public void onEvent(Event e) {
        try {
            state.event(e);
        } catch (MalformedEventException ex) {
            malformed.incrementAndGet();
            return;
        } finally {
            applied.incrementAndGet();
        }
        metrics.onEvent();
        String type = e.type();
        if (type.startsWith("task-")) {
            String uuid = e.uuid();
            TaskInfo t = uuid == null ? null : state.task(uuid).orElse(null);
            if (t == null) {
                return;
            }
            metrics.onTaskEvent(e, t);
            int i = COUNTED.indexOf(type);
            if (i >= 0 && e.hostname() != null) {
                workerCounters.computeIfAbsent(e.hostname(), k -> new AtomicLongArray(COUNTED.size())).incrementAndGet(i);
            }
            if (type.equals("task-succeeded") || type.equals("task-failed")) {
                charts.finished(type.equals("task-succeeded"), t.name(), t.runtime(), clock.millis());
            }
            if (type.equals("task-sent")) {
                Object q = t.extra().get("queue");
                if (q instanceof String s && !s.isEmpty()) {
                    queues.add(s);
                }
            }
            historyDirty.add(uuid);
            if (liveDirty.size() < LIVE_LIMIT) {
                liveDirty.add(uuid);
            } else if (!liveDirty.contains(uuid)) {
                liveOverflow.set(true);
            }
        } else if (type.startsWith("worker-")) {
            workersChanged.set(true);
        }
    }

    /** @return the events applied (malformed ones included) */
    public long eventsApplied() {
        return applied.get();
    }

    /** @return the malformed events dropped */
    long malformed() {
        return malformed.get();
    }

    EventState state() {
        return state;
    }

    HistoryStore history() {
        return history;
    }

    CeleryMetrics metrics() {
        return metrics;
    }

    Charts charts() {
        return charts;
    }

    Clock clock() {
        return clock;
    }

    /**
     * Writes the tasks changed since the last flush to the history.
     *
     * @return how many were written
     */
    public int flushHistory() {
        int written = 0;
        List<Map<String, Object>> batch = new ArrayList<>();
        Iterator<String> it = historyDirty.iterator();
        while (it.hasNext()) {
            String uuid = it.next();
            it.remove();
            state.task(uuid).ifPresent(t -> batch.add(TaskViews.flower(t)));
            if (batch.size() >= 2000) {
                history.write(batch);
                written += batch.size();
                batch.clear();
            }
        }
        history.write(batch);
        return written + batch.size();
    }

    /** @return the tasks in the history, counted now */
    public long storedTasks() {
        history.refreshCounts();
        return history.size();
    }

    /** @return tasks waiting to be written to the history */
    public int historyBacklog() {
        return historyDirty.size();
    }

    /** The changes since the previous call: the tasks' views, whether more changed, whether workers changed. */
    record Changes(List<Map<String, Object>> tasks, boolean more, boolean workers) {
    }

    Changes takeChanges() {
        List<Map<String, Object>> out = new ArrayList<>();
        Iterator<String> it = liveDirty.iterator();
        while (it.hasNext()) {
            String uuid = it.next();
            it.remove();
            state.task(uuid).ifPresent(t -> out.add(TaskViews.row(TaskViews.flower(t))));
        }
        return new Changes(out, liveOverflow.getAndSet(false), workersChanged.getAndSet(false));
    }

    /** One task's Flower view: from memory, else from the history. */
    Optional<Map<String, Object>> task(String uuid) {
        Optional<TaskInfo> t = state.task(uuid);
        if (t.isPresent()) {
            return Optional.of(TaskViews.flower(t.get()));
        }
        return history.get(uuid);
    }

    /** Every worker as the UI shows it, with the monitor's counters. */
    List<Map<String, Object>> workers() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (WorkerInfo w : state.workers()) {
            out.add(TaskViews.worker(w, counters(w.hostname())));
        }
        return out;
    }

    long[] counters(String hostname) {
        AtomicLongArray a = workerCounters.get(hostname);
        if (a == null) {
            return null;
        }
        long[] v = new long[a.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i);
        }
        return v;
    }

    /** @return the queues watched, sorted */
    Set<String> queues() {
        return queues;
    }

    /** @return per queue: {@code [messages (-1 unknown), consumers (-1 unknown)]} */
    Map<String, long[]> queueStats() {
        return queueStats;
    }

    /** @return what the workers answered to {@code inspect}, per node */
    Map<String, Map<String, Object>> inspected() {
        return inspected;
    }

    /** Reads every watched queue's depth from the broker. */
    void pollQueues(Broker broker) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String q : queues) {
            try {
                QueueStats s = broker.queueStats(q);
                m.put(q, new long[] {s.messages(), s.consumers()});
            } catch (QueueNotFoundException e) {
                m.put(q, new long[] {0, -1});
            } catch (RuntimeException e) {
                LOG.debug("queue {}: {}", q, e.getMessage());
                m.put(q, new long[] {-1, -1});
            }
        }
        queueStats = m;
        charts.sampleQueues(m, clock.millis());
    }

    /**
     * Asks the workers for their stats, registered tasks and queues (and, for a refresh of some nodes, their
     * active, reserved, scheduled and revoked tasks and configuration).
     *
     * @param control the client's remote control
     * @param nodes the nodes to ask, or {@code null} for every node
     * @param timeout how long to wait for replies
     */
    void inspect(Control control, List<String> nodes, Duration timeout) {
        Target target = nodes == null ? new Target(null, null, null, timeout, 0, true)
                : new Target(nodes, null, null, timeout, nodes.size(), true);
        Inspect in = control.inspect(target);
        double now = clock.millis() / 1000.0;
        Map<String, Map<String, Object>> stats = in.stats().maps();
        Replies registered = in.registered();
        Replies activeQueues = in.request("active_queues", Map.of());
        Map<String, Map<String, Object>> fresh = new LinkedHashMap<>();
        stats.forEach((n, v) -> node(fresh, n).put("stats", v));
        registered.lists().forEach((n, v) -> node(fresh, n).put("registered", v));
        activeQueues.lists().forEach((n, v) -> node(fresh, n).put("active_queues", v));
        if (nodes != null) {
            in.active().lists().forEach((n, v) -> node(fresh, n).put("active", v));
            in.reserved().lists().forEach((n, v) -> node(fresh, n).put("reserved", v));
            in.scheduled().lists().forEach((n, v) -> node(fresh, n).put("scheduled", v));
            in.revoked().lists().forEach((n, v) -> node(fresh, n).put("revoked", v));
            in.conf().maps().forEach((n, v) -> node(fresh, n).put("conf", v));
        }
        fresh.forEach((n, v) -> {
            v.put("timestamp", now);
            inspected.merge(n, v, (old, neu) -> {
                Map<String, Object> m = new LinkedHashMap<>(old);
                m.putAll(neu);
                return m;
            });
        });
        if (nodes == null) {
            Map<String, long[]> perQueue = new LinkedHashMap<>();
            inspected.forEach((n, info) -> {
                if (info.get("active_queues") instanceof List<?> l) {
                    long processes = processes(info.get("stats"));
                    for (Object o : l) {
                        if (o instanceof Map<?, ?> q && q.get("name") instanceof String name) {
                            queues.add(name);
                            long[] v = perQueue.computeIfAbsent(name, k -> new long[2]);
                            v[0]++;
                            v[1] += processes;
                        }
                    }
                }
            });
            queueWorkers = perQueue;
        }
    }

    private static Map<String, Object> node(Map<String, Map<String, Object>> m, String n) {
        return m.computeIfAbsent(n, k -> new LinkedHashMap<>());
    }

    private static long processes(Object stats) {
        if (stats instanceof Map<?, ?> s && s.get("pool") instanceof Map<?, ?> pool) {
            if (pool.get("processes") instanceof List<?> p) {
                return p.size();
            }
            if (pool.get("max-concurrency") instanceof Number n) {
                return n.longValue();
            }
        }
        return 0;
    }
}
