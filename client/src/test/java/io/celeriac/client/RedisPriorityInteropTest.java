package io.celeriac.client;

import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On Redis, priorities order a queue as kombu does: tasks queued with priorities 9, 6, 3, 0, 5 before any worker
 * runs are run by a one-at-a-time Celery 5.2.6 worker in the order 0, 3, 5, 6, 9 (a smaller number first, FIFO
 * within one step of 0/3/6/9).
 */
class RedisPriorityInteropTest {

    @Test
    void aWorkerStartedLaterRunsTheQueueInPriorityOrder() throws Exception {
        PythonCelery.assumeAvailable();
        RedisTestServer redis = TestServices.redis();
        String queue = "client-prio-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("celeriac-client-prio");
        Files.writeString(dir.resolve("proj.py"), PythonCelery.resource(getClass(), "proj.py"));
        try (RedisTestServer.DatabaseLease brokerDb = redis.leaseDatabase();
             RedisTestServer.DatabaseLease backendDb = redis.leaseDatabase();
             CeleryClient client = CeleryClient.builder().brokerUrl(brokerDb.url()).backendUrl(backendDb.url())
                     .defaultQueue(queue).build()) {
            Map<Integer, AsyncResult> sent = new LinkedHashMap<>();
            for (int p : List.of(9, 6, 3, 0, 5)) {
                sent.put(p, client.send("proj.when", List.of(p), null, SendOptions.builder().priority(p).build()));
            }
            Map<String, String> env = Map.of("CELERIAC_BROKER", brokerDb.url(), "CELERIAC_BACKEND", backendDb.url(),
                    "CELERIAC_QUEUE", queue, "PYTHONPATH", dir.toString());
            Process worker = PythonCelery.startBackground(null, dir.resolve("worker.log"), env, dir, "-m", "celery",
                    "-A", "proj", "worker", "-P", "solo", "--prefetch-multiplier", "1", "-Q", queue,
                    "--without-mingle", "--without-gossip", "--without-heartbeat", "-n", queue + "@test");
            try {
                Map<Integer, Double> ranAt = new LinkedHashMap<>();
                for (Map.Entry<Integer, AsyncResult> e : sent.entrySet()) {
                    ranAt.put(e.getKey(), e.getValue().get(Duration.ofSeconds(60), Double.class));
                }
                List<Integer> order = new ArrayList<>(ranAt.keySet());
                order.sort(Comparator.comparing(ranAt::get));
                assertThat(order).containsExactly(0, 3, 5, 6, 9);
            } finally {
                PythonCelery.stop(worker);
                client.broker().deleteQueue(queue);
                client.broker().deleteExchange(queue);
            }
        }
    }
}
