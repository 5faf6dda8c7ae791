package io.celeriac.benchmarks;

import io.celeriac.events.Event;
import io.celeriac.json.CeleryJson;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A synthetic, reproducible event stream of a busy cluster: task events of {@value #TASKS} tasks (sent,
 * received, started, custom progress, succeeded, failed, retried and received again) interleaved with
 * heartbeats of {@value #WORKERS} workers (every 10th event), about 3 % delivered out of order. Lamport
 * clocks behave as in a live cluster (workers adjust to each other's heartbeats, the receiver gives
 * {@code task-sent} its own clock), or, with independent clocks, each sender counts on its own.
 * Stateless and thread-safe.
 */
public final class SyntheticEvents {

    /** Events in the full stream. */
    public static final int EVENTS = 1_000_000;
    /** Tasks in the full stream. */
    public static final int TASKS = 50_000;
    /** Workers sending events and heartbeats. */
    public static final int WORKERS = 10;

    private SyntheticEvents() {
    }

    /**
     * Generates the full stream with live-cluster clocks.
     *
     * @param seed the random seed
     * @return {@value #EVENTS} events, as delivered
     */
    public static List<Event> generate(long seed) {
        return generate(seed, false);
    }

    /**
     * Writes events as JSON lines (one event's fields per line), the way Python reads them back.
     *
     * @param events the events
     * @param file the file to write
     * @throws IOException when writing fails
     */
    public static void writeJsonl(List<Event> events, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (Event e : events) {
                out.write(CeleryJson.encode(e.fields()));
                out.write('\n');
            }
        }
    }

    /**
     * Generates the full stream.
     *
     * @param seed the random seed
     * @param independentClocks {@code false} for clocks as a live cluster has them: workers adjust their
     *                          Lamport clocks to each other's heartbeats (gossip) and the receiver gives
     *                          {@code task-sent} its own clock - 1; {@code true} for every sender counting on
     *                          its own, which puts most events deep into the time index (harsher on both
     *                          Celery and celeriac)
     * @return {@value #EVENTS} events, as delivered
     */
    public static List<Event> generate(long seed, boolean independentClocks) {
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
}
