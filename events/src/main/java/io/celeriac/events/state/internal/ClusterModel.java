package io.celeriac.events.state.internal;

import io.celeriac.backend.TaskState;
import io.celeriac.events.Event;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.MalformedEventException;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * Celery's {@code celery.events.state.State} as a single-threaded model: the dispatcher
 * ({@code State._create_dispatcher}) and the memory limits, with the fixes listed in the README's
 * "Differences from Celery" (each marked {@code FIX}). It routes each event to the parts that keep the
 * state, one job each: {@link EventTypes} (what a type means), {@link WorkerMerge} and {@link TaskMerge}
 * (Celery's {@code Worker.event} and {@code Task.event}), {@link WorkerTable} and {@link TaskLru} (the
 * bounded workers and tasks), {@link Lineage} (parents and children), {@link TimeIndex} (the bounded task
 * heap), {@link TaskTypes}, {@link DriftWarnings} and {@link NodeNotifications}; {@link ClusterViews}
 * answers the reads.
 *
 * <p>Invariant: an event is applied completely or, when it is malformed, not at all (only the event
 * count changes); after each event every bound holds, and an evicted task is out of the task table, the
 * parked children and its parent's children: only the time index may still point at it, and the views skip
 * it there.
 *
 * <p>Not thread-safe: {@code MemoryEventState} guards it with a read-write lock. Methods that only read
 * ({@code *View*}, {@code byTime}, {@code snapshot}, the counters) may run concurrently with each other; the
 * cached views they fill in are immutable records, so racing readers at worst build the same view twice.
 */
public final class ClusterModel {

    /** Celery's {@code State.heap_multiplier}. */
    public static final int HEAP_MULTIPLIER = 4;

    private final boolean forgetOfflineWorkers;

    private final WorkerTable workers;
    private final TaskLru tasks;
    private final Lineage lineage;
    private final TimeIndex timeIndex;
    private final TaskTypes taskTypes = new TaskTypes();
    private final EventTypes eventTypes = new EventTypes();
    private final DriftWarnings drift = new DriftWarnings();
    private final NodeNotifications notifications = new NodeNotifications();
    private final ClusterViews views;
    private long eventCount;
    private long taskCount;

    private final TaskEvent taskEvent = new TaskEvent();
    private final WorkerMerge workerMerge = new WorkerMerge();

    /**
     * Creates an empty model.
     *
     * @param options the limits, clock and offline policy
     */
    public ClusterModel(EventStateOptions options) {
        this.forgetOfflineWorkers = options.forgetOfflineWorkers();
        this.workers = new WorkerTable(options.maxWorkersInMemory());
        this.tasks = new TaskLru(options.maxTasksInMemory());
        this.lineage = new Lineage(tasks);
        this.timeIndex = new TimeIndex(options.maxTasksInMemory() * HEAP_MULTIPLIER);
        this.views = new ClusterViews(workers, tasks, timeIndex, taskTypes, options.clock());
    }

    // ------------------------------------------------------------------------------------------
    // applying events

    /**
     * Applies one event (Celery's {@code State._event}).
     *
     * @param e the event
     * @throws MalformedEventException when a task event lacks a required field; nothing but the event
     *                                 count changed
     */
    public void apply(Event e) {
        eventCount++;
        String type = e.type();
        Map<String, Object> f = e.fields();
        switch (type) {
            case "task-sent":
                task(type, f, Subjects.SENT, null);
                return;
            case "task-received":
                task(type, f, Subjects.RECEIVED, null);
                return;
            case "task-started":
                task(type, f, Subjects.STARTED, null);
                return;
            case "task-succeeded":
                task(type, f, Subjects.SUCCEEDED, null);
                return;
            case "task-failed":
                task(type, f, Subjects.FAILED, null);
                return;
            case "task-retried":
                task(type, f, Subjects.RETRIED, null);
                return;
            case "task-revoked":
                task(type, f, Subjects.REVOKED, null);
                return;
            case "task-rejected":
                task(type, f, Subjects.REJECTED, null);
                return;
            case "worker-heartbeat":
                worker(f, Subjects.W_HEARTBEAT);
                return;
            case "worker-online":
                worker(f, Subjects.W_ONLINE);
                return;
            case "worker-offline":
                worker(f, Subjects.W_OFFLINE);
                return;
            default:
                break;
        }
        EventTypes.TypeInfo info = eventTypes.of(type);
        if (info.group() == EventTypes.GROUP_TASK) {
            if (info.subject().isEmpty()) {
                throw new MalformedEventException(type, List.of("a task event needs a subject after \"task-\""));
            }
            task(type, f, info.kind(), info.custom());
        } else if (info.group() == EventTypes.GROUP_WORKER) {
            worker(f, info.kind());
        }
        // other groups are only counted, as in Celery
    }

