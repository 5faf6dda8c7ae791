package io.celeriac.monitor.internal;

import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Task and worker views as the API shows them: Flower's dictionaries (Celery's {@code Task.as_dict()} with the
 * worker as its hostname), the short rows of the UI's tables, and a task's timeline.
 */
final class TaskViews {

    /** Fields of an event's envelope that are not the task's own and are never shown as extra fields. */
    private static final Set<String> ENVELOPE = Set.of("type", "hostname", "local_received", "utcoffset", "pid",
            "uuid", "timestamp", "clock");

    /** The timestamps of a task, in the order Celery's states normally come. */
    private static final List<String> TIMELINE = List.of("sent", "received", "started", "retried", "rejected",
            "succeeded", "failed", "revoked");

    private TaskViews() {
    }

    /**
     * A task as Flower's {@code /api/tasks} shows it: Celery's {@code as_dict()} keys, {@code worker} the hostname,
     * then the other fields its events carried (such as {@code queue}).
     */
    static Map<String, Object> flower(TaskInfo t) {
        Map<String, Object> m = t.toCeleryDict();
        ENVELOPE.forEach(k -> {
            if (!k.equals("uuid") && !k.equals("timestamp") && !k.equals("clock")) {
                m.remove(k);
            }
        });
        Object worker = m.remove("worker");
        m.put("worker", worker);
        return m;
    }

    /** A task as Flower's {@code /api/task/info/<id>} shows it: {@link #flower} plus {@code task-id}. */
    static Map<String, Object> info(Map<String, Object> flower) {
        Map<String, Object> m = new LinkedHashMap<>(flower);
        m.put("task-id", flower.get("uuid"));
        return m;
    }

    /** A stored document (nulls dropped) made whole again: every Flower key present, {@code null} when absent. */
    static Map<String, Object> fromStored(Map<String, Object> doc) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("uuid", "name", "state", "received", "sent", "started", "rejected", "succeeded",
                "failed", "retried", "revoked", "args", "kwargs", "eta", "expires", "retries", "result", "exception",
                "timestamp", "runtime", "traceback", "exchange", "routing_key", "clock", "client", "root", "root_id",
                "parent", "parent_id", "children")) {
            m.put(k, doc.get(k));
        }
        if (m.get("children") == null) {
            m.put("children", List.of());
        }
        doc.forEach((k, v) -> {
            if (!m.containsKey(k) && !k.equals("worker")) {
                m.put(k, v);
            }
        });
        m.put("worker", doc.get("worker"));
        return m;
    }

    /** The document stored in the history: the Flower view without {@code null} values or empty children. */
    static Map<String, Object> stored(Map<String, Object> flower) {
        Map<String, Object> m = new LinkedHashMap<>();
        flower.forEach((k, v) -> {
            if (v != null && !(k.equals("children") && v instanceof List<?> l && l.isEmpty())) {
                m.put(k, v);
            }
        });
        return m;
    }

    /** The short row of the task tables. */
    static Map<String, Object> row(Map<String, Object> flower) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("uuid", "name", "state", "args", "kwargs", "result", "exception", "worker", "received",
                "started", "succeeded", "failed", "timestamp", "runtime", "retries")) {
            m.put(k, flower.get(k));
        }
        return m;
    }

    /** The task's events as a time-ordered list of {@code {event, timestamp}} (the latest of each kind). */
    static List<Map<String, Object>> timeline(Map<String, Object> flower) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String k : TIMELINE) {
            if (flower.get(k) instanceof Number n) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("event", "task-" + k);
                e.put("timestamp", n.doubleValue());
                out.add(e);
            }
        }
        out.sort(Comparator.comparingDouble(e -> (Double) e.get("timestamp")));
        return out;
    }

    /** A worker as the UI shows it: Celery's worker fields plus the monitor's counters. */
    static Map<String, Object> worker(WorkerInfo w, long[] counters) {
        Map<String, Object> m = w.toCeleryDict();
        Double last = w.heartbeats().isEmpty() ? null : w.heartbeats().get(w.heartbeats().size() - 1);
        m.put("last_heartbeat", last);
        m.put("status", w.alive());
        m.put("received", counters == null ? 0 : counters[0]);
        m.put("started", counters == null ? 0 : counters[1]);
        m.put("succeeded", counters == null ? 0 : counters[2]);
        m.put("failed", counters == null ? 0 : counters[3]);
        m.put("retried", counters == null ? 0 : counters[4]);
        m.put("revoked", counters == null ? 0 : counters[5]);
        return m;
    }
}
