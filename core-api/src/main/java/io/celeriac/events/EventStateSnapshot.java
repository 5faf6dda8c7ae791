package io.celeriac.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One consistent, frozen picture of a whole {@link EventState}: every worker, every task, the time index
 * and the counters as they were between two events. What Celery's snapshot cameras see inside
 * {@code freeze_while}, but as a value that can be kept, written and compared after the state moved on.
 *
 * <p>Immutable and thread-safe. Made by {@link EventState#snapshot()}.
 *
 * @param takenAt when it was made, by the state's clock
 * @param eventCount the state's {@link EventState#eventCount()}
 * @param taskCount the state's {@link EventState#taskCount()}
 * @param workers every worker by hostname, oldest first
 * @param tasks every task by uuid, in memory order (oldest first, as Celery's {@code State.tasks})
 * @param tasksByTime the uuids of {@link EventState#tasksByTime(int)}, newest first
 * @param taskTypes every task name seen
 */
public record EventStateSnapshot(Instant takenAt, long eventCount, long taskCount, Map<String, WorkerInfo> workers,
                                 Map<String, TaskInfo> tasks, List<String> tasksByTime, SortedSet<String> taskTypes) {

    /**
     * Validates and freezes the collections.
     *
     * @throws NullPointerException when any component is null
     */
    public EventStateSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        workers = Collections.unmodifiableMap(new LinkedHashMap<>(workers));
        tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        tasksByTime = List.copyOf(tasksByTime);
        taskTypes = Collections.unmodifiableSortedSet(new TreeSet<>(taskTypes));
    }

    /**
     * One worker.
     *
     * @param hostname its node name
     * @return the worker, if it was known
     */
    public Optional<WorkerInfo> worker(String hostname) {
        return Optional.ofNullable(workers.get(hostname));
    }

    /**
     * One task.
     *
     * @param uuid its id
     * @return the task, if it was known
     */
    public Optional<TaskInfo> task(String uuid) {
        return Optional.ofNullable(tasks.get(uuid));
    }

    /**
     * The workers that were alive when the snapshot was taken.
     *
     * @return the alive workers, oldest first
     */
    public List<WorkerInfo> aliveWorkers() {
        List<WorkerInfo> out = new ArrayList<>();
        for (WorkerInfo w : workers.values()) {
            if (w.alive()) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * The tasks of {@link #tasksByTime()}, newest first.
     *
     * @param limit the most to return (0 = all)
     * @return the tasks
     */
    public List<TaskInfo> tasksByTime(int limit) {
        List<TaskInfo> out = new ArrayList<>();
        for (String id : tasksByTime) {
            if (limit > 0 && out.size() >= limit) {
                break;
            }
            TaskInfo t = tasks.get(id);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * The whole snapshot as one JSON-ready document:
     * <pre>{@code
     * {"timestamp": <epoch seconds>, "event_count": n, "task_count": n,
     *  "workers": {hostname: WorkerInfo.toCeleryDict(), ...},
     *  "tasks": {uuid: TaskInfo.toCeleryDict(), ...},          // newest first
     *  "tasks_by_time": [uuid, ...],                           // newest first
     *  "task_types": [name, ...]}                              // sorted
     * }</pre>
     * Tasks are ordered newest first by the time index, then any task the index no longer lists, oldest
     * first. With {@code taskLimit > 0} only that many tasks are kept, newest first.
     *
     * @param taskLimit the most tasks to include (0 = all)
     * @return a new, modifiable, insertion-ordered map; encode it with {@code CeleryJson.encode}
     */
    public Map<String, Object> toCeleryDict(int taskLimit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timestamp", takenAt.getEpochSecond() + takenAt.getNano() / 1e9);
        m.put("event_count", eventCount);
        m.put("task_count", taskCount);
        Map<String, Object> ws = new LinkedHashMap<>();
        workers.forEach((k, v) -> ws.put(k, v.toCeleryDict()));
        m.put("workers", ws);
        Map<String, Object> ts = new LinkedHashMap<>();
        for (String id : tasksByTime) {
            if (taskLimit > 0 && ts.size() >= taskLimit) {
                break;
            }
            TaskInfo t = tasks.get(id);
            if (t != null) {
                ts.put(id, t.toCeleryDict());
            }
        }
        for (Map.Entry<String, TaskInfo> e : tasks.entrySet()) {
            if (taskLimit > 0 && ts.size() >= taskLimit) {
                break;
            }
            ts.computeIfAbsent(e.getKey(), k -> e.getValue().toCeleryDict());
        }
        m.put("tasks", ts);
        List<String> byTime = new ArrayList<>();
        for (String id : tasksByTime) {
            if (ts.containsKey(id)) {
                byTime.add(id);
            }
        }
        m.put("tasks_by_time", byTime);
        m.put("task_types", new ArrayList<>(taskTypes));
        return m;
    }

    /**
     * The whole snapshot as one JSON-ready document, every task included.
     *
     * @return a new, modifiable, insertion-ordered map
     * @see #toCeleryDict(int)
     */
    public Map<String, Object> toCeleryDict() {
        return toCeleryDict(0);
    }
}
