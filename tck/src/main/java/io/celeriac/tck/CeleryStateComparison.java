package io.celeriac.tck;

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
 * Compares an {@link EventState} with Python Celery's own {@code celery.events.state.State}: builds the same
 * JSON-ready description of both, normalises and diffs them. For interop tests that feed one event stream
 * to both, through a broker or by replaying it.
 *
 * <p>On the Python side, prepend {@link #pythonSupport()} to the script: its {@code dump(state, now,
 * rejected)} gives the same description of a Python {@code State}, and its {@code FixedState} is Celery's
 * {@code State} with celeriac's documented fixes (listed in the README's "Differences from Celery"). A
 * celeriac state must equal {@code FixedState} exactly; where Celery's stock {@code State} differs from
 * {@code FixedState}, {@link #explainedByFixes(String)} says whether the path is one the fixes touch.
 *
 * <p>A description holds {@code event_count}, {@code task_count}, {@code rejected} (events the caller
 * counted as malformed), {@code workers} (Celery's worker fields plus {@code alive} at the state's clock,
 * {@code heartbeat_expires}, {@code id}), {@code worker_order}, {@code tasks} (Celery's {@code as_dict()}
 * fields with the worker's hostname, sorted {@code children} and the {@code extra} event fields),
 * {@code task_order}, {@code tasks_by_time}, {@code tasks_by_type}, {@code tasks_by_worker},
 * {@code task_types} and {@code alive_workers}. All methods are static and thread-safe.
 */
public final class CeleryStateComparison {

    private CeleryStateComparison() {
    }

    /**
     * The Python text that defines {@code FixedState} and {@code dump(state, now, rejected)}; prepend it to
     * a script run with {@code PythonCelery.run}.
     *
     * @return the Python source
     */
    public static String pythonSupport() {
        try (java.io.InputStream in = CeleryStateComparison.class.getResourceAsStream("celery_state.py")) {
            if (in == null) {
                throw new IllegalStateException("celery_state.py is missing from the kit's jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8) + "\n\n";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Whether a path where Celery's stock {@code State} differs from {@code FixedState} is one celeriac's
     * fixes touch: a worker's heartbeat list, its expiry and aliveness (the heartbeat fix), any task field
     * and the by-worker index (the late-event, RETRY and REJECTED fixes). Counters, memory order, the time
     * index, the by-type index and task types are never touched by the fixes (except by {@code clear}).
     *
     * @param path a path of {@link #diff(Object, Object)}
     * @return {@code true} when the fixes explain a difference there
     */
    public static boolean explainedByFixes(String path) {
        String top = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
        return path.matches("workers\\..+\\.(heartbeats|heartbeat_expires|alive)")
                || top.equals("alive_workers") || top.equals("tasks") || top.equals("tasks_by_worker");
    }

    /**
     * Describes a Java state as {@code dump(state, now, rejected)} describes a Python one; {@code alive} is
     * decided by the state's clock.
     *
     * @param s the state
     * @param rejected how many events the caller saw rejected as malformed
     * @return the description
     */
    public static Map<String, Object> dump(EventState s, int rejected) {
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
     * Makes two descriptions comparable: through JSON (so that Java and Python types meet), every number as
     * a double.
     *
     * @param v a description (a Java one, or a Python one decoded from JSON)
     * @return the normalised value
     */
    public static Object normalise(Object v) {
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
     * The paths where two normalised descriptions differ, with both values: maps are compared key by key (a
     * key on one side only is a difference), anything else as a whole. Paths join keys with dots, e.g.
     * {@code tasks.<uuid>.state}.
     *
     * @param a one description
     * @param b the other
     * @return path to {@code "a value != b value"}, sorted by path
     */
    public static Map<String, String> diff(Object a, Object b) {
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
