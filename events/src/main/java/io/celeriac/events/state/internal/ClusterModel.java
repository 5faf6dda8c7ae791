package io.celeriac.events.state.internal;

import io.celeriac.backend.TaskState;
import io.celeriac.events.Event;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.MalformedEventException;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Celery's {@code celery.events.state.State} as a single-threaded model: the dispatcher
 * ({@code State._create_dispatcher}), {@code Worker.event} and {@code Task.event}, the bounded task heap,
 * parent/child linking and the memory limits, with the fixes listed in the README's "Differences from
 * Celery" (each marked {@code FIX} below).
 *
 * <p>Not thread-safe: {@code MemoryEventState} guards it with a read-write lock. Methods that only read
 * ({@code *View*}, {@code byTime}, {@code snapshot}, the counters) may run concurrently with each other; the
 * cached views they fill in are immutable records, so racing readers at worst build the same view twice.
 */
public final class ClusterModel {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterModel.class);

    /** Celery's {@code HEARTBEAT_DRIFT_MAX}. */
    static final long HEARTBEAT_DRIFT_MAX = 16;
    /** Celery's {@code State.heap_multiplier}. */
    public static final int HEAP_MULTIPLIER = 4;
    private static final int MAX_CACHED_TYPES = 1024;
    private static final int MAX_DRIFT_WARNINGS = 1000;

    private final int maxWorkers;
    private final int maxTasks;
    private final boolean forgetOfflineWorkers;
    private final Clock clock;

    private final HashMap<String, TaskNode> tasks;
    private TaskNode oldest;
    private TaskNode newest;
    private final LinkedHashMap<String, WorkerNode> workers = new LinkedHashMap<>();
    private final TimeIndex timeIndex;
    /** Celery's {@code _tasks_to_resolve}: children seen before their parent, by parent id. */
    private final HashMap<String, ArrayList<TaskNode>> pendingChildren = new HashMap<>();
    private final HashSet<String> taskTypes = new HashSet<>();
    private final HashMap<String, TypeInfo> typeCache = new HashMap<>();
    private String lastType;
    private TypeInfo lastTypeInfo;
    private final HashSet<String> driftWarned = new HashSet<>();
    private long eventCount;
    private long taskCount;

    private final TaskEvent taskEvent = new TaskEvent();
    private final WorkerFields workerFields = new WorkerFields();

    /** Node notifications of the event being applied: worker, and whether it joined (else left). */
    private final ArrayList<WorkerNode> notifyNodes = new ArrayList<>(2);
    private final ArrayList<Boolean> notifyJoin = new ArrayList<>(2);

    /**
     * Creates an empty model.
     *
     * @param options the limits, clock and offline policy
     */
    public ClusterModel(EventStateOptions options) {
        this.maxWorkers = options.maxWorkersInMemory();
        this.maxTasks = options.maxTasksInMemory();
        this.forgetOfflineWorkers = options.forgetOfflineWorkers();
        this.clock = options.clock();
        this.tasks = new HashMap<>((int) Math.min(maxTasks + 1L, 1 << 17) * 4 / 3 + 1);
        this.timeIndex = new TimeIndex(maxTasks * HEAP_MULTIPLIER);
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
        TypeInfo info = typeInfo(type);
        if (info.group == GROUP_TASK) {
            if (info.subject.isEmpty()) {
                throw new MalformedEventException(type, List.of("a task event needs a subject after \"task-\""));
            }
            task(type, f, info.kind, info.custom);
        } else if (info.group == GROUP_WORKER) {
            worker(f, info.kind);
        }
        // other groups are only counted, as in Celery
    }

    private static final int GROUP_OTHER = 0;
    private static final int GROUP_TASK = 1;
    private static final int GROUP_WORKER = 2;

    /**
     * What an event type means, parsed once per distinct type: Celery's {@code type.partition('-')} into
     * group and subject, the subject's kind and, for a custom task subject, its state.
     */
    private record TypeInfo(int group, String subject, int kind, CustomState custom) {
    }

    private TypeInfo typeInfo(String type) {
        if (type.equals(lastType)) { // custom events come in runs (task-progress ...)
            return lastTypeInfo;
        }
        TypeInfo info = typeCache.get(type);
        if (info == null) {
            int dash = type.indexOf('-');
            String group = dash < 0 ? type : type.substring(0, dash);
            String subject = dash < 0 ? "" : type.substring(dash + 1);
            if ("task".equals(group)) {
                int kind = Subjects.taskKind(subject);
                CustomState custom = null;
                if (kind == Subjects.CUSTOM && !subject.isEmpty()) {
                    TaskState st = Subjects.customState(subject);
                    custom = new CustomState(st, st.precedence());
                }
                info = new TypeInfo(GROUP_TASK, subject, kind, custom);
            } else if ("worker".equals(group)) {
                info = new TypeInfo(GROUP_WORKER, subject, "offline".equals(subject) ? Subjects.W_OFFLINE
                        : "online".equals(subject) ? Subjects.W_ONLINE : Subjects.W_OTHER, null);
            } else {
                info = new TypeInfo(GROUP_OTHER, subject, 0, null);
            }
            if (typeCache.size() < MAX_CACHED_TYPES) {
                typeCache.put(type, info);
            }
        }
        lastType = type;
        lastTypeInfo = info;
        return info;
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
                w = createWorker(hostname);
                created = true;
            }
        }
        workerFields.w = w;
        f.forEach(workerFields);
        workerFields.w = null;
        w.view = null;
        if (offline) {
            w.clearHeartbeats();
        } else {
            double lr = Values.number(lrO);
            double ts = Values.number(tsO);
            long drift = w.heartbeat(lr, ts);
            if (drift > HEARTBEAT_DRIFT_MAX) {
                warnDrift(hostname, drift, lr, ts);
            }
        }
        if (created || kind == Subjects.W_ONLINE) {
            notify(w, true);
        }
        if (offline) {
            notify(w, false);
            if (forgetOfflineWorkers) {
                workers.remove(hostname, w);
            }
        }
    }

    private WorkerNode createWorker(String hostname) {
        WorkerNode w = new WorkerNode(hostname);
        workers.put(hostname, w);
        if (workers.size() > maxWorkers) {
            Iterator<WorkerNode> it = workers.values().iterator();
            it.next();
            it.remove();
        }
        return w;
    }

    private void task(String type, Map<String, Object> f, int kind, CustomState custom) {
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
            insertTask(t);
        }

        WorkerNode w = null;
        String origin;
        if (kind == Subjects.SENT) {
            t.client = hostname;
            origin = hostname;
        } else {
            w = workers.get(hostname);
            if (w == null) {
                w = createWorker(hostname);
                notify(w, true); // FIX: Celery never reports a worker first seen through a task event as joined
            }
            // FIX: Celery calls worker.event(None, local_received, timestamp), swapping the two, so the
            // sender's timestamp lands in the heartbeat list; the receive time belongs there.
            long drift = w.heartbeat(localReceived, timestamp);
            if (drift > HEARTBEAT_DRIFT_MAX) {
                warnDrift(hostname, drift, localReceived, timestamp);
            }
            origin = w.id();
        }

        timeIndex.add(evClock, timestamp, origin, t);

        if (kind == Subjects.RECEIVED) {
            taskCount++;
        }

        // Task.event: is this event logically older than the task's state?
        boolean late;
        if (state == TaskState.RETRY || state == TaskState.REJECTED) {
            // Celery: a RETRY event is never late. FIX: unless the task is finished (a late RETRY moved a
            // SUCCESS task back). FIX: REJECTED ends an attempt like RETRY; Celery ranks it below RECEIVED
            // and STARTED, so task-rejected, always sent after them, never changed the state.
            late = t.state.isReady();
        } else if (t.state == TaskState.RETRY) {
            late = false;
        } else {
            late = precedence > t.precedence;
        }

        if (kind != Subjects.CUSTOM) {
            setSubjectTime(t, kind, timestamp, late);
        }
        applyFields(t, ev, late, late && kind == Subjects.RECEIVED);
        if (!late) {
            t.state = state;
            t.precedence = precedence;
            t.timestamp = timestamp;
            t.clock = evClock;
        }
        if (w != null && (!late || t.worker == null)) {
            t.worker = w; // FIX: a late event does not move the task to an older worker
        }
        t.view = null;

        String name = t.name;
        if (name != null && !name.equals(t.recordedType)) {
            taskTypes.add(name);
            t.recordedType = name;
        }

        String parentId = t.parentId;
        if (parentId != null && !parentId.isEmpty()) {
            TaskNode parent = tasks.get(parentId);
            if (parent == null) {
                park(t, parentId);
            } else {
                touch(parent); // Celery looks the parent up through the LRU getter, refreshing it
                if (t.linkedParent != parent) {
                    parent.addChild(t);
                    t.linkedParent = parent;
                    parent.view = null;
                }
            }
        }
        if (!pendingChildren.isEmpty()) {
            ArrayList<TaskNode> parked = pendingChildren.remove(uuid);
            if (parked != null) {
                for (TaskNode c : parked) {
                    c.pendingParent = null;
                    t.addChild(c);
                    c.linkedParent = t;
                }
            }
        }
    }

    private static void setSubjectTime(TaskNode t, int kind, double ts, boolean late) {
        // FIX: a late event only fills the time of its subject when it is not known yet
        switch (kind) {
            case Subjects.SENT:
                if (!late || Double.isNaN(t.sent)) {
                    t.sent = ts;
                }
                break;
            case Subjects.RECEIVED:
                if (!late || Double.isNaN(t.received)) {
                    t.received = ts;
                }
                break;
            case Subjects.STARTED:
                if (!late || Double.isNaN(t.started)) {
                    t.started = ts;
                }
                break;
            case Subjects.SUCCEEDED:
                if (!late || Double.isNaN(t.succeeded)) {
                    t.succeeded = ts;
                }
                break;
            case Subjects.FAILED:
                if (!late || Double.isNaN(t.failed)) {
                    t.failed = ts;
                }
                break;
            case Subjects.RETRIED:
                if (!late || Double.isNaN(t.retried)) {
                    t.retried = ts;
                }
                break;
            case Subjects.REVOKED:
                if (!late || Double.isNaN(t.revoked)) {
                    t.revoked = ts;
                }
                break;
            case Subjects.REJECTED:
                if (!late || Double.isNaN(t.rejected)) {
                    t.rejected = ts;
                }
                break;
            default:
                break;
        }
    }

    /** A custom subject's state and precedence, computed once. */
    private record CustomState(TaskState state, int precedence) {
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

    private void warnDrift(String hostname, long drift, double localReceived, double timestamp) {
        if (driftWarned.size() >= MAX_DRIFT_WARNINGS) {
            driftWarned.clear();
        }
        if (driftWarned.add(hostname)) {
            LOG.warn("Substantial drift from {} may mean clocks are out of sync.  Current drift is {} seconds."
                            + "  [orig: {} recv: {}]", hostname, drift,
                    Instant.ofEpochMilli((long) (timestamp * 1000)), Instant.ofEpochMilli((long) (localReceived * 1000)));
        }
    }

    private void notify(WorkerNode w, boolean join) {
        notifyNodes.add(w);
        notifyJoin.add(join);
    }

    /**
     * Whether events applied since the last {@link #drainNotifications} made workers join or leave.
     *
     * @return {@code true} when there is something to drain
     */
    public boolean hasNotifications() {
        return !notifyNodes.isEmpty();
    }

    /**
     * Takes the node joins and leaves of the events applied since the last call, as views made now.
     *
     * @param joins receives joined workers
     * @param leaves receives workers that left
     * @return whether there were any
     */
    public boolean drainNotifications(List<WorkerInfo> joins, List<WorkerInfo> leaves) {
        if (notifyNodes.isEmpty()) {
            return false;
        }
        double now = now();
        for (int i = 0; i < notifyNodes.size(); i++) {
            WorkerInfo v = notifyNodes.get(i).view(now);
            (notifyJoin.get(i) ? joins : leaves).add(v);
        }
        notifyNodes.clear();
        notifyJoin.clear();
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // memory order, eviction, parents

    private void insertTask(TaskNode t) {
        tasks.put(t.uuid, t);
        link(t);
        if (tasks.size() > maxTasks) {
            evict(oldest);
        }
    }

    private void link(TaskNode t) {
        t.older = newest;
        t.newer = null;
        if (newest != null) {
            newest.newer = t;
        } else {
            oldest = t;
        }
        newest = t;
    }

    private void unlink(TaskNode t) {
        if (t.older != null) {
            t.older.newer = t.newer;
        } else {
            oldest = t.newer;
        }
        if (t.newer != null) {
            t.newer.older = t.older;
        } else {
            newest = t.older;
        }
        t.older = null;
        t.newer = null;
    }

    /** Moves a task to the fresh end of the memory order (Celery's LRU getter). */
    private void touch(TaskNode t) {
        if (newest != t) {
            unlink(t);
            link(t);
        }
    }

    private void evict(TaskNode t) {
        tasks.remove(t.uuid);
        unlink(t);
        TaskNode parent = t.linkedParent;
        if (parent != null && !parent.evicted) {
            parent.removeChild(t);
            parent.view = null;
        }
        unpark(t);
        t.release();
    }

    private void park(TaskNode child, String parentId) {
        if (parentId.equals(child.pendingParent)) {
            return;
        }
        unpark(child);
        pendingChildren.computeIfAbsent(parentId, k -> new ArrayList<>(2)).add(child);
        child.pendingParent = parentId;
    }

    private void unpark(TaskNode child) {
        String p = child.pendingParent;
        if (p != null) {
            ArrayList<TaskNode> list = pendingChildren.get(p);
            if (list != null) {
                list.remove(child);
                if (list.isEmpty()) {
                    pendingChildren.remove(p);
                }
            }
            child.pendingParent = null;
        }
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
        taskTypes.clear();
        for (TaskNode t = oldest; t != null; t = t.newer) {
            if (t.name != null) {
                taskTypes.add(t.name);
            }
            t.recordedType = t.name;
        }
    }

    /**
     * Celery's {@code _clear_tasks}: forgets tasks (only finished ones with {@code ready}); the time index
     * is rebuilt from the tasks kept (Celery empties it).
     *
     * @param ready whether to keep unfinished tasks
     */
    public void clearTasks(boolean ready) {
        TaskNode t = oldest;
        while (t != null) {
            TaskNode next = t.newer;
            if (!ready || t.state.isReady()) {
                evict(t);
            }
            t = next;
        }
        timeIndex.clear();
        for (TaskNode k = oldest; k != null; k = k.newer) {
            timeIndex.add(k.clock, k.timestamp, k.origin(), k);
        }
    }

    /** Drops everything, for close. */
    public void release() {
        for (TaskNode t = oldest; t != null; ) {
            TaskNode next = t.newer;
            t.release();
            t = next;
        }
        tasks.clear();
        oldest = null;
        newest = null;
        workers.clear();
        pendingChildren.clear();
        timeIndex.clear();
        taskTypes.clear();
        notifyNodes.clear();
        notifyJoin.clear();
    }

    // ------------------------------------------------------------------------------------------
    // reads

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
        Instant i = clock.instant();
        return i.getEpochSecond() + i.getNano() / 1e9;
    }

    /**
     * @param hostname a hostname
     * @return its view, or null
     */
    public WorkerInfo workerView(String hostname) {
        WorkerNode w = workers.get(hostname);
        return w == null ? null : w.view(now());
    }

    /**
     * @param aliveOnly whether to skip expired workers
     * @return worker views, oldest first
     */
    public List<WorkerInfo> workerViews(boolean aliveOnly) {
        double now = now();
        List<WorkerInfo> out = new ArrayList<>(workers.size());
        for (WorkerNode w : workers.values()) {
            WorkerInfo v = w.view(now);
            if (!aliveOnly || v.alive()) {
                out.add(v);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * @param uuid a task id
     * @return its view, or null
     */
    public TaskInfo taskView(String uuid) {
        TaskNode t = tasks.get(uuid);
        return t == null ? null : t.view();
    }

    /** @return task views, oldest first */
    public List<TaskInfo> taskViews() {
        List<TaskInfo> out = new ArrayList<>(tasks.size());
        for (TaskNode t = oldest; t != null; t = t.newer) {
            out.add(t.view());
        }
        return Collections.unmodifiableList(out);
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
        List<TaskInfo> out = new ArrayList<>();
        Set<TaskNode> seen = new HashSet<>();
        timeIndex.forEachNewestFirst(t -> {
            if (!t.evicted && seen.add(t) && (filter == null || filter.test(t))) {
                out.add(t.view());
            }
            return limit == 0 || out.size() < limit;
        });
        return Collections.unmodifiableList(out);
    }

    /**
     * @param name a task name
     * @return a filter for tasks of that name
     */
    public static Predicate<TaskNode> named(String name) {
        return t -> name.equals(t.name);
    }

    /**
     * @param hostname a worker hostname
     * @return a filter for tasks of that worker
     */
    public static Predicate<TaskNode> onWorker(String hostname) {
        return t -> t.worker != null && hostname.equals(t.worker.hostname);
    }

    /** @return the task types, sorted */
    public SortedSet<String> taskTypes() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(taskTypes));
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
        int n = 0;
        for (ArrayList<TaskNode> l : pendingChildren.values()) {
            n += l.size();
        }
        return n;
    }

    /** @return a consistent snapshot of everything */
    public EventStateSnapshot snapshot() {
        Instant at = clock.instant();
        double now = at.getEpochSecond() + at.getNano() / 1e9;
        Map<String, WorkerInfo> ws = new LinkedHashMap<>();
        for (WorkerNode w : workers.values()) {
            ws.put(w.hostname, w.view(now));
        }
        Map<String, TaskInfo> ts = new LinkedHashMap<>();
        for (TaskNode t = oldest; t != null; t = t.newer) {
            ts.put(t.uuid, t.view());
        }
        List<TaskInfo> byTime = byTime(0, null);
        List<String> ids = new ArrayList<>(byTime.size());
        for (TaskInfo t : byTime) {
            ids.add(t.uuid());
        }
        return new EventStateSnapshot(at, eventCount, taskCount, ws, ts, ids, new TreeSet<>(taskTypes));
    }

    // ------------------------------------------------------------------------------------------
    // field copying

    /**
     * Copies an event's fields onto a task: every field for an in-order event; for a late one only the
     * fields the task does not have yet (FIX: Celery overwrites them), and for a late {@code task-received}
     * only Celery's merge fields.
     */
    private static void applyFields(TaskNode t, TaskEvent ev, boolean late, boolean mergeOnly) {
        int m = mergeOnly ? ev.mask & TaskEvent.MERGE_MASK : ev.mask;
        Object[] vals = ev.values;
        while (m != 0) {
            int field = Integer.numberOfTrailingZeros(m);
            m &= m - 1;
            Object v = vals[field];
            switch (field) {
                case TaskEvent.NAME:
                    if (take(late, t.name, v)) {
                        t.name = Values.text(v);
                    }
                    break;
                case TaskEvent.ARGS:
                    if (take(late, t.args, v)) {
                        t.args = Values.text(v);
                    }
                    break;
                case TaskEvent.KWARGS:
                    if (take(late, t.kwargs, v)) {
                        t.kwargs = Values.text(v);
                    }
                    break;
                case TaskEvent.PARENT_ID:
                    if (take(late, t.parentId, v)) {
                        t.parentId = Values.text(v);
                    }
                    break;
                case TaskEvent.ROOT_ID:
                    if (take(late, t.rootId, v)) {
                        t.rootId = Values.text(v);
                    }
                    break;
                case TaskEvent.RETRIES:
                    if (Values.numeric(v) && take(late, t.retries, v)) {
                        t.retries = Values.integer(v);
                    }
                    break;
                case TaskEvent.ETA:
                    if (take(late, t.eta, v)) {
                        t.eta = Values.text(v);
                    }
                    break;
                case TaskEvent.EXPIRES:
                    if (take(late, t.expires, v)) {
                        t.expires = Values.text(v);
                    }
                    break;
                case TaskEvent.RESULT:
                    if (take(late, t.result, v)) {
                        t.result = Values.text(v);
                    }
                    break;
                case TaskEvent.EXCEPTION:
                    if (take(late, t.exception, v)) {
                        t.exception = Values.text(v);
                    }
                    break;
                case TaskEvent.TRACEBACK:
                    if (take(late, t.traceback, v)) {
                        t.traceback = Values.text(v);
                    }
                    break;
                case TaskEvent.EXCHANGE:
                    if (take(late, t.exchange, v)) {
                        t.exchange = Values.text(v);
                    }
                    break;
                case TaskEvent.ROUTING_KEY:
                    if (take(late, t.routingKey, v)) {
                        t.routingKey = Values.text(v);
                    }
                    break;
                case TaskEvent.RUNTIME:
                    if (takeTime(late, t.runtime, v)) {
                        t.runtime = Values.number(v);
                    }
                    break;
                case TaskEvent.RECEIVED:
                    if (takeTime(late, t.received, v)) {
                        t.received = Values.number(v);
                    }
                    break;
                case TaskEvent.SENT:
                    if (takeTime(late, t.sent, v)) {
                        t.sent = Values.number(v);
                    }
                    break;
                case TaskEvent.STARTED:
                    if (takeTime(late, t.started, v)) {
                        t.started = Values.number(v);
                    }
                    break;
                case TaskEvent.SUCCEEDED:
                    if (takeTime(late, t.succeeded, v)) {
                        t.succeeded = Values.number(v);
                    }
                    break;
                case TaskEvent.FAILED:
                    if (takeTime(late, t.failed, v)) {
                        t.failed = Values.number(v);
                    }
                    break;
                case TaskEvent.RETRIED:
                    if (takeTime(late, t.retried, v)) {
                        t.retried = Values.number(v);
                    }
                    break;
                case TaskEvent.REVOKED:
                    if (takeTime(late, t.revoked, v)) {
                        t.revoked = Values.number(v);
                    }
                    break;
                case TaskEvent.REJECTED:
                    if (takeTime(late, t.rejected, v)) {
                        t.rejected = Values.number(v);
                    }
                    break;
                default:
                    break;
            }
        }
        if (mergeOnly) {
            return;
        }
        for (int i = 0; i < ev.extraCount; i++) {
            String k = ev.extraKeys[i];
            Object v = ev.extraValues[i];
            SmallMap x = t.extra;
            if (x == null) {
                if (late && v == null) {
                    continue;
                }
                x = new SmallMap();
                t.extra = x;
            }
            if (!late) {
                x.put(k, v);
            } else if (v != null && x.get(k) == null) {
                x.put(k, v);
            }
        }
    }

    private static boolean take(boolean late, Object current, Object v) {
        return !late || (current == null && v != null);
    }

    private static boolean takeTime(boolean late, double current, Object v) {
        return Values.numeric(v) && (!late || (Double.isNaN(current) && v != null));
    }

    /** Copies a worker event's fields onto a worker, as Celery's {@code Worker.event} does. */
    private static final class WorkerFields implements BiConsumer<String, Object> {
        WorkerNode w;

        @Override
        public void accept(String k, Object v) {
            WorkerNode w = this.w;
            switch (k) {
                case "hostname": case "type": case "timestamp": case "local_received": case "utcoffset":
                case "heartbeats":
                    return;
                case "pid":
                    if (Values.numeric(v)) {
                        w.setPid(Values.integer(v));
                    }
                    return;
                case "freq":
                    if (v instanceof Number n) {
                        w.freq = n.doubleValue();
                    }
                    return;
                case "clock":
                    if (Values.numeric(v)) {
                        w.clock = v == null ? 0 : ((Number) v).longValue();
                    }
                    return;
                case "active":
                    if (Values.numeric(v)) {
                        w.active = Values.integer(v);
                    }
                    return;
                case "processed":
                    if (Values.numeric(v)) {
                        w.processed = Values.integer(v);
                    }
                    return;
                case "loadavg":
                    if (v == null) {
                        w.loadavg = null;
                    } else {
                        List<Double> l = Values.doubles(v);
                        if (l != null) {
                            w.loadavg = l;
                        }
                    }
                    return;
                case "sw_ident":
                    w.swIdent = Values.text(v);
                    return;
                case "sw_ver":
                    w.swVer = Values.text(v);
                    return;
                case "sw_sys":
                    w.swSys = Values.text(v);
                    return;
                default:
                    if (w.extra == null) {
                        w.extra = new SmallMap();
                    }
                    w.extra.put(k, v);
            }
        }
    }
}
