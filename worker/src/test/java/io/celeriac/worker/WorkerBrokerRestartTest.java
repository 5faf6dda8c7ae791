package io.celeriac.worker;

import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.client.control.Target;
import io.celeriac.testing.PrivateRabbitMq;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The broker goes away under a running worker and comes back: a RabbitMQ node of the test's own is stopped and
 * started again (same port, same data) while the in-process worker runs a task; the task's result is stored (Redis
 * results), and tasks and remote control sent after the restart are served by the same worker, whose connection and
 * subscriptions were recovered.
 */
class WorkerBrokerRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Stop-and-start rounds. */
    private static final int ROUNDS = 2;

    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();

    private static CountDownLatch latch(Map<String, CountDownLatch> m, String key) {
        return m.computeIfAbsent(key, k -> new CountDownLatch(1));
    }

    private String hold(String key) throws InterruptedException {
        latch(started, key).countDown();
        if (!latch(gates, key).await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the gate of " + key + " never opened");
        }
        return "released " + key;
    }

    @Test
    @Timeout(300)
    void theWorkerServesTasksAndControlAgainAfterTheNodeRestarts() throws Exception {
        assumeTrue(PrivateRabbitMq.available() || "true".equalsIgnoreCase(System.getenv("CI")),
                "rabbitmq-server is not installed here, so no private node can be started");
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String queue = "restart-" + tag;
        String node = "restart-" + tag + "@test";
        TaskRegistry registry = new TaskRegistry();
        registry.register("r.hold", ctx -> hold(ctx.arg(0, String.class)));
        registry.register("r.add", ctx -> ctx.arg(0, Long.class) + ctx.arg(1, Long.class));
        try (PrivateRabbitMq rabbit = PrivateRabbitMq.start();
             RedisTestServer.DatabaseLease db = TestServices.redis().leaseDatabase()) {
            String url = rabbit.url() + "?recovery_interval=0.5&heartbeat=5&connect_timeout=3";
            Target me = Target.nodes(node).withTimeout(Duration.ofSeconds(2)).withReply(true);
            try (Worker worker = Worker.builder().brokerUrl(url).backendUrl(db.url()).tasks(registry)
                    .queues(List.of(queue)).defaultQueue(queue).concurrency(2).nodename(node)
                    .heartbeatInterval(Duration.ofSeconds(1)).shutdownTimeout(Duration.ofSeconds(5)).build().start();
                 CeleryClient client = CeleryClient.builder().brokerUrl(url).backendUrl(db.url()).defaultQueue(queue)
                         .build()) {
                assertThat(client.send("r.add", List.of(1, 2), null, SendOptions.none()).get(WAIT)).isEqualTo(3L);
                for (int round = 0; round < ROUNDS; round++) {
                    int r = round;
                    String key = "across-" + r + "-" + tag;
                    AsyncResult held = client.send("r.hold", List.of(key), null, SendOptions.none());
                    assertThat(latch(started, key).await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

                    rabbit.stop();
                    rabbit.restart();

                    // the task that ran across the restart (acknowledged early) still stores its result
                    latch(gates, key).countDown();
                    assertThat(held.get(WAIT)).isEqualTo("released " + key);

                    // the client's own connection recovers too: send until a publish goes through
                    AtomicReference<AsyncResult> after = new AtomicReference<>();
                    await().atMost(WAIT).ignoreExceptions().until(() -> {
                        after.set(client.send("r.add", List.of(3, r), null, SendOptions.none()));
                        return true;
                    });
                    assertThat(after.get().get(WAIT)).as("round %d", r).isEqualTo(3L + r);
                    for (int i = 0; i < 3; i++) {
                        assertThat(client.send("r.add", List.of(i, i), null, SendOptions.none()).get(WAIT))
                                .isEqualTo(2L * i);
                    }
                    // remote control: the worker's pidbox queue and consumer were recovered too
                    await().atMost(WAIT).untilAsserted(() -> assertThat(client.control().ping(me).ok())
                            .containsEntry(node, "pong"));
                }
                assertThat(worker.isRunning()).isTrue();
                assertThat(Objects.requireNonNull(worker.totals().get("r.add"))).isGreaterThanOrEqualTo(1L + 4L * ROUNDS);
            }
        }
    }
}
