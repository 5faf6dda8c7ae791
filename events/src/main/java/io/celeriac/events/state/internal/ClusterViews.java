package io.celeriac.events.state.internal;

import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The read side of the model: the immutable {@link TaskInfo}/{@link WorkerInfo} views of the kept tasks and
 * workers, Celery's {@code tasks_by_time} walk and the consistent snapshot. A worker's liveness is judged
 * against the clock at the time of the read.
 *
 * <p>Invariants: it changes nothing the model relies on; the only writes are the records' cached views,
 * which are immutable, so every reader of an unchanged record gets the same instance and two racing readers
 * at worst build the same view twice. Lists come out unmodifiable, in the model's orders (workers and tasks
 * oldest first, the time walk newest first with each task once, at its newest entry, and evicted tasks
 * skipped).
 *
 * <p>Thread-safe for readers: {@code MemoryEventState} calls it under its read lock, so any number of reads
 * run together and none runs while an event is applied.
 */
final class ClusterViews {

    private final WorkerTable workers;
    private final TaskLru tasks;
    private final TimeIndex timeIndex;
    private final TaskTypes taskTypes;
    private final Clock clock;

    ClusterViews(WorkerTable workers, TaskLru tasks, TimeIndex timeIndex, TaskTypes taskTypes, Clock clock) {
        this.workers = workers;
        this.tasks = tasks;
        this.timeIndex = timeIndex;
        this.taskTypes = taskTypes;
        this.clock = clock;
    }

    /** The clock's now in epoch seconds. */
    double now() {
        Instant i = clock.instant();
        return i.getEpochSecond() + i.getNano() / 1e9;
    }

    /** The view of a kept worker, or null. */
    WorkerInfo workerView(String hostname) {
        WorkerNode w = workers.get(hostname);
        return w == null ? null : w.view(now());
    }

    /** The views of the kept workers, oldest first, only the alive ones with {@code aliveOnly}. */
    List<WorkerInfo> workerViews(boolean aliveOnly) {
        double now = now();
        List<WorkerInfo> out = new ArrayList<>(workers.size());
        for (WorkerNode w : workers.all()) {
            WorkerInfo v = w.view(now);
            if (!aliveOnly || v.alive()) {
                out.add(v);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The view of a kept task, or null. */
    TaskInfo taskView(String uuid) {
        TaskNode t = tasks.get(uuid);
        return t == null ? null : t.view();
    }

    /** The views of the kept tasks, oldest first. */
    List<TaskInfo> taskViews() {
        List<TaskInfo> out = new ArrayList<>(tasks.size());
        for (TaskNode t = tasks.oldest(); t != null; t = t.newer) {
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
    List<TaskInfo> byTime(int limit, Predicate<TaskNode> filter) {
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

    /** A filter for tasks of that name. */
    static Predicate<TaskNode> named(String name) {
        return t -> name.equals(t.name);
    }

    /** A filter for tasks last seen on that worker. */
    static Predicate<TaskNode> onWorker(String hostname) {
        return t -> t.worker != null && hostname.equals(t.worker.hostname);
    }

    /**
     * Everything at once, at one instant.
     *
     * @param eventCount the events applied
     * @param taskCount the {@code task-received} events applied
     * @return the snapshot
     */
    EventStateSnapshot snapshot(long eventCount, long taskCount) {
        Instant at = clock.instant();
        double now = at.getEpochSecond() + at.getNano() / 1e9;
        Map<String, WorkerInfo> ws = new LinkedHashMap<>();
        for (WorkerNode w : workers.all()) {
            ws.put(w.hostname, w.view(now));
        }
        Map<String, TaskInfo> ts = new LinkedHashMap<>();
        for (TaskNode t = tasks.oldest(); t != null; t = t.newer) {
            ts.put(t.uuid, t.view());
        }
        List<TaskInfo> byTime = byTime(0, null);
        List<String> ids = new ArrayList<>(byTime.size());
        for (TaskInfo t : byTime) {
            ids.add(t.uuid());
        }
        return new EventStateSnapshot(at, eventCount, taskCount, ws, ts, ids, taskTypes.copy());
    }
}
