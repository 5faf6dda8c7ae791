package io.celeriac.backend.redis.bench;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.json.CeleryJson;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Single-thread throughput of {@code storeResult} and {@code getTaskMeta} on the test Redis, next to the
 * yardstick {@code redis-benchmark -c 1 -n <n> -t set,get -d 200} (one connection, one request at a time).
 * Not a test: run it on purpose.
 *
 * <pre>
 * java -cp &lt;test class path&gt; io.celeriac.backend.redis.bench.StoreGetBenchmark [operations] [rounds]
 * </pre>
 *
 * <p>Each round runs redis-benchmark first, then {@code storeResult} over {@code operations} fresh ids, then
 * {@code getTaskMeta} over the same ids, and prints the ratios; on a shared machine whose load drifts, the
 * per-round ratios and their median are what to compare. It writes under a fresh key prefix in database 0
 * and deletes its keys afterwards.
 */
public final class StoreGetBenchmark {

    private static final Pattern RPS = Pattern.compile("(SET|GET): ([0-9.]+) requests per second");

    private StoreGetBenchmark() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args operations per round (default 100000) and rounds (default 5)
     * @throws Exception when redis-benchmark cannot run
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        RedisTestServer server = TestServices.redis();
        String prefix = server.newKeyPrefix();
        String url = server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
        String result = "x".repeat(48); // a stored meta of about 200 bytes, like -d 200
        List<Double> storeRatios = new ArrayList<>();
        List<Double> getRatios = new ArrayList<>();
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        try (Backend b = Celeriac.discover().openBackend(url)) {
            TaskMeta sample = b.storeResult("bench-sample", result, TaskState.SUCCESS);
            System.out.printf("stored meta: %d bytes; %d operations per round%n", CeleryJson.encodeMeta(sample).length, n);
            for (int i = 0; i < 60_000; i++) { // warm-up
                b.storeResult("warm-" + (i % 1000), result, TaskState.STARTED);
                b.getTaskMeta("warm-" + (i % 1000));
            }
            for (int r = 1; r <= rounds; r++) {
                double[] yard = redisBenchmark(server, n);
                long c0 = cpu.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    b.storeResult("bench-" + r + "-" + i, result, TaskState.SUCCESS);
                }
                long t1 = System.nanoTime();
                long c1 = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < n; i++) {
                    TaskMeta m = b.getTaskMeta("bench-" + r + "-" + i);
                    if (m.status() != TaskState.SUCCESS) {
                        throw new IllegalStateException("read " + m.status());
                    }
                }
                long t2 = System.nanoTime();
                long c2 = cpu.getCurrentThreadCpuTime();
                double store = n / ((t1 - t0) / 1e9);
                double get = n / ((t2 - t1) / 1e9);
                storeRatios.add(store / yard[0]);
                getRatios.add(get / yard[1]);
                System.out.printf("round %d: redis-benchmark SET %,.0f GET %,.0f | storeResult %,.0f (%.2fx SET) getTaskMeta %,.0f (%.2fx GET)"
                                + " | client CPU per op: store %.1f us, get %.1f us%n",
                        r, yard[0], yard[1], store, store / yard[0], get, get / yard[1], (c1 - c0) / 1e3 / n, (c2 - c1) / 1e3 / n);
            }
        } finally {
            server.deleteKeys(0, prefix);
        }
        System.out.printf("median: storeResult %.2fx SET, getTaskMeta %.2fx GET%n", median(storeRatios), median(getRatios));
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }

    private static double[] redisBenchmark(RedisTestServer server, int n) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-benchmark", "-h", server.host(), "-p", Integer.toString(server.port()),
                "-c", "1", "-n", Integer.toString(n), "-t", "set,get", "-d", "200", "-q"));
        if (server.password() != null) {
            cmd.addAll(List.of("-a", server.password()));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.MINUTES);
        double[] rps = new double[2];
        Matcher m = RPS.matcher(out.replace('\r', '\n'));
        while (m.find()) {
            rps[m.group(1).equals("SET") ? 0 : 1] = Double.parseDouble(m.group(2));
        }
        if (rps[0] == 0 || rps[1] == 0) {
            throw new IllegalStateException("unexpected redis-benchmark output: " + out);
        }
        return rps;
    }
}
