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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code celeriac demo}: exercises a backend end to end with no server and prints what happened.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Store results in every state, a group and a chord, wait on results completed by other threads, and print what happened.")
final class DemoCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--backend", description = "Backend URL (default: ${DEFAULT-VALUE}).", defaultValue = "memory://demo")
    String backendUrl;

    @Option(names = "--tasks", description = "Results to store per state (default: ${DEFAULT-VALUE}).", defaultValue = "20")
    int perState;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        AtomicReference<ChordCompletion> chordOutcome = new AtomicReference<>();
        BackendOptions options = BackendOptions.builder().resultExtended(true).chordCallback(chordOutcome::set).build();
        String run = Long.toString(System.currentTimeMillis(), 36);
        try (Backend backend = Celeriac.discover().openBackend(backendUrl, options)) {
            out.println("celeriac demo on " + backend.asUri());
            out.println();

            // 1. results in every state
            List<String> ids = new ArrayList<>();
            List<TaskState> states = List.of(TaskState.SUCCESS, TaskState.FAILURE, TaskState.RETRY, TaskState.REVOKED,
                    TaskState.STARTED, TaskState.of("PROGRESS"));
            for (TaskState s : states) {
                for (int i = 0; i < perState; i++) {
                    String id = run + "-" + s.name().toLowerCase() + "-" + i;
                    ids.add(id);
                    switch (s.name()) {
                        case "SUCCESS" -> backend.storeResult(id, Map.of("sum", (long) i * 2), s);
                        case "FAILURE" -> backend.markAsFailure(id, ExceptionInfo.builtin("ValueError", "bad input " + i), "Traceback (most recent call last):\nValueError\n", null);
                        case "RETRY" -> backend.markAsRetry(id, ExceptionInfo.builtin("ConnectionError", "retry " + i), null, null);
                        case "REVOKED" -> backend.markAsRevoked(id, "revoked", null);
                        case "STARTED" -> backend.markAsStarted(id, Map.of("pid", 4242L, "hostname", "demo@localhost"));
                        default -> backend.storeResult(id, Map.of("current", (long) i, "total", (long) perState), s);
                    }
                }
            }
            for (int i = 0; i < perState; i++) {
                ids.add(run + "-pending-" + i);
            }
            Map<String, Integer> byState = new TreeMap<>();
            for (TaskMeta m : backend.getMany(ids).values()) {
                byState.merge(m.status().name(), 1, Integer::sum);
            }
            out.println("Results by state (" + ids.size() + " ids read back with one getMany):");
            Table t = new Table("STATE", "COUNT", "READY");
            byState.forEach((s, n) -> t.row(s, n, TaskState.of(s).isReady() ? "yes" : "no"));
            t.print(out);
            out.println();

            // 2. a group
            String gid = run + "-group";
            List<String> members = ids.subList(0, 5);
            backend.saveGroup(GroupResult.ofTaskIds(gid, members));
            GroupResult restored = backend.restoreGroup(gid).orElseThrow();
            out.println("Group " + gid + " restored with " + restored.results().size() + " members: "
                    + String.join(", ", restored.memberIds()));
            out.println();

            // 3. a chord completed by 8 threads at once
            String cid = run + "-chord";
            int parts = 8;
            backend.setChordSize(cid, parts);
            ExecutorService pool = Executors.newFixedThreadPool(parts);
            try {
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                for (int i = 0; i < parts; i++) {
                    int idx = i;
                    fs.add(CompletableFuture.runAsync(() -> backend.onChordPartReturn(new ChordPart(cid, cid + "-part-" + idx, idx,
                            TaskState.SUCCESS, (long) idx * idx, null, Map.of("task", "demo.tsum"))), pool));
                }
                CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).join();

                // 4. waits completed by other threads
                int waiters = 10;
                List<CompletableFuture<TaskMeta>> waits = new ArrayList<>();
                List<String> waitIds = new ArrayList<>();
                for (int i = 0; i < waiters; i++) {
                    String id = run + "-wait-" + i;
                    waitIds.add(id);
                    waits.add(backend.waitForAsync(id, Duration.ofSeconds(30)));
                }
                long start = System.nanoTime();
                for (int i = 0; i < waiters; i++) {
                    String id = waitIds.get(i);
                    long value = i;
                    pool.submit(() -> backend.markAsDone(id, value * 10, null));
                }
                CompletableFuture.allOf(waits.toArray(new CompletableFuture[0])).join();
                long ms = (System.nanoTime() - start) / 1_000_000;

                ChordCompletion c = chordOutcome.get();
                out.println("Chord " + cid + " (" + parts + " parts returned by " + parts + " threads at once):");
                Table ct = new Table("OUTCOME", "RESULTS");
                ct.row(c == null ? "never completed" : c.failed() ? "failed: " + c.error().message() : "completed once", c == null ? "" : c.results());
                ct.print(out);
                out.println();
                out.println("Waits: " + waiters + " waiters woken by stores from other threads in " + ms + " ms");
                Map<String, Object> sample = new LinkedHashMap<>();
                TaskMeta first = waits.get(0).join();
                sample.put(first.taskId(), first.status() + " " + first.result());
                out.println("  e.g. " + sample);
            } finally {
                pool.shutdownNow();
            }
        }
        out.flush();
    }
}
