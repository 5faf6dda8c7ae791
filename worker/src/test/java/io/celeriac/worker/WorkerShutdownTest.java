package io.celeriac.worker;

import io.celeriac.backend.TaskState;
import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.client.control.Target;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shutting a worker down with work in hand (in-process, Redis broker and results in a leased database): a warm
 * shutdown ({@link Worker#close()}) lets the running task finish and store its result, and puts the messages it had
 * reserved but not started back on the queue, where the next worker finds them; a cold one
 * ({@link Worker#shutdownNow()}) interrupts the running task, stores nothing for it, and puts the message of a task
 * acknowledged late back on the queue.
 */
class WorkerShutdownTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> exited = new ConcurrentHashMap<>();
    private final List<Worker> workers = new ArrayList<>();
    private RedisTestServer.DatabaseLease db;
    private CeleryClient client;
    private String queue;
    private String tag;

    @BeforeEach
    void open() {
        db = TestServices.redis().leaseDatabase();
        tag = UUID.randomUUID().toString().substring(0, 8);
        queue = "shutdown-" + tag;
        client = CeleryClient.builder().brokerUrl(db.url()).backendUrl(db.url()).defaultQueue(queue).build();
    }

    @AfterEach
    void close() {
        try {
            gates.values().forEach(CountDownLatch::countDown);
            workers.forEach(Worker::shutdownNow);
            client.broker().deleteQueue(queue);
            client.broker().deleteExchange(queue);
            client.close();
        } finally {
            db.close();
        }
    }

    private static CountDownLatch latch(Map<String, CountDownLatch> m, String key) {
        return m.computeIfAbsent(key, k -> new CountDownLatch(1));
    }

    private String hold(String key) throws InterruptedException {
        latch(started, key).countDown();
        try {
            if (!latch(gates, key).await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the gate of " + key + " never opened");
            }
            return "released " + key;
        } finally {
            latch(exited, key).countDown();
        }
    }

    private Worker worker(String name, boolean acksLate) {
        TaskRegistry registry = new TaskRegistry();
        registry.register("s.hold", ctx -> hold(ctx.arg(0, String.class)));
        registry.register("s.add", ctx -> ctx.arg(0, Long.class) + ctx.arg(1, Long.class));
        Worker w = Worker.builder().brokerUrl(db.url()).backendUrl(db.url()).tasks(registry).queues(List.of(queue))
                .defaultQueue(queue).concurrency(1).acksLate(acksLate).trackStarted(true).nodename(node(name))
                .heartbeatInterval(Duration.ofSeconds(1)).shutdownTimeout(WAIT).build();
        workers.add(w);
        return w.start();
    }

    private String node(String name) {
        return name + "-" + tag + "@test";
    }

    private AsyncResult send(String task, Object... args) {
        return client.send(task, List.of(args), null, SendOptions.none());
    }

    private long waiting() {
        return client.broker().queueStats(queue).messages();
    }

    @Test
    void aWarmShutdownFinishesTheRunningTaskAndGivesBackTheReservedMessages() throws Exception {
        Worker first = worker("warm1", false);
        String key = "warm-" + tag;
        AsyncResult held = send("s.hold", key);
        assertThat(latch(started, key).await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<AsyncResult> adds = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            adds.add(send("s.add", i, i));
        }
        String n1 = node("warm1");
        Target me = Target.nodes(n1).withTimeout(Duration.ofSeconds(2)).withReply(true);
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.control().inspect(me).reserved().lists().get(n1))
                .hasSize(3));

        Thread closer = new Thread(first::close, "warm-shutdown");
        closer.start();
        // the reserved messages go back while the running task still runs
        await().atMost(WAIT).until(() -> waiting() == 3);
        assertThat(closer.isAlive()).isTrue();
        assertThat(first.isRunning()).isFalse();
        assertThat(held.state()).isEqualTo(TaskState.STARTED);

        latch(gates, key).countDown();
        assertThat(held.get(WAIT)).isEqualTo("released " + key);
        closer.join(WAIT.toMillis());
        assertThat(closer.isAlive()).isFalse();
        assertThat(first.awaitTermination(WAIT)).isTrue();
        assertThat(first.totals()).containsEntry("s.hold", 1L).doesNotContainKey("s.add");
        for (AsyncResult r : adds) {
            assertThat(r.state()).isEqualTo(TaskState.PENDING);
        }

        Worker second = worker("warm2", false);
        for (int i = 0; i < adds.size(); i++) {
            assertThat(adds.get(i).get(WAIT)).isEqualTo(2L * (i + 1));
        }
        assertThat(second.totals()).containsEntry("s.add", 3L).doesNotContainKey("s.hold");
        second.close();
    }

    @Test
    void aWarmShutdownKeepsTheMessageOfARunningAcksLateTaskAndGivesBackTheReservedOnesAfterIt() throws Exception {
        Worker first = worker("late1", true);
        String key = "late-" + tag;
        AsyncResult held = send("s.hold", key);
        assertThat(latch(started, key).await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<AsyncResult> adds = List.of(send("s.add", 1, 1), send("s.add", 2, 2));
        String n1 = node("late1");
        Target me = Target.nodes(n1).withTimeout(Duration.ofSeconds(2)).withReply(true);
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.control().inspect(me).reserved().lists().get(n1))
                .hasSize(2));

        Thread closer = new Thread(first::close, "warm-shutdown");
        closer.start();
        await().atMost(WAIT).until(() -> !first.isRunning());
        // giving the reserved messages back now would give back the running task's too (one cancel for all)
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> waiting() == 0);

        latch(gates, key).countDown();
        assertThat(held.get(WAIT)).isEqualTo("released " + key);
        closer.join(WAIT.toMillis());
        assertThat(closer.isAlive()).isFalse();
        assertThat(waiting()).isEqualTo(2);

        Worker second = worker("late2", true);
        assertThat(adds.get(0).get(WAIT)).isEqualTo(2L);
        assertThat(adds.get(1).get(WAIT)).isEqualTo(4L);
        assertThat(second.totals()).containsEntry("s.add", 2L).doesNotContainKey("s.hold");
        second.close();
    }

    @Test
    void aColdShutdownInterruptsTheTaskAndGivesBackTheMessageOfAnAcksLateTask() throws Exception {
        Worker first = worker("cold1", true);
        String key = "cold-" + tag;
        AsyncResult held = send("s.hold", key);
        assertThat(latch(started, key).await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).until(() -> TaskState.STARTED.equals(held.state()));

        first.shutdownNow();
        assertThat(latch(exited, key).await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the task was interrupted")
                .isTrue();
        assertThat(first.awaitTermination(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> waiting() == 1);
        // the interrupted run stored nothing: its message is back, so the task is not over
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> TaskState.STARTED.equals(held.state()));

        latch(gates, key).countDown();
        Worker second = worker("cold2", true);
        assertThat(held.get(WAIT)).isEqualTo("released " + key);
        assertThat(second.totals()).containsEntry("s.hold", 1L);
        second.close();
    }
}