    private void worker(Map<String, Object> f, int kind) {
        Object hostO = f.get("hostname");
        Object tsO = f.get("timestamp");
        Object lrO = f.get("local_received");
        // Celery: itemgetter('hostname', 'timestamp', 'local_received') -> KeyError -> ignored
        if ((hostO == null && !f.containsKey("hostname")) || (tsO == null && !f.containsKey("timestamp"))
                || (lrO == null && !f.containsKey("local_received")) || !(hostO instanceof String hostname)) {
            return;
        }
        boolean offline = kind == Subjects.W_OFFLINE;
        WorkerNode w = workers.get(hostname);
        boolean created = false;
        if (w == null) {
            if (offline) {
                w = new WorkerNode(hostname); // transient: reported to leave listeners, not stored
            } else {
                w = workers.create(hostname);
                created = true;
            }
        }
        workerMerge.merge(w, f);
        if (offline) {
            w.clearHeartbeats();
        } else {
            double lr = Values.number(lrO);
            double ts = Values.number(tsO);
            drift.check(hostname, w.heartbeat(lr, ts), lr, ts);
        }
        if (created || kind == Subjects.W_ONLINE) {
            notifications.joined(w);
        }
        if (offline) {
            notifications.left(w);
            if (forgetOfflineWorkers) {
                workers.remove(w);
            }
        }
    }

    private void task(String type, Map<String, Object> f, int kind, EventTypes.CustomState custom) {
        TaskEvent ev = taskEvent;
        ev.parse(f);
        if (!(ev.uuid instanceof String uuid) || !(ev.hostname instanceof String hostname)
                || !(ev.timestamp instanceof Number tsN) || !(ev.localReceived instanceof Number lrN)
                || !ev.hasClock || (ev.clock != null && !(ev.clock instanceof Number))) {
            throw malformedTask(type, f);
        }
        double timestamp = tsN.doubleValue();
        double localReceived = lrN.doubleValue();
        long evClock = ev.clock == null ? 0 : ((Number) ev.clock).longValue();

        TaskState state;
        int precedence;
        if (kind == Subjects.CUSTOM) {
            state = custom.state();
            precedence = custom.precedence();
        } else {
            state = Subjects.STATE[kind];
            precedence = Subjects.PRECEDENCE[kind];
        }

        TaskNode t = tasks.get(uuid);
        if (t == null) {
            t = new TaskNode(uuid);
            TaskNode dropped = tasks.add(t);
            if (dropped != null) {
                forget(dropped);
            }
        }

        WorkerNode w = null;
        String origin;
        if (kind == Subjects.SENT) {
            t.client = hostname;
            origin = hostname;
        } else {
            w = workers.get(hostname);
            if (w == null) {
                w = workers.create(hostname);
                notifications.joined(w); // FIX: Celery never reports a worker first seen through a task event as joined
            }
            // FIX: Celery calls worker.event(None, local_received, timestamp), swapping the two, so the
            // sender's timestamp lands in the heartbeat list; the receive time belongs there.
            drift.check(hostname, w.heartbeat(localReceived, timestamp), localReceived, timestamp);
            origin = w.id();
        }

        timeIndex.add(evClock, timestamp, origin, t);

        if (kind == Subjects.RECEIVED) {
            taskCount++;
        }

        TaskMerge.merge(t, ev, kind, state, precedence, timestamp, evClock, w);
        taskTypes.record(t);
        lineage.update(t);
    }

    private static MalformedEventException malformedTask(String type, Map<String, Object> f) {
        List<String> problems = new ArrayList<>();
        requireType(f, "uuid", String.class, problems);
        requireType(f, "hostname", String.class, problems);
        requireType(f, "timestamp", Number.class, problems);
        requireType(f, "local_received", Number.class, problems);
        if (!f.containsKey("clock")) {
            problems.add("\"clock\" is missing");
        } else if (f.get("clock") != null && !(f.get("clock") instanceof Number)) {
            problems.add("\"clock\" is not a number");
        }
        return new MalformedEventException(type, problems);
    }

    private static void requireType(Map<String, Object> f, String key, Class<?> type, List<String> problems) {
        Object v = f.get(key);
        if (v == null) {
            problems.add("\"" + key + "\" is " + (f.containsKey(key) ? "null" : "missing"));
        } else if (!type.isInstance(v)) {
            problems.add("\"" + key + "\" is not a " + (type == String.class ? "string" : "number"));
        }
    }

