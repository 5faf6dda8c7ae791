package io.celeriac.monitor.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data of the UI's charts, kept in memory over the last hour: tasks succeeded and failed per minute, runtime
 * percentiles per task name (over each name's latest runtimes) and queue depth samples. Thread-safe; bounded.
 */
final class Charts {
    /** Minutes kept. */
    static final int MINUTES = 60;
    /** Runtimes kept per task name for the percentiles. */
    static final int RUNTIMES = 512;
    /** Task names whose runtimes are kept; more are counted under {@code (other)}. */
    static final int MAX_NAMES = 500;
    /** Depth samples kept per queue. */
    static final int SAMPLES = 360;

    private final long[] minute = new long[MINUTES];
    private final long[] succeeded = new long[MINUTES];
    private final long[] failed = new long[MINUTES];
    private final Map<String, Ring> runtimes = new TreeMap<>();
    private final Map<String, Deque<double[]>> depths = new TreeMap<>();

    /** A ring of the latest runtimes of one task name. */
    private static final class Ring {
        final double[] values = new double[RUNTIMES];
        int size;
        int next;
        long count;

        void add(double v) {
            values[next] = v;
            next = (next + 1) % RUNTIMES;
            size = Math.min(size + 1, RUNTIMES);
            count++;
        }
    }

    /** Records a finished task: a success with its runtime, or a failure. */
    synchronized void finished(boolean success, String name, Double runtime, long nowMillis) {
        long m = nowMillis / 60_000;
        int i = (int) (m % MINUTES);
        if (minute[i] != m) {
            minute[i] = m;
            succeeded[i] = 0;
            failed[i] = 0;
        }
        if (success) {
            succeeded[i]++;
        } else {
            failed[i]++;
        }
        if (success && runtime != null) {
            String key = name == null ? "(unknown)" : name;
            Ring r = runtimes.get(key);
            if (r == null) {
                if (runtimes.size() >= MAX_NAMES) {
                    key = "(other)";
                }
                r = runtimes.computeIfAbsent(key, k -> new Ring());
            }
            r.add(runtime);
        }
    }

    /** Records the depth of each queue at one instant. */
    synchronized void sampleQueues(Map<String, long[]> queues, long nowMillis) {
        queues.forEach((q, v) -> {
            if (v[0] < 0) {
                return;
            }
            Deque<double[]> d = depths.computeIfAbsent(q, k -> new ArrayDeque<>());
            d.addLast(new double[] {nowMillis / 1000.0, v[0]});
            while (d.size() > SAMPLES) {
                d.removeFirst();
            }
        });
    }

    /** The charts as JSON-ready values. */
    synchronized Map<String, Object> toMap(long nowMillis) {
        Map<String, Object> out = new LinkedHashMap<>();
        long now = nowMillis / 60_000;
        List<Map<String, Object>> perMinute = new ArrayList<>();
        for (long m = now - MINUTES + 1; m <= now; m++) {
            int i = (int) (m % MINUTES);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("t", m * 60);
            p.put("succeeded", minute[i] == m ? succeeded[i] : 0);
            p.put("failed", minute[i] == m ? failed[i] : 0);
            perMinute.add(p);
        }
        out.put("per_minute", perMinute);
        List<Map<String, Object>> rt = new ArrayList<>();
        runtimes.forEach((name, r) -> {
            double[] v = Arrays.copyOf(r.values, r.size);
            Arrays.sort(v);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", name);
            p.put("count", r.count);
            p.put("p50", percentile(v, 0.50));
            p.put("p90", percentile(v, 0.90));
            p.put("p99", percentile(v, 0.99));
            p.put("max", v.length == 0 ? null : v[v.length - 1]);
            rt.add(p);
        });
        out.put("runtimes", rt);
        Map<String, Object> qs = new LinkedHashMap<>();
        depths.forEach((q, d) -> qs.put(q, new ArrayList<>(d)));
        out.put("queues", qs);
        return out;
    }

    /** The nearest-rank percentile of sorted values, or {@code null} when there are none. */
    static Double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
