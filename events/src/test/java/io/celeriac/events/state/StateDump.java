package io.celeriac.events.state;

import io.celeriac.events.EventState;
import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;
import io.celeriac.json.CeleryJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The comparable description of a whole state that {@code state_replay.py} prints for Python's
 * {@code State}, built from a Java {@link EventState}; and the helpers to normalise and diff two of them.
 */
final class StateDump {

    private StateDump() {
    }

    static Map<String, Object> of(EventState s, int rejected) {
        EventStateSnapshot snap = s.snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event_count", snap.eventCount());
        m.put("task_count", snap.taskCount());
        m.put("rejected", rejected);
        Map<String, Object> workers = new LinkedHashMap<>();
        List<String> alive = new ArrayList<>();
        for (WorkerInfo w : snap.workers().values()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("hostname", w.hostname());
            d.put("pid", w.pid());
            d.put("freq", w.freq());
            d.put("heartbeats", w.heartbeats());
            d.put("clock", w.clock());
            d.put("active", w.active());
            d.put("processed", w.processed());
            d.put("loadavg", w.loadavg());
            d.put("sw_ident", w.swIdent());
            d.put("sw_ver", w.swVer());
            d.put("sw_sys", w.swSys());
            d.put("alive", w.alive());
            d.put("heartbeat_expires", w.heartbeatExpires());
            d.put("id", w.id());
            workers.put(w.hostname(), d);
            if (w.alive()) {
                alive.add(w.hostname());
            }
        }
        m.put("workers", workers);
        m.put("worker_order", new ArrayList<>(snap.workers().keySet()));
        Map<String, Object> tasks = new LinkedHashMap<>();
        TreeSet<String> names = new TreeSet<>();
        TreeSet<String> hosts = new TreeSet<>();
        for (TaskInfo t : snap.tasks().values()) {
            Map<String, Object> d = t.toCeleryDict();
            t.extra().keySet().forEach(d::remove);
            d.put("children", new ArrayList<>(new TreeSet<>(t.children())));
            d.put("extra", t.extra());
            tasks.put(t.uuid(), d);
            if (t.name() != null) {
                names.add(t.name());
            }
            if (t.worker() != null) {
                hosts.add(t.worker());
            }
        }
        m.put("tasks", tasks);
        m.put("task_order", new ArrayList<>(snap.tasks().keySet()));
        m.put("tasks_by_time", snap.tasksByTime());
        Map<String, Object> byType = new LinkedHashMap<>();
        for (String n : names) {
            byType.put(n, ids(s.tasksByType(n, 0)));
        }
        m.put("tasks_by_type", byType);
        Map<String, Object> byWorker = new LinkedHashMap<>();
        for (String h : hosts) {
            byWorker.put(h, ids(s.tasksByWorker(h, 0)));
        }
        m.put("tasks_by_worker", byWorker);
        m.put("task_types", new ArrayList<>(snap.taskTypes()));
        alive.sort(null);
        m.put("alive_workers", alive);
        return m;
    }

    private static List<String> ids(List<TaskInfo> tasks) {
        List<String> out = new ArrayList<>();
        for (TaskInfo t : tasks) {
            out.add(t.uuid());
        }
        return out;
    }

    /**
     * Makes two dumps comparable: through JSON (so Java and Python types meet), every number as a double.
     */
    static Object normalise(Object v) {
        return numbersAsDoubles(CeleryJson.decode(CeleryJson.encode(v)));
    }

    private static Object numbersAsDoubles(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, numbersAsDoubles(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(numbersAsDoubles(x)));
            return out;
        }
        return v;
    }

    /**
     * The paths where two normalised dumps differ, with both values: maps are compared key by key (a key
     * on one side only is a difference), anything else as a whole.
     */
    static Map<String, String> diff(Object a, Object b) {
        Map<String, String> out = new TreeMap<>();
        diff("", a, b, out);
        return out;
    }

    private static void diff(String path, Object a, Object b, Map<String, String> out) {
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            TreeSet<Object> keys = new TreeSet<>();
            keys.addAll(ma.keySet());
            keys.addAll(mb.keySet());
            for (Object k : keys) {
                String p = path.isEmpty() ? String.valueOf(k) : path + "." + k;
                if (!ma.containsKey(k) || !mb.containsKey(k)) {
                    out.put(p, (ma.containsKey(k) ? ma.get(k) : "<absent>") + " != "
                            + (mb.containsKey(k) ? mb.get(k) : "<absent>"));
                } else {
                    diff(p, ma.get(k), mb.get(k), out);
                }
            }
        } else if (!Objects.equals(a, b)) {
            out.put(path, a + " != " + b);
        }
    }
}
