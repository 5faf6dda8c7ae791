package io.celeriac.events.state;

import io.celeriac.events.Event;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.MalformedEventException;
import io.celeriac.events.state.internal.MemoryEventState;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.CeleryStateComparison;
import io.celeriac.tck.MutableClock;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds the same event streams into Python Celery 5.2.6's own {@code celery.events.state.State} (through
 * {@code state_replay.py}, no broker) and into {@link MemoryEventState}, and compares everything: workers,
 * tasks with every field, memory order, the time index, the by-type and by-worker indexes, task types,
 * alive workers and the counters.
 *
 * <p>The Python script replays each stream twice: into Celery's State as installed ("stock") and into a
 * State whose Worker and Task carry celeriac's documented fixes ("fixed"). The Java state must equal
 * "fixed" exactly; where "stock" differs, the difference must be exactly the one each hand-written case
 * expects, so every intentional difference from Celery is pinned down. For the random streams, the fixes
 * must never change the counters, the memory order, the time index, the by-type index or the task types.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class CeleryStateInteropTest {

    @Parameter
    CeleryVersion celery;

    private static final double T0 = ClusterSimulator.START;

    @TempDir
    Path tmp;

    /** One replayed stream: events and clear operations, and the paths where stock Celery may differ. */
    private record Case(String name, int maxWorkers, int maxTasks, double now, List<Object> items,
                        Set<String> expectedStockDiffs, boolean random) {
    }

    private record Clear(boolean ready, boolean tasksOnly) {
    }

    // ------------------------------------------------------------------------------------------
    // hand-written streams

    private static Case handWritten(String name, int maxWorkers, int maxTasks, double now, List<Object> items,
                                    String... expectedDiffs) {
        return new Case(name, maxWorkers, maxTasks, now, items, new LinkedHashSet<>(List.of(expectedDiffs)), false);
    }

    private static Event task(String type, String uuid, String host, double at, long clock, Object... kv) {
        Ev e = Ev.task(type, uuid, host, at, clock);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            e.put((String) kv[i], kv[i + 1]);
        }
        return e.build();
    }

    private static Event received(String uuid, String host, double at, long clock, long retries, String parent) {
        return task("task-received", uuid, host, at, clock, "name", "proj.add", "args", "(1, 2)", "kwargs", "{}",
                "root_id", parent == null ? uuid : parent, "parent_id", parent, "retries", retries, "eta", null,
                "expires", null);
    }

    private static Event sent(String uuid, String client, double at, long clock, String parent) {
        return task("task-sent", uuid, client, at, clock, "root_id", parent == null ? uuid : parent,
                "parent_id", parent, "name", "proj.add", "args", "(1, 2)", "kwargs", "{}", "retries", 0L,
                "eta", null, "expires", null, "queue", "celery", "exchange", "", "routing_key", "celery");
    }

    private static Event worker(String type, String host, long pid, double at, long clock) {
        return Ev.worker(type, host, pid, at, clock).build();
    }

    static List<Case> handWrittenCases() {
        List<Case> cases = new ArrayList<>();

        cases.add(handWritten("in-order lifecycles", 5000, 10_000, T0 + 3, List.of(
                worker("worker-online", "w1@h", 11, T0, 1),
                sent("t1", "gen1@h", T0 + 0.01, 1, null),
                received("t1", "w1@h", T0 + 0.1, 3, 0, null),
                task("task-started", "t1", "w1@h", T0 + 0.2, 4),
                task("task-succeeded", "t1", "w1@h", T0 + 0.3, 5, "result", "5", "runtime", 0.1),
                worker("worker-heartbeat", "w1@h", 11, T0 + 2, 6),
                sent("t2", "gen1@h", T0 + 2.01, 2, null),
                received("t2", "w1@h", T0 + 2.1, 8, 0, null),
                task("task-started", "t2", "w1@h", T0 + 2.2, 9),
                task("task-failed", "t2", "w1@h", T0 + 2.3, 10, "exception", "ValueError('x')",
                        "traceback", "Traceback ...\nValueError: x\n"),
                received("t3", "w1@h", T0 + 2.4, 11, 0, null),
                task("task-started", "t3", "w1@h", T0 + 2.5, 12),
                task("task-retried", "t3", "w1@h", T0 + 2.6, 13, "exception", "Retry('in 1s')",
                        "traceback", "Traceback ...\nRetry\n"),
                received("t3", "w1@h", T0 + 2.7, 14, 1, null),
                task("task-started", "t3", "w1@h", T0 + 2.8, 15),
                task("task-succeeded", "t3", "w1@h", T0 + 2.9, 16, "result", "'ok'", "runtime", 0.05))));

        // FIX: Celery puts the sender's timestamp of task events into the heartbeat list (swapped
        // arguments); a worker 30 s behind then looks dead 30 s early.
        cases.add(handWritten("heartbeats from task events take the receive time", 5000, 10_000, T0 + 131,
                List.of(
                        Ev.task("task-received", "tA", "w9@h", T0, 1).put("local_received", T0 + 30)
                                .put("name", "proj.add").build(),
                        Ev.task("task-started", "tA", "w9@h", T0 + 1, 2).put("local_received", T0 + 31).build()),
                "workers.w9@h.heartbeats", "workers.w9@h.heartbeat_expires", "workers.w9@h.alive", "alive_workers"));

        // FIX: a late task-retried moves a SUCCESS task back to RETRY in Celery.
        cases.add(handWritten("late RETRY after SUCCESS", 5000, 10_000, T0 + 3, List.of(
                received("tR", "w1@h", T0, 1, 0, null),
                task("task-started", "tR", "w1@h", T0 + 1, 2),
                task("task-succeeded", "tR", "w1@h", T0 + 2, 4, "result", "7", "runtime", 1.0),
                task("task-retried", "tR", "w1@h", T0 + 1.5, 3, "exception", "Retry('x')", "traceback", "tb")),
                "tasks.tR.state", "tasks.tR.timestamp", "tasks.tR.clock"));

        // FIX: late events of a retried task's first attempt overwrite the newer attempt's fields in Celery.
        cases.add(handWritten("late events of an earlier attempt", 5000, 10_000, T0 + 6, List.of(
                task("task-retried", "tW", "w1@h", T0 + 2, 3, "exception", "Retry('x')", "traceback", "tb"),
                received("tW", "w2@h", T0 + 3, 10, 1, null),
                task("task-started", "tW", "w2@h", T0 + 4, 11),
                task("task-succeeded", "tW", "w2@h", T0 + 5, 12, "result", "3", "runtime", 0.5),
                task("task-started", "tW", "w1@h", T0 + 1, 2),
                received("tW", "w1@h", T0, 1, 0, null)),
                "tasks.tW.started", "tasks.tW.received", "tasks.tW.retries", "tasks.tW.timestamp", "tasks.tW.clock",
                "tasks.tW.worker", "tasks_by_worker.w1@h", "tasks_by_worker.w2@h"));

        // FIX: a task-sent that arrives after the worker's events resets timestamp and clock in Celery.
        cases.add(handWritten("late task-sent", 5000, 10_000, T0 + 1, List.of(
                received("tS", "w1@h", T0 + 0.1, 5, 0, null),
                task("task-started", "tS", "w1@h", T0 + 0.2, 6),
                sent("tS", "gen1@h", T0, 1, null)),
                "tasks.tS.timestamp", "tasks.tS.clock"));

        cases.add(handWritten("children before parents", 5000, 10_000, T0 + 2, List.of(
                received("c1", "w1@h", T0, 1, 0, "p"),
                task("task-started", "c1", "w1@h", T0 + 0.1, 2),
                received("g1", "w1@h", T0 + 0.2, 3, 0, "c1"),
                received("o1", "w1@h", T0 + 0.25, 4, 0, "ghost"),
                sent("p", "gen1@h", T0 - 1, 1, null),
                received("p", "w2@h", T0 + 0.3, 5, 0, null),
                task("task-succeeded", "p", "w2@h", T0 + 0.4, 6, "result", "None", "runtime", 0.1),
                task("task-succeeded", "c1", "w1@h", T0 + 0.5, 7, "result", "1", "runtime", 0.4),
                task("task-succeeded", "g1", "w1@h", T0 + 0.6, 8, "result", "2", "runtime", 0.4))));

        cases.add(handWritten("custom subjects, revoked, rejected, cancelled", 5000, 10_000, T0 + 2, List.of(
                received("tP", "w1@h", T0, 1, 0, null),
                task("task-started", "tP", "w1@h", T0 + 0.1, 2),
                task("task-progress", "tP", "w1@h", T0 + 0.2, 3, "current", 10L, "total", 100L),
                task("task-progress", "tP", "w1@h", T0 + 0.3, 4, "current", 50L, "total", 100L),
                task("task-succeeded", "tP", "w1@h", T0 + 0.4, 5, "result", "'done'", "runtime", 0.3),
                received("tV", "w1@h", T0 + 0.5, 6, 0, null),
                task("task-revoked", "tV", "w1@h", T0 + 0.6, 7, "terminated", true, "signum", "15", "expired", false),
                received("tC", "w1@h", T0 + 0.9, 10, 0, null),
                task("task-started", "tC", "w1@h", T0 + 1.0, 11),
                task("task-cancelled", "tC", "w1@h", T0 + 1.1, 12),
                Ev.of("custom-audit").put("hostname", "gen1@h").put("timestamp", T0 + 1.2)
                        .put("local_received", T0 + 1.2).put("clock", 13L).put("what", "x").build())));

        // FIX: Celery ranks REJECTED below RECEIVED and STARTED, so a task-rejected never shows: tJ stays
        // RECEIVED; tK stays STARTED, and when it is requeued and received again that is "late" too.
        cases.add(handWritten("rejected after received and after started", 5000, 10_000, T0 + 2, List.of(
                received("tJ", "w1@h", T0 + 0.7, 8, 0, null),
                task("task-rejected", "tJ", "w1@h", T0 + 0.8, 9, "requeue", false),
                received("tK", "w1@h", T0 + 0.9, 10, 0, null),
                task("task-started", "tK", "w1@h", T0 + 1.0, 11),
                task("task-rejected", "tK", "w1@h", T0 + 1.1, 12, "requeue", true),
                received("tK", "w2@h", T0 + 1.2, 13, 0, null)),
                "tasks.tJ.state", "tasks.tK.state", "tasks.tK.timestamp", "tasks.tK.clock"));

        cases.add(handWritten("offline and back", 5000, 10_000, T0 + 11, List.of(
                worker("worker-online", "w1@h", 11, T0, 1),
                worker("worker-online", "w2@h", 12, T0, 1),
                worker("worker-heartbeat", "w1@h", 11, T0 + 2, 2),
                worker("worker-offline", "w1@h", 11, T0 + 3, 3),
                worker("worker-offline", "wX@h", 99, T0 + 3.5, 7),
                worker("worker-online", "w1@h", 13, T0 + 8, 1),
                worker("worker-heartbeat", "w1@h", 13, T0 + 10, 2))));

        List<Object> evict = new ArrayList<>();
        evict.add(worker("worker-online", "w1@h", 11, T0, 1));
        evict.add(worker("worker-online", "w2@h", 12, T0, 1));
        evict.add(received("P", "w1@h", T0, 1, 0, null));
        long c = 2;
        for (int i = 0; i < 9; i++) {
            String id = "e" + i;
            evict.add(received(id, i % 2 == 0 ? "w2@h" : "w3@h", T0 + i, c++, 0, i % 3 == 0 ? "P" : null));
            evict.add(task("task-started", id, i % 2 == 0 ? "w2@h" : "w3@h", T0 + i + 0.5, c++));
        }
        cases.add(handWritten("eviction at small limits", 2, 5, T0 + 10, evict));

        cases.add(handWritten("clear keeps unfinished tasks", 5000, 10_000, T0 + 5, List.of(
                received("ca", "w1@h", T0, 1, 0, null),
                task("task-succeeded", "ca", "w1@h", T0 + 0.1, 2, "result", "1", "runtime", 0.1),
                Ev.task("task-received", "cb", "w1@h", T0 + 0.2, 3).put("name", "proj.b").build(),
                task("task-started", "cb", "w1@h", T0 + 0.3, 4),
                Ev.task("task-received", "cc", "w1@h", T0 + 0.4, 5).put("name", "proj.c").build(),
                new Clear(true, false)),
                "tasks_by_time", "tasks_by_type.proj.b", "tasks_by_type.proj.c", "tasks_by_worker.w1@h",
                "task_types"));

        cases.add(handWritten("clear_tasks then more events", 5000, 10_000, T0 + 5, List.of(
                received("da", "w1@h", T0, 1, 0, null),
                task("task-succeeded", "da", "w1@h", T0 + 0.1, 2, "result", "1", "runtime", 0.1),
                received("db", "w1@h", T0 + 0.2, 3, 0, null),
                new Clear(false, true),
                received("dc", "w1@h", T0 + 0.3, 4, 0, null))));

        cases.add(handWritten("malformed and incomplete events", 5000, 10_000, T0 + 5, List.of(
                received("m1", "w1@h", T0, 1, 0, null),
                Ev.task("task-started", "m1", "w1@h", T0 + 0.1, 2).remove("clock").build(),
                Ev.task("task-succeeded", "m1", "w1@h", T0 + 0.2, 3).remove("uuid").build(),
                Ev.task("task-failed", "m1", "w1@h", T0 + 0.2, 3).remove("local_received").build(),
                Ev.worker("worker-heartbeat", "w1@h", 11, T0 + 0.3, 4).remove("timestamp").build(),
                Ev.worker("worker-heartbeat", "w2@h", 12, T0 + 0.3, 4).remove("local_received").build(),
                Ev.worker("worker-heartbeat", "w3@h", 13, T0 + 0.3, 4).put("timestamp", 0.0).build())));
        return cases;
    }

    static List<Case> randomCases() {
        List<Case> cases = new ArrayList<>();
        for (int seed = 1; seed <= 24; seed++) {
            ClusterSimulator sim = new ClusterSimulator(seed, true, 25.0);
            List<Object> items = new ArrayList<>(sim.run(300 + seed * 25));
            boolean small = seed % 3 == 0;
            double now = sim.lastDelivery() + (seed % 2 == 0 ? 1.0 : 3.5);
            cases.add(new Case("random stream " + seed + (small ? " (small limits)" : ""), small ? 2 : 5000,
                    small ? 12 + seed : 10_000, now, items, Set.of(), true));
        }
        return cases;
    }

    // ------------------------------------------------------------------------------------------
    // running

    @TestFactory
    Stream<DynamicTest> handWrittenStreamsMatchCelery() throws IOException {
        return compare(handWrittenCases());
    }

    @TestFactory
    Stream<DynamicTest> randomStreamsMatchCelery() throws IOException {
        List<Case> cases = randomCases();
        Map<String, Map<String, Object>> python = runPython(cases);
        Stream<DynamicTest> each = cases.stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c, python.get(c.name()))));
        return Stream.concat(each, Stream.of(DynamicTest.dynamicTest("the random streams exercise every fix",
                () -> exerciseEveryFix(cases, python))));
    }

    /**
     * Guards against a vacuous comparison: across the random streams, Celery as installed must differ from
     * the fixed State in each way the fixes address, tasks must have been evicted, and every event type
     * must have been seen.
     */
    private static void exerciseEveryFix(List<Case> cases, Map<String, Map<String, Object>> python) {
        Map<String, Integer> seen = new TreeMap<>();
        for (Case c : cases) {
            Map<String, Object> py = python.get(c.name());
            Map<String, String> d = CeleryStateComparison.diff(CeleryStateComparison.normalise(py.get("stock")),
                    CeleryStateComparison.normalise(py.get("fixed")));
            d.forEach((path, v) -> {
                if (path.matches("workers\\..*\\.heartbeats")) {
                    seen.merge("heartbeat list", 1, Integer::sum);
                } else if (path.matches("tasks\\.[^.]+\\.state")) {
                    seen.merge(v.startsWith("RETRY") ? "late RETRY" : v.startsWith("RECEIVED")
                            || v.startsWith("STARTED") ? "REJECTED" : "state " + v, 1, Integer::sum);
                } else if (path.matches("tasks\\.[^.]+\\.(timestamp|clock)")) {
                    seen.merge("late fields", 1, Integer::sum);
                } else if (path.matches("tasks\\.[^.]+\\.worker")) {
                    seen.merge("late worker", 1, Integer::sum);
                }
            });
            @SuppressWarnings("unchecked")
            Map<String, Object> fixed = (Map<String, Object>) py.get("fixed");
            if (((List<?>) fixed.get("task_order")).size() == c.maxTasks()) {
                seen.merge("evicted", 1, Integer::sum);
            }
            if (((Number) fixed.get("rejected")).intValue() > 0) {
                seen.merge("malformed", 1, Integer::sum);
            }
            for (Object item : c.items()) {
                if (item instanceof Event e) {
                    seen.merge(e.type(), 1, Integer::sum);
                }
            }
        }
        System.out.println("random streams exercised: " + seen);
        assertThat(seen).containsKeys("heartbeat list", "late RETRY", "REJECTED", "late fields", "late worker",
                "evicted", "malformed", "task-sent", "task-received", "task-started", "task-succeeded",
                "task-failed", "task-retried", "task-revoked", "task-rejected", "task-progress", "task-cancelled",
                "worker-online", "worker-heartbeat", "worker-offline", "custom-audit");
    }

    private Stream<DynamicTest> compare(List<Case> cases) throws IOException {
        Map<String, Map<String, Object>> python = runPython(cases);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c, python.get(c.name()))));
    }

    private Map<String, Map<String, Object>> runPython(List<Case> cases) throws IOException {
        List<Object> json = new ArrayList<>();
        for (Case c : cases) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("max_workers", c.maxWorkers());
            m.put("max_tasks", c.maxTasks());
            m.put("now", c.now());
            List<Object> evs = new ArrayList<>();
            for (Object item : c.items()) {
                if (item instanceof Event e) {
                    evs.add(e.fields());
                } else {
                    Clear op = (Clear) item;
                    evs.add(Map.of("__op__", op.tasksOnly() ? "clear_tasks" : "clear", "ready", op.ready()));
                }
            }
            m.put("events", evs);
            json.add(m);
        }
        Path input = tmp.resolve("cases.json");
        Files.write(input, CeleryJson.encode(json));
        PythonCelery.Result r = PythonPeer.of(celery).run(CeleryStateComparison.pythonSupport()
                        + PythonCelery.resource(getClass(), "state_replay.py"),
                Tck.timeout(Duration.ofSeconds(120)), Map.of(), input.toString()).assertSuccess();
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String line : r.lines()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) CeleryJson.decode(line);
            out.put((String) m.get("name"), m);
        }
        assertThat(out.keySet()).as("Python replayed every case").hasSize(cases.size());
        return out;
    }

    private static Object replayJava(Case c) {
        EventStateOptions options = EventStateOptions.builder().maxWorkersInMemory(c.maxWorkers())
                .maxTasksInMemory(c.maxTasks()).clock(MutableClock.atEpochSeconds(c.now())).build();
        int rejected = 0;
        try (MemoryEventState s = new MemoryEventState(options)) {
            for (Object item : c.items()) {
                if (item instanceof Event e) {
                    try {
                        s.event(e);
                    } catch (MalformedEventException ex) {
                        rejected++;
                    }
                } else {
                    Clear op = (Clear) item;
                    if (op.tasksOnly()) {
                        s.clearTasks(op.ready());
                    } else {
                        s.clear(op.ready());
                    }
                }
            }
            return CeleryStateComparison.normalise(CeleryStateComparison.dump(s, rejected));
        }
    }

    private static final List<String> UNAFFECTED_BY_FIXES = List.of("event_count", "task_count", "rejected",
            "worker_order", "task_order", "tasks_by_time", "tasks_by_type", "task_types");

    private static void check(Case c, Map<String, Object> py) {
        assertThat(py).as("Python's output for %s", c.name()).isNotNull();
        Object stock = CeleryStateComparison.normalise(py.get("stock"));
        Object fixed = CeleryStateComparison.normalise(py.get("fixed"));
        Object java = replayJava(c);

        assertThat(CeleryStateComparison.diff(java, fixed)).as("Java state vs Celery's State with the documented fixes, %s",
                c.name()).isEmpty();

        Map<String, String> stockDiffs = CeleryStateComparison.diff(stock, fixed);
        if (!c.random()) {
            assertThat(stockDiffs.keySet()).as("where Celery 5.2.6 as installed differs (%s): %s", c.name(),
                    stockDiffs).isEqualTo(new java.util.TreeSet<>(c.expectedStockDiffs()));
        } else {
            Map<String, String> unexpected = new TreeMap<>();
            stockDiffs.forEach((path, d) -> {
                String top = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
                if (UNAFFECTED_BY_FIXES.contains(top) || !CeleryStateComparison.explainedByFixes(path)) {
                    unexpected.put(path, d);
                }
            });
            assertThat(unexpected).as("differences from stock Celery outside the documented fixes (%s)",
                    c.name()).isEmpty();
        }
    }
}
