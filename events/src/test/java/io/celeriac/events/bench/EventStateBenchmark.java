package io.celeriac.events.bench;

import io.celeriac.events.Event;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.state.MemoryEventState;
import io.celeriac.json.CeleryJson;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput and retained heap of {@link MemoryEventState} on 1,000,000 synthetic events: task events of
 * 50,000 tasks (sent, received, started, custom progress, succeeded, failed, retried and received again),
 * interleaved with heartbeats of 10 workers (every 10th event), about 3 % delivered out of order. Lamport
 * clocks behave as in a live cluster (workers adjust to each other's heartbeats, the receiver gives
 * {@code task-sent} its own clock), or with {@code --independent-clocks} each sender counts on its own.
 *
 * <p>Not a test: run it on purpose (see the events module's README section). Arguments:
 * {@code [rounds] [--stream] [--readers] [--independent-clocks] [--write-jsonl FILE]}. Each round applies the whole stream to a
 * fresh state with Celery's default limits and prints events/s, by the wall clock and per CPU-second of the
 * applying thread (the machine may be shared). By default the 1,000,000 events are generated first and
 * applied from memory (cold: the events no longer fit in the CPU cache); {@code --stream} applies them as
 * a live source would: message by message (24 events, Celery's {@code task.multi} buffer limit), each freshly
 * decoded from its JSON and then applied, timing only the applying; {@code --readers} adds a dashboard-like thread that
 * meanwhile reads {@code tasksByTime(50)}, {@code aliveWorkers()} and one {@code task(id)} every millisecond
 * and takes a whole {@code snapshot()} every 100 ms, and reports how long those reads took;
 * {@code --write-jsonl} also writes the stream as JSON lines, for {@code celery_state_benchmark.py}.
 */
public final class EventStateBenchmark {

    static final int EVENTS = 1_000_000;
    static final int TASKS = 50_000;
    static final int WORKERS = 10;
    /** Events per message in --stream mode: Celery's task.multi buffer limit. */
    static final int BATCH = 24;

    /** Keeps the JIT from dropping work whose result is unused. */
    static long sink;

    private EventStateBenchmark() {
    }

    /**
     * Generates the stream.
     *
     * @param seed the random seed
     * @return the events, as delivered
     */
    static List<Event> generate(long seed) {
        return generate(seed, false);
    }

    /**
     * Generates the stream.
     *
     * @param seed the random seed
     * @param independentClocks {@code false} for clocks as a live cluster has them: workers adjust their
     *                          Lamport clocks to each other's heartbeats (gossip) and the receiver gives
     *                          {@code task-sent} its own clock - 1; {@code true} for every sender counting on
     *                          its own, which puts most events deep into the time index (harsher on both
     *                          Celery and celeriac)
     * @return the events, as delivered
     */
    static List<Event> generate(long seed, boolean independentClocks) {
        Random rnd = new Random(seed);
        List<Event> out = new ArrayList<>(EVENTS);
        String[] workers = new String[WORKERS];
        long[] workerClock = new long[WORKERS];
        for (int i = 0; i < WORKERS; i++) {
            workers[i] = "worker" + i + "@bench";
        }
        List<int[]> inFlight = new ArrayList<>(); // {task index, stage, worker, retries}
        String[] ids = new String[TASKS];
        String[] names = {"proj.add", "proj.mul", "proj.fetch", "proj.report", "proj.resize"};
        int nextTask = 0;
        long clientClock = 0;
        double now = 1_795_263_400.0;
        int heartbeatWorker = 0;
        while (out.size() < EVENTS) {
            now += 0.0005;
            Map<String, Object> f = new LinkedHashMap<>();
            if (out.size() % 10 == 9) {
                int w = heartbeatWorker++ % WORKERS;
                if (!independentClocks) {
                    // gossip: every other worker adjusts its clock to this heartbeat's
                    long beat = workerClock[w] + 1;
                    for (int o = 0; o < WORKERS; o++) {
                        if (o != w) {
                            workerClock[o] = Math.max(workerClock[o], beat) + 1;
                        }
                    }
                }
                f.put("hostname", workers[w]);
                f.put("utcoffset", 0L);
                f.put("pid", 1000L + w);
                f.put("clock", ++workerClock[w]);
                f.put("freq", 2.0);
                f.put("active", (long) rnd.nextInt(8));
                f.put("processed", (long) out.size());
                f.put("loadavg", List.of(1.5, 1.2, 0.9));
                f.put("sw_ident", "py-celery");
                f.put("sw_ver", "5.2.6");
                f.put("sw_sys", "Linux");
                f.put("timestamp", now);
                f.put("type", "worker-heartbeat");
                f.put("local_received", now + 0.001);
                out.add(new Event("worker-heartbeat", f));
                continue;
            }
            if (nextTask < TASKS && (inFlight.size() < 2000 || rnd.nextInt(20) == 0)) {
                int t = nextTask++;
                ids[t] = java.util.UUID.nameUUIDFromBytes(("bench-" + seed + "-" + t).getBytes()).toString();
                f.put("hostname", "gen" + (t % 2) + "@bench");
                f.put("utcoffset", 0L);
                f.put("pid", 500L + t % 2);
                f.put("clock", ++clientClock); // a live receiver replaces it: see below
                f.put("uuid", ids[t]);
                f.put("root_id", ids[t]);
                f.put("parent_id", null);
                f.put("name", names[t % names.length]);
                f.put("args", "(" + t + ", 2)");
                f.put("kwargs", "{}");
                f.put("retries", 0L);
                f.put("eta", null);
                f.put("expires", null);
                f.put("queue", "celery");
                f.put("exchange", "");
                f.put("routing_key", "celery");
                f.put("timestamp", now);
                f.put("type", "task-sent");
                f.put("local_received", now + 0.001);
                out.add(new Event("task-sent", f));
                inFlight.add(new int[] {t, 0, rnd.nextInt(WORKERS), 0});
                continue;
            }
            if (inFlight.isEmpty()) {
                break;
            }
            int pick = rnd.nextInt(inFlight.size());
            int[] st = inFlight.get(pick);
            int w = st[2];
            f.put("hostname", workers[w]);
            f.put("utcoffset", 0L);
            f.put("pid", 1000L + w);
            f.put("clock", ++workerClock[w]);
            f.put("uuid", ids[st[0]]);
            String type;
            if (st[1] == 0) {
                type = "task-received";
                f.put("name", names[st[0] % names.length]);
                f.put("args", "(" + st[0] + ", 2)");
                f.put("kwargs", "{}");
                f.put("root_id", ids[st[0]]);
                f.put("parent_id", null);
                f.put("retries", (long) st[3]);
                f.put("eta", null);
                f.put("expires", null);
                st[1] = 1;
            } else if (st[1] == 1) {
                type = "task-started";
                st[1] = 2;
            } else {
                double r = rnd.nextDouble();
                if (r < 0.93) {
                    type = "task-progress";
                    f.put("current", (long) rnd.nextInt(100));
                    f.put("total", 100L);
                } else if (r < 0.985) {
                    type = "task-succeeded";
                    f.put("result", "'" + st[0] + "'");
                    f.put("runtime", rnd.nextDouble());
                    inFlight.set(pick, inFlight.get(inFlight.size() - 1));
                    inFlight.remove(inFlight.size() - 1);
                } else if (r < 0.992) {
                    type = "task-failed";
                    f.put("exception", "ValueError('" + st[0] + "')");
                    f.put("traceback", "Traceback (most recent call last):\nValueError\n");
                    inFlight.set(pick, inFlight.get(inFlight.size() - 1));
                    inFlight.remove(inFlight.size() - 1);
                } else {
                    type = "task-retried";
                    f.put("exception", "Retry('later')");
                    f.put("traceback", "Traceback (most recent call last):\nRetry\n");
                    st[1] = 0;
                    st[3]++;
                    st[2] = rnd.nextInt(WORKERS);
                }
            }
            f.put("timestamp", now);
            f.put("type", type);
            f.put("local_received", now + 0.001);
            out.add(new Event(type, f));
        }
        // about 3 % of the events swap places with the next one: out-of-order delivery
        for (int i = 0; i + 1 < out.size(); i++) {
            if (rnd.nextInt(33) == 0) {
                Event a = out.get(i);
                out.set(i, out.get(i + 1));
                out.set(i + 1, a);
                i++;
            }
        }
        if (!independentClocks) {
            // the receiver's clock rules, in delivery order: task-sent gets (receiver clock or 1) - 1, every
            // event moves the receiver's clock to max(its clock, the event's) + 1
            long receiver = 0;
            for (int i = 0; i < out.size(); i++) {
                Event e = out.get(i);
                if ("task-sent".equals(e.type())) {
                    long c = (receiver == 0 ? 1 : receiver) - 1;
                    Map<String, Object> f = new LinkedHashMap<>(e.fields());
                    f.put("clock", c);
                    out.set(i, new Event(e.type(), f));
                    receiver = Math.max(receiver, c) + 1;
                } else {
                    receiver = Math.max(receiver, e.clock()) + 1;
                }
            }
        }
        return out;
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code [rounds] [--readers] [--write-jsonl FILE]}
     * @throws Exception on I/O errors
     */
    public static void main(String[] args) throws Exception {
        int rounds = 5;
        boolean readers = false;
        boolean stream = false;
        boolean independentClocks = false;
        Path jsonl = null;
        for (int i = 0; i < args.length; i++) {
            if ("--readers".equals(args[i])) {
                readers = true;
            } else if ("--stream".equals(args[i])) {
                stream = true;
            } else if ("--independent-clocks".equals(args[i])) {
                independentClocks = true;
            } else if ("--write-jsonl".equals(args[i])) {
                jsonl = Path.of(args[++i]);
            } else {
                rounds = Integer.parseInt(args[i]);
            }
        }
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long baseline = usedAfterGc(mem);
        List<Event> events = generate(42, independentClocks);
        Map<String, Integer> mix = new TreeMap<>();
        for (Event e : events) {
            mix.merge(e.type(), 1, Integer::sum);
        }
        System.out.printf("stream: %,d events %s%n", events.size(), mix);
        if (jsonl != null) {
            writeJsonl(events, jsonl);
            System.out.println("wrote " + jsonl);
        }
        byte[][] encoded = null;
        if (stream) {
            encoded = new byte[events.size()][];
            for (int i = 0; i < encoded.length; i++) {
                encoded[i] = CeleryJson.encode(events.get(i).fields());
            }
        }
        Event[] decoded = new Event[BATCH];
        String[] sampleIds = new String[4096];
        for (int i = 0; i < sampleIds.length; i++) {
            String id = events.get(i * (events.size() / sampleIds.length)).uuid();
            sampleIds[i] = id == null ? "none" : id;
        }
        MemoryEventState kept = null;
        for (int round = 1; round <= rounds; round++) {
            MemoryEventState state = new MemoryEventState(EventStateOptions.defaults());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            AtomicLong readNanos = new AtomicLong();
            AtomicLong readMax = new AtomicLong();
            AtomicLong snapshots = new AtomicLong();
            AtomicLong snapshotNanos = new AtomicLong();
            AtomicLong snapshotMax = new AtomicLong();
            Thread reader = null;
            if (readers) {
                reader = new Thread(() -> {
                    // a dashboard: every millisecond the 50 newest tasks, the alive workers and one task; every
                    // 100 ms a whole snapshot
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    long nextSnapshot = System.nanoTime();
                    while (!stop.get()) {
                        long a = System.nanoTime();
                        state.tasksByTime(50);
                        state.aliveWorkers();
                        state.task(sampleIds[r.nextInt(sampleIds.length)]);
                        long b = System.nanoTime();
                        reads.addAndGet(3);
                        readNanos.addAndGet(b - a);
                        readMax.accumulateAndGet(b - a, Math::max);
                        if (b >= nextSnapshot) {
                            state.snapshot();
                            long c = System.nanoTime();
                            snapshots.incrementAndGet();
                            snapshotNanos.addAndGet(c - b);
                            snapshotMax.accumulateAndGet(c - b, Math::max);
                            nextSnapshot = c + 100_000_000L;
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                    }
                }, "bench-reader");
                reader.start();
            }
            long cpu = 0;
            long wall = 0;
            if (!stream) {
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int i = 0, n = events.size(); i < n; i++) {
                    state.event(events.get(i));
                }
                wall = System.nanoTime() - t0;
                cpu = threads.getCurrentThreadCpuTime() - c0;
            } else {
                // as a live source delivers them: message by message, each decoded from JSON and then applied,
                // so the events are still in the CPU cache. The applying time is the time of decoding and
                // applying minus the time of decoding alone (timing every message would cost more than it).
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int from = 0; from < events.size(); from += BATCH) {
                    int n = Math.min(events.size(), from + BATCH);
                    for (int i = from; i < n; i++) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> body = (Map<String, Object>) CeleryJson.decode(encoded[i]);
                        sink += body.size();
                        decoded[i - from] = Event.of(body);
                    }
                    for (int i = 0; i < n - from; i++) {
                        state.event(decoded[i]);
                    }
                }
                long wallBoth = System.nanoTime() - t0;
                long cpuBoth = threads.getCurrentThreadCpuTime() - c0;
                c0 = threads.getCurrentThreadCpuTime();
                t0 = System.nanoTime();
                for (int from = 0; from < events.size(); from += BATCH) {
                    int n = Math.min(events.size(), from + BATCH);
                    for (int i = from; i < n; i++) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> body = (Map<String, Object>) CeleryJson.decode(encoded[i]);
                        sink += body.size();
                        decoded[i - from] = Event.of(body);
                    }
                    for (int i = 0; i < n - from; i++) {
                        sink += decoded[i].type().length();
                    }
                }
                wall = wallBoth - (System.nanoTime() - t0);
                cpu = cpuBoth - (threads.getCurrentThreadCpuTime() - c0);
            }
            stop.set(true);
            if (reader != null) {
                reader.join();
            }
            double secs = wall / 1e9;
            System.out.printf("round %d: %,.0f events/s wall (%.3f s), %,.0f events per CPU-second of the applying "
                            + "thread%s; tasks kept %d, time index %d, task count %d%n",
                    round, events.size() / secs, secs, events.size() / (cpu / 1e9),
                    readers ? String.format(", meanwhile %,d reads (3 per %.0f µs on average, at most %.0f µs) and %d "
                            + "snapshots (%.1f ms on average, at most %.1f ms)", reads.get(),
                            readNanos.get() / 1e3 / Math.max(1, reads.get() / 3), readMax.get() / 1e3, snapshots.get(),
                            snapshotNanos.get() / 1e6 / Math.max(1, snapshots.get()), snapshotMax.get() / 1e6) : "",
                    state.tasks().size(), state.timeIndexSize(), state.taskCount());
            if (kept != null) {
                kept.close();
            }
            kept = state;
        }
        events = null;
        mix = null;
        long used = usedAfterGc(mem);
        System.out.printf("retained heap of one state with default limits (after GC): %,d bytes (%.1f MiB); "
                + "tasks %d, workers %d, time index %d%n", used - baseline, (used - baseline) / 1048576.0,
                kept.tasks().size(), kept.workers().size(), kept.timeIndexSize());
        kept.close();
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    private static void writeJsonl(List<Event> events, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (Event e : events) {
                out.write(CeleryJson.encode(e.fields()));
                out.write('\n');
            }
        }
    }
}