    /** Drops an evicted task from every part but the time index, whose stale entry it leaves behind. */
    private void forget(TaskNode t) {
        lineage.forget(t);
        t.release();
    }

    /**
     * Whether events applied since the last {@link #drainNotifications} made workers join or leave.
     *
     * @return {@code true} when there is something to drain
     */
    public boolean hasNotifications() {
        return !notifications.isEmpty();
    }

    /**
     * Takes the node joins and leaves of the events applied since the last call, as views made now.
     *
     * @param joins receives joined workers
     * @param leaves receives workers that left
     * @return whether there were any
     */
    public boolean drainNotifications(List<WorkerInfo> joins, List<WorkerInfo> leaves) {
        if (notifications.isEmpty()) {
            return false;
        }
        return notifications.drain(now(), joins, leaves);
    }

    // ------------------------------------------------------------------------------------------
    // clearing

    /**
     * Celery's {@code _clear}: forgets workers and tasks (only finished ones with {@code ready}), restarts
     * the counters; task types are recomputed from the tasks kept.
     *
     * @param ready whether to keep unfinished tasks
     */
    public void clear(boolean ready) {
        workers.clear();
        clearTasks(ready);
        eventCount = 0;
        taskCount = 0;
        taskTypes.rebuild(tasks);
    }

    /**
     * Celery's {@code _clear_tasks}: forgets tasks (only finished ones with {@code ready}); the time index
     * is rebuilt from the tasks kept (Celery empties it).
     *
     * @param ready whether to keep unfinished tasks
     */
    public void clearTasks(boolean ready) {
        TaskNode t = tasks.oldest();
        while (t != null) {
            TaskNode next = t.newer;
            if (!ready || t.state.isReady()) {
                tasks.remove(t);
                forget(t);
            }
            t = next;
        }
        timeIndex.clear();
        for (TaskNode k = tasks.oldest(); k != null; k = k.newer) {
            timeIndex.add(k.clock, k.timestamp, k.origin(), k);
        }
    }

    /** Drops everything, for close. */
    public void release() {
        for (TaskNode t = tasks.oldest(); t != null; ) {
            TaskNode next = t.newer;
            t.release();
            t = next;
        }
        tasks.clear();
        workers.clear();
        lineage.clear();
        timeIndex.clear();
        taskTypes.clear();
        notifications.clear();
    }

    // ------------------------------------------------------------------------------------------
    // reads (see ClusterViews)

    /** @return the event count */
    public long eventCount() {
        return eventCount;
    }

    /** @return the task count */
    public long taskCount() {
        return taskCount;
    }

    /** @return the clock's now in epoch seconds */
    public double now() {
        return views.now();
    }

    /**
     * @param hostname a hostname
     * @return its view, or null
     */
    public WorkerInfo workerView(String hostname) {
        return views.workerView(hostname);
    }

    /**
     * @param aliveOnly whether to skip expired workers
     * @return worker views, oldest first
     */
    public List<WorkerInfo> workerViews(boolean aliveOnly) {
        return views.workerViews(aliveOnly);
    }

    /**
     * @param uuid a task id
     * @return its view, or null
     */
    public TaskInfo taskView(String uuid) {
        return views.taskView(uuid);
    }

    /** @return task views, oldest first */
    public List<TaskInfo> taskViews() {
        return views.taskViews();
    }

    /**
     * Walks the time index newest first, as Celery's {@code tasks_by_time} does: entries of evicted tasks
     * are skipped and each task is given once, at its newest entry.
     *
     * @param limit the most tasks to give (0 = all)
     * @param filter which tasks to give, or null for all
     * @return task views, newest first
     */
    public List<TaskInfo> byTime(int limit, Predicate<TaskNode> filter) {
        return views.byTime(limit, filter);
    }

    /**
     * @param name a task name
     * @return a filter for tasks of that name
     */
    public static Predicate<TaskNode> named(String name) {
        return ClusterViews.named(name);
    }

    /**
     * @param hostname a worker hostname
     * @return a filter for tasks of that worker
     */
    public static Predicate<TaskNode> onWorker(String hostname) {
        return ClusterViews.onWorker(hostname);
    }

    /** @return the task types, sorted */
    public SortedSet<String> taskTypes() {
        return taskTypes.sorted();
    }

    /** @return how many tasks are kept */
    public int taskSize() {
        return tasks.size();
    }

    /** @return how many entries the time index holds */
    public int timeIndexSize() {
        return timeIndex.size();
    }

    /** @return how many children wait for their parent */
    public int pendingChildrenSize() {
        return lineage.parkedSize();
    }

    /** @return a consistent snapshot of everything */
    public EventStateSnapshot snapshot() {
        return views.snapshot(eventCount, taskCount);
    }
}
