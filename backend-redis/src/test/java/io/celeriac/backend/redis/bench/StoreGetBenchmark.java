package io.celeriac.backend.redis.bench;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.json.CeleryJson;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Single-thread throughput of {@code storeResult} and {@code getTaskMeta} on the loopback Redis, to compare
 * with {@code redis-benchmark -h 127.0.0.1 -c 1 -n 100000 -t set,get -d 200} (one connection, one request
 * at a time). Not a test: run it on purpose, on a quiet machine.
 *
 * <pre>
 * java -cp &lt;test class path&gt; io.celeriac.backend.redis.bench.StoreGetBenchmark [operations] [rounds]
 * </pre>
 *
 * It writes under a fresh key prefix in database 0 and deletes its keys afterwards.
 */
public final class StoreGetBenchmark {

    private StoreGetBenchmark() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args operations per round (default 100000) and rounds (default 3)
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        RedisTestServer server = TestServices.redis();
        String prefix = server.newKeyPrefix();
        String url = server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
        // a result whose stored meta is about 200 bytes, like redis-benchmark's -d 200 values
        String result = "x".repeat(48);
        try (Backend b = Celeriac.discover().openBackend(url)) {
            TaskMeta sample = b.storeResult("bench-sample", result, TaskState.SUCCESS);
            System.out.printf("stored meta: %d bytes%n", CeleryJson.encodeMeta(sample).length);
            for (int i = 0; i < 20_000; i++) { // warm-up
                b.storeResult("warm-" + (i % 1000), result, TaskState.STARTED);
                b.getTaskMeta("warm-" + (i % 1000));
            }
            for (int r = 1; r <= rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    b.storeResult("bench-" + i, result, TaskState.SUCCESS);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    TaskMeta m = b.getTaskMeta("bench-" + i);
                    if (m.status() != TaskState.SUCCESS) {
                        throw new IllegalStateException("read " + m.status());
                    }
                }
                long t2 = System.nanoTime();
                System.out.printf("round %d: storeResult %,.0f ops/s   getTaskMeta %,.0f ops/s%n", r,
                        n / ((t1 - t0) / 1e9), n / ((t2 - t1) / 1e9));
                for (int i = 0; i < n; i++) { // the next round overwrites nothing: SUCCESS is kept
                    b.forget("bench-" + i);
                }
            }
        } finally {
            server.deleteKeys(0, prefix);
        }
    }
}
