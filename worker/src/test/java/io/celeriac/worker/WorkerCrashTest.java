package io.celeriac.worker;

import io.celeriac.backend.TaskState;
import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.testing.ChildJvm;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker JVM SIGKILLed in the middle of a task, then a second worker on the same queue: a task acknowledged late
 * is delivered again and completes (RabbitMQ requeues it when the connection drops; Redis once the second worker's
 * {@code visibility_timeout} has passed), a task acknowledged early is not run again while the second worker runs
 * later work. Redis broker and results in a leased database; RabbitMQ broker (a private vhost when possible) with
 * Redis results.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerCrashTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Longer than the 1 s visibility timeout of the second Redis worker plus its restore interval (0.5 s). */
    private static final Duration NOT_AGAIN = Duration.ofMillis(2500);

    @TempDir
    Path tmp;

    private RedisTestServer.DatabaseLease lease;
    private RabbitTestServer.Vhost vhost;
    private String rabbitUrl;

    @BeforeAll
    void servers() {
        lease = TestServices.redis().leaseDatabase();
        RabbitTestServer rabbit = TestServices.rabbitmq();
        rabbitUrl = rabbit.url();
        if (rabbit.canCreateVhosts()) {
            vhost = rabbit.createVhost();
            rabbitUrl = vhost.url();
        }
    }

    @AfterAll
    void free() {
        try {
            if (vhost != null) {
                vhost.close();
            }
        } finally {
            if (lease != null) {
                lease.close();
            }
        }
    }

    @Test
    void redisAcksLateTheTaskRunsAgainAfterTheVisibilityTimeout() throws Exception {
        // the first worker keeps the default timeout (one hour), so that it never restores its own running task
        crashAndRestart(lease.url(), lease.url() + "?visibility_timeout=1", true);
    }

    @Test
    void redisAcksEarlyTheTaskIsNotRunAgain() throws Exception {
        crashAndRestart(lease.url(), lease.url() + "?visibility_timeout=1", false);
    }

    @Test
    void rabbitAcksLateTheTaskIsRequeuedAtOnce() throws Exception {
        crashAndRestart(rabbitUrl, rabbitUrl, true);
    }

    @Test
    void rabbitAcksEarlyTheTaskIsNotRunAgain() throws Exception {
        crashAndRestart(rabbitUrl, rabbitUrl, false);
    }

    private void crashAndRestart(String firstBroker, String secondBroker, boolean acksLate) throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String queue = "crash-" + tag;
        Path gate = tmp.resolve("gate-" + tag);
        String id = "hold-" + UUID.randomUUID();
        try (CeleryClient client = CeleryClient.builder().brokerUrl(firstBroker).backendUrl(lease.url())
                .defaultQueue(queue).build()) {
            try {
                AsyncResult held;
                try (ChildJvm first = child(firstBroker, queue, "first-" + tag, acksLate)) {
                    held = client.send("crash.hold", List.of(gate.toString()), null,
                            SendOptions.builder().taskId(id).build());
                    first.awaitLine(("started " + id)::equals, WAIT);
                    await().atMost(WAIT).until(() -> TaskState.STARTED.equals(held.state()));
                    first.kill();
                    assertThat(first.lines()).doesNotContain("ran crash.hold " + id);
                }
                // from now on crash.hold returns at once wherever it runs
                Files.createFile(gate);
                try (ChildJvm second = child(secondBroker, queue, "second-" + tag, acksLate)) {
                    AsyncResult after = client.send("crash.add", List.of(2, 3), null, SendOptions.none());
                    assertThat(after.get(WAIT)).isEqualTo(5L);
                    if (acksLate) {
                        assertThat(held.get(WAIT)).isEqualTo("released");
                        assertThat(second.lines()).contains("started " + id, "ran crash.hold " + id);
                    } else {
                        await().during(NOT_AGAIN).atMost(NOT_AGAIN.plus(WAIT))
                                .until(() -> TaskState.STARTED.equals(held.state()));
                        assertThat(second.lines()).as(second.stderr()).noneMatch(l -> l.contains(id))
                                .contains("ran crash.add " + after.id());
                    }
                }
            } finally {
                client.broker().deleteQueue(queue);
                client.broker().deleteExchange(queue);
            }
        }
    }

    private ChildJvm child(String broker, String queue, String name, boolean acksLate) throws Exception {
        List<String> args = new ArrayList<>(List.of("--broker", broker, "--backend", lease.url(),
                "--queue", queue, "--node", name + "@test"));
        if (acksLate) {
            args.add("--acks-late");
        }
        ChildJvm c = ChildJvm.start(WorkerChild.class, args.toArray(String[]::new));
        try {
            c.awaitLine(l -> l.startsWith("ready "), WAIT);
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }
}
