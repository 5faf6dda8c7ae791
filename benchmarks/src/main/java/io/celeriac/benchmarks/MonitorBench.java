package io.celeriac.benchmarks;

import io.celeriac.Celeriac;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.events.Event;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.monitor.internal.MonitorCore;
import io.celeriac.monitor.internal.MonitorServer;
import io.celeriac.monitor.internal.Settings;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.celeriac.benchmarks.Harness.progress;

/**
 * The monitor under load: the synthetic stream ({@link SyntheticEvents}: 1,000,000 events, 10 workers, 50,000
 * tasks) replayed into a running monitor (HTTP server, history writer and pollers live, broker on Redis) as
 * fast as it absorbs them, then the heap it keeps, then the latency of {@code /api/tasks?limit=100} and of a task
 * page while events flow at 10,000 per second. Every event must be applied and every task must reach the
 * history (none lost).
 */
final class MonitorBench {
    private final Options options;
    private final Table table;
    private final Celeriac celeriac;

    MonitorBench(Options options, Table table, Celeriac celeriac) {
        this.options = options;
        this.table = table;
        this.celeriac = celeriac;
    }

    private Settings settings(String broker, Path history) {
        return new Settings(celeriac, broker, null, BrokerOptions.defaults(), EventSourceOptions.defaults(), "127.0.0.1",
                0, null, null, null, true, false, history, 1_000_000, Duration.ofDays(3650), 50_000, 5_000,
                List.of("bench-monitor-idle"), Duration.ofSeconds(5), Duration.ZERO, 4);
    }

    void run() throws Exception {
        RedisTestServer server = TestServices.redis();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        progress("Monitor: generating " + String.format(Locale.ROOT, "%,d", SyntheticEvents.EVENTS) + " events");
        List<Event> events = SyntheticEvents.generate(42);
        long distinct = events.stream().map(Event::uuid).filter(java.util.Objects::nonNull).distinct().count();
        Path dir = Files.createTempDirectory("celeriac-monitor-bench");
        double[] rates = new double[options.runs()];
        double heapMiB = 0;
        long stored = 0;
        try (RedisTestServer.DatabaseLease lease = server.leaseDatabase()) {
            for (int r = -1; r < options.runs(); r++) { // run -1 warms the JIT up
                long baseline = Harness.usedAfterGc(mem);
                Path file = dir.resolve("history-" + (r + 1) + ".db");
                try (MonitorServer monitor = new MonitorServer(settings(lease.url(), file))) {
                    monitor.start();
                    MonitorCore core = monitor.core();
                    long t0 = System.nanoTime();
                    for (Event e : events) {
                        core.onEvent(e);
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    while (core.historyBacklog() > 0) {
                        Thread.sleep(50);
                    }
                    core.flushHistory();
                    if (core.eventsApplied() < events.size()) {
                        throw new IllegalStateException("events lost: " + core.eventsApplied() + " of " + events.size());
                    }
                    if (r >= 0) {
                        rates[r] = events.size() / secs;
                        progress(String.format(Locale.ROOT, "Monitor run %d: %,.0f events/s absorbed", r + 1, rates[r]));
                    }
                    if (r == options.runs() - 1) {
                        List<Event> keep = events;
                        events = null;
                        heapMiB = (Harness.usedAfterGc(mem) - baseline) / 1048576.0;
                        events = keep;
                        stored = core.storedTasks();
                        if (stored != distinct) {
                            throw new IllegalStateException("tasks lost on the way to the history: " + stored
                                    + " stored of " + distinct);
                        }
                    }
                }
            }
            table.add(Row.plain("Monitor absorbs 1,000,000 events (10 workers, " + String.format(Locale.ROOT, "%,d", distinct)
                    + " tasks, none lost), history on",
                    "events/s", Stats.of(rates)).withTarget("≥100,000 events/s", Stats.of(rates).median() >= 100_000));
            table.add(Row.plain("Monitor heap after (" + String.format(Locale.ROOT, "%,d", stored)
                    + " tasks in memory and in the history)", "MiB", Stats.of(heapMiB)).withTarget("≤512 MiB", heapMiB <= 512));
            latency(lease.url(), dir.resolve("latency.db"), events);
        }
    }

    /** Serves the task list and a task page while a feeder applies 10,000 events per second. */
    private void latency(String broker, Path file, List<Event> events) throws Exception {
        double seconds = Math.max(5, options.seconds() * 5);
        try (MonitorServer monitor = new MonitorServer(settings(broker, file))) {
            monitor.start();
            MonitorCore core = monitor.core();
            // a first part of the stream fills the state and the history
            int preload = 300_000;
            for (int i = 0; i < preload; i++) {
                core.onEvent(events.get(i));
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread feeder = new Thread(() -> {
                long start = System.nanoTime();
                int i = preload;
                while (!stop.get() && i < events.size()) {
                    long due = start + (long) ((i - preload) * 1e9 / 10_000);
                    long now = System.nanoTime();
                    if (due > now) {
                        java.util.concurrent.locks.LockSupport.parkNanos(due - now);
                        continue;
                    }
                    core.onEvent(events.get(i++));
                }
            }, "monitor-bench-feeder");
            feeder.start();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String taskId = events.get(preload / 2).uuid();
            List<Double> list = new ArrayList<>();
            List<Double> page = new ArrayList<>();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            int n = 0;
            while (System.nanoTime() < end) {
                boolean tasks = n++ % 2 == 0;
                String path = tasks ? "api/tasks?limit=100" : "api/monitor/task/" + taskId;
                long t0 = System.nanoTime();
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(monitor.url() + path)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                double ms = (System.nanoTime() - t0) / 1e6;
                if (r.statusCode() != 200) {
                    throw new IllegalStateException(path + " -> " + r.statusCode());
                }
                (tasks ? list : page).add(ms);
                Thread.sleep(5);
            }
            stop.set(true);
            feeder.join();
            Stats l = Stats.of(list);
            Stats p = Stats.of(page);
            progress(String.format(Locale.ROOT, "Monitor under 10,000 events/s: /api/tasks?limit=100 p50 %.1f ms p99 %.1f ms; "
                    + "task page p50 %.1f ms p99 %.1f ms", l.percentile(50), l.percentile(99), p.percentile(50), p.percentile(99)));
            table.add(Row.plain("Monitor /api/tasks?limit=100 p50 under 10,000 events/s", "ms", Stats.of(l.percentile(50))));
            table.add(Row.plain("Monitor /api/tasks?limit=100 p99 under 10,000 events/s", "ms", Stats.of(l.percentile(99)))
                    .withTarget("≤100 ms", l.percentile(99) <= 100));
            table.add(Row.plain("Monitor task page p99 under 10,000 events/s", "ms", Stats.of(p.percentile(99)))
                    .withTarget("≤100 ms", p.percentile(99) <= 100));
        }
    }
}
