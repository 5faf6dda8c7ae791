package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code celeriac demo}: exercises celeriac end to end with no server, on the embedded default
 * ({@code db+sqlite:///celeriac.sqlite}) unless told otherwise, and prints what happened as tables.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Store results in every state, a group and a chord, wait on results completed by other threads, "
                + "run tasks on a Java worker through the in-process memory:// broker, revoke ids into a file statedb and reopen it, and print what happened. Needs no server.")
final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BackendOption backend;

    @Option(names = "--tasks", description = "Results to store per state (default: ${DEFAULT-VALUE}).", defaultValue = "50")
    int perState;

    @Option(names = "--revokes", description = "Ids to revoke into the demo statedb (default: ${DEFAULT-VALUE}).", defaultValue = "2000")
    int revokes;

    @Option(names = "--events", description = "Events to generate for the cluster state (default: ${DEFAULT-VALUE}).", defaultValue = "20000")
    int events;

    @Option(names = "--worker-tasks", description = "Tasks the demo's Java worker runs in its burst; 0 skips the worker "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int workerTasks;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (perState <= 0 || revokes < 0 || events < 0 || workerTasks < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tasks must be positive, --revokes, --events and --worker-tasks not negative");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        AtomicReference<ChordCompletion> chordOutcome = new AtomicReference<>();
        BackendOptions options = BackendOptions.builder().resultExtended(true).chordCallback(chordOutcome::set).build();
        String run = Long.toString(System.currentTimeMillis(), 36);
        Celeriac celeriac = Celeriac.discover();
        try (Backend b = celeriac.openBackend(backend.resolve(), options)) {
            out.println("celeriac demo on " + b.asUri());
            out.println();
            List<String> ids = storeEveryState(b, run, err);
            printByState(b, ids, out);
            group(b, run, ids, out);
            chordAndWaits(b, run, chordOutcome, out);
            if (workerTasks > 0) {
                DemoWorker.run(celeriac, b, run, workerTasks, out);
            }
        }
        statedb(celeriac, out, err);
        cluster(celeriac, out, err);
        out.println();
        out.println("done in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        out.flush();
        return ExitCodes.OK;
    }

    private List<String> storeEveryState(Backend b, String run, PrintWriter err) {
        List<TaskState> states = List.of(TaskState.SUCCESS, TaskState.FAILURE, TaskState.RETRY, TaskState.REVOKED,
                TaskState.STARTED, TaskState.of("PROGRESS"));
        List<String> ids = new ArrayList<>();
        Progress p = new Progress(err, "storing results", (long) states.size() * perState, quiet);
        int done = 0;
        for (TaskState s : states) {
            for (int i = 0; i < perState; i++) {
                String id = run + "-" + s.name().toLowerCase() + "-" + i;
                ids.add(id);
                switch (s.name()) {
                    case "SUCCESS" -> b.storeResult(id, Map.of("sum", (long) i * 2), s);
                    case "FAILURE" -> b.markAsFailure(id, ExceptionInfo.builtin("ValueError", "bad input " + i),
                            "Traceback (most recent call last):\nValueError: bad input " + i + "\n", null);
                    case "RETRY" -> b.markAsRetry(id, ExceptionInfo.builtin("ConnectionError", "retry " + i), null, null);
                    case "REVOKED" -> b.markAsRevoked(id, "revoked", null);
                    case "STARTED" -> b.markAsStarted(id, Map.of("pid", 4242L, "hostname", "demo@localhost"));
                    default -> b.storeResult(id, Map.of("current", (long) i, "total", (long) perState), s);
                }
                p.update(++done);
            }
        }
        for (int i = 0; i < perState; i++) {
            ids.add(run + "-pending-" + i);
        }
        return ids;
    }

    private static void printByState(Backend b, List<String> ids, PrintWriter out) {
        Map<String, Integer> byState = new TreeMap<>();
        for (TaskMeta m : b.getMany(ids).values()) {
            byState.merge(m.status().name(), 1, Integer::sum);
        }
        out.println("Results by state (" + ids.size() + " ids read back with one getMany):");
        Table t = new Table("STATE", "COUNT", "READY");
        byState.forEach((s, n) -> t.row(s, n, TaskState.of(s).isReady() ? "yes" : "no"));
        t.print(out);
        out.println();
    }

    private static void group(Backend b, String run, List<String> ids, PrintWriter out) {
        String gid = run + "-group";
        b.saveGroup(GroupResult.ofTaskIds(gid, ids.subList(0, 5)));
        GroupResult restored = b.restoreGroup(gid).orElseThrow();
        out.println("Group " + gid + " restored with " + restored.results().size() + " members: "
                + String.join(", ", restored.memberIds()));
        out.println();
    }

    private static void chordAndWaits(Backend b, String run, AtomicReference<ChordCompletion> chordOutcome, PrintWriter out) {
        String cid = run + "-chord";
        int parts = 8;
        b.setChordSize(cid, parts);
        ExecutorService pool = Executors.newFixedThreadPool(parts);
        try {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                int idx = i;
                fs.add(CompletableFuture.runAsync(() -> b.onChordPartReturn(new ChordPart(cid, cid + "-part-" + idx, idx,
                        TaskState.SUCCESS, (long) idx * idx, null, Map.of("task", "demo.tsum"))), pool));
            }
            CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).join();
            ChordCompletion c = chordOutcome.get();
            out.println("Chord " + cid + " (" + parts + " parts returned by " + parts + " threads at once):");
            Table ct = new Table("OUTCOME", "RESULTS");
            ct.row(c == null ? "never completed" : c.failed() ? "failed: " + c.error().message() : "completed once",
                    c == null ? "" : c.results());
            ct.print(out);
            out.println();

            int waiters = 10;
            List<CompletableFuture<TaskMeta>> waits = new ArrayList<>();
            List<String> waitIds = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                String id = run + "-wait-" + i;
                waitIds.add(id);
                waits.add(b.waitForAsync(id, Duration.ofSeconds(30)));
            }
            long start = System.nanoTime();
            for (int i = 0; i < waiters; i++) {
                String id = waitIds.get(i);
                long value = i;
                pool.submit(() -> b.markAsDone(id, value * 10, null));
            }
            CompletableFuture.allOf(waits.toArray(new CompletableFuture[0])).join();
            long ms = (System.nanoTime() - start) / 1_000_000;
            out.println("Waits: " + waiters + " waiters woken by stores from other threads in " + ms + " ms ("
                    + (b.supports(io.celeriac.backend.BackendCapability.PUSH_WAIT) ? "push" : "batched poll") + ")");
            Table wt = new Table("TASK", "STATE", "RESULT");
            for (int i = 0; i < 3; i++) {
                TaskMeta m = waits.get(i).join();
                wt.row(m.taskId(), m.status(), m.result());
            }
            wt.print(out);
        } finally {
            pool.shutdownNow();
        }
    }

    private void statedb(Celeriac celeriac, PrintWriter out, PrintWriter err) throws IOException {
        Path dir = Files.createTempDirectory("celeriac-demo-statedb");
        try {
            String path = dir.resolve("%n.state").toString();
            StateStoreOptions options = StateStoreOptions.builder().nodeName("demo@localhost")
                    .property("shutdown_hook", "false").build();
            WorkerState worker = WorkerState.withCeleryDefaults();
            Progress p = new Progress(err, "revoking", revokes, quiet);
            String location;
            try (StateStore store = celeriac.openStateStore(path, options)) {
                store.merge(worker);
                for (int i = 0; i < revokes; i++) {
                    worker.revoked().add(java.util.UUID.randomUUID().toString());
                    worker.clock().forward();
                    p.update(i + 1);
                }
                store.save(worker);
                location = store.location();
            }
            WorkerState restarted = WorkerState.withCeleryDefaults();
            try (StateStore store = celeriac.openStateStore(path, options)) {
                store.merge(restarted);
            }
            out.println();
            out.println("Worker state in " + location + " (each revoke on disk before add() returned):");
            Table t = new Table("", "REVOKED IDS", "CLOCK");
            t.row("before the restart", worker.revoked().size(), worker.clock().value());
            t.row("after reopening", restarted.revoked().size(), restarted.clock().value());
            t.print(out);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** Feeds a generated stream of worker and task events into an event state and prints the cluster. */
    private void cluster(Celeriac celeriac, PrintWriter out, PrintWriter err) {
        String[] workers = {"alpha@demo", "beta@demo", "gamma@demo"};
        String[] names = {"proj.add", "proj.resize_image", "proj.send_mail", "proj.report"};
        java.util.Random random = new java.util.Random(42);
        long clock = 0;
        double now = System.currentTimeMillis() / 1000.0;
        double t = now - 30;
        int made = 0;
        int task = 0;
        Progress p = new Progress(err, "events", events, quiet);
        try (io.celeriac.events.EventState state = celeriac.openEventState("memory://",
                io.celeriac.events.EventStateOptions.defaults())) {
            for (String w : workers) {
                state.event(event("worker-online", w, t, ++clock, Map.of("freq", 2.0, "active", 0L, "processed", 0L,
                        "sw_ident", "py-celery", "sw_ver", "5.2.6", "sw_sys", "Linux")));
                made++;
            }
            while (made < events) {
                String w = workers[random.nextInt(workers.length)];
                String id = String.format("%08x-%04x-demo", task, random.nextInt(0x10000));
                String name = names[task++ % names.length];
                t += 30.0 / Math.max(1, events);
                state.event(event("task-received", w, t, ++clock, Map.of("uuid", id, "name", name,
                        "args", "(" + task + ",)", "kwargs", "{}", "retries", 0L)));
                state.event(event("task-started", w, t + 0.001, ++clock, Map.of("uuid", id)));
                double runtime = 0.001 + random.nextDouble() / 10;
                int outcome = random.nextInt(20);
                if (outcome == 0) {
                    state.event(event("task-failed", w, t + runtime, ++clock, Map.of("uuid", id,
                            "exception", "ValueError('bad input')", "traceback", "Traceback ...")));
                } else if (outcome == 1) {
                    state.event(event("task-retried", w, t + runtime, ++clock, Map.of("uuid", id,
                            "exception", "ConnectionError('retry')", "traceback", "Traceback ...")));
                } else {
                    state.event(event("task-succeeded", w, t + runtime, ++clock, Map.of("uuid", id,
                            "result", Integer.toString(task * 2), "runtime", runtime)));
                }
                made += 3;
                if (task % 500 == 0) {
                    for (String hb : workers) {
                        state.event(event("worker-heartbeat", hb, now, ++clock, Map.of("freq", 2.0, "active", 1L,
                                "processed", (long) task / workers.length)));
                        made++;
                    }
                }
                p.update(Math.min(made, events));
            }
            for (String hb : workers) {
                state.event(event("worker-heartbeat", hb, now, ++clock, Map.of("freq", 2.0, "active", 0L,
                        "processed", (long) task / workers.length)));
            }
            state.event(event("worker-offline", workers[2], now, ++clock, Map.of("freq", 2.0)));
            out.println();
            out.println("Cluster state from " + state.eventCount() + " generated events (" + state.taskCount() + " tasks received):");
            Table wt = new Table("WORKER", "STATUS", "ACTIVE", "PROCESSED", "HEARTBEATS");
            for (io.celeriac.events.WorkerInfo w : state.workers()) {
                wt.row(w.hostname(), w.statusString(), w.active(), w.processed(), w.heartbeats().size());
            }
            wt.print(out);
            out.println();
            out.println("Latest tasks:");
            Table tt = new Table("UUID", "NAME", "STATE", "WORKER", "RUNTIME");
            for (io.celeriac.events.TaskInfo ti : state.tasksByTime(5)) {
                tt.row(ti.uuid(), ti.name(), ti.state(), ti.worker(),
                        ti.runtime() == null ? "" : String.format("%.3f s", ti.runtime()));
            }
            tt.print(out);
        }
    }

    private static io.celeriac.events.Event event(String type, String hostname, double timestamp, long clock, Map<String, Object> extra) {
        Map<String, Object> f = new java.util.LinkedHashMap<>();
        f.put("hostname", hostname);
        f.put("utcoffset", 0L);
        f.put("pid", (long) Math.abs(hostname.hashCode() % 30000));
        f.put("clock", clock);
        f.putAll(extra);
        f.put("timestamp", timestamp);
        f.put("type", type);
        f.put("local_received", timestamp);
        return new io.celeriac.events.Event(type, f);
    }
}
