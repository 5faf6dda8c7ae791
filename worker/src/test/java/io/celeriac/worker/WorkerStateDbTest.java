package io.celeriac.worker;

import io.celeriac.backend.TaskState;
import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.client.control.Replies;
import io.celeriac.client.control.Target;
import io.celeriac.testing.ChildJvm;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --statedb} across a SIGKILL: revokes a worker JVM acknowledged by a control reply are still known to the
 * next worker started on the same state file (the tasks are stored REVOKED and not run), and the next worker's
 * Lamport clock starts above every value the killed one handed out. Redis broker and results, the file store.
 */
class WorkerStateDbTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void revokesAndTheClockSurviveASigkill() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String queue = "statedb-" + tag;
        String node = "statedb-" + tag + "@test";
        Path stateDb = tmp.resolve("worker.state");
        List<String> ids = List.of("revoked-a-" + tag, "revoked-b-" + tag, "revoked-c-" + tag);
        Target me = Target.nodes(node).withTimeout(Duration.ofSeconds(5)).withReply(true);
        try (RedisTestServer.DatabaseLease db = TestServices.redis().leaseDatabase();
             CeleryClient client = CeleryClient.builder().brokerUrl(db.url()).backendUrl(db.url())
                     .defaultQueue(queue).build()) {
            long lastClock;
            try (ChildJvm first = child(db, queue, node, stateDb)) {
                awaitPong(client, me);
                Replies rep = client.control().revoke(ids, false, null, me);
                assertThat(rep.ok().get(node)).startsWith("tasks {").contains(ids);
                lastClock = clockOf(client, me);
                first.kill();
            }
            try (ChildJvm second = child(db, queue, node, stateDb)) {
                awaitPong(client, me);
                Map<String, Object> stats = client.control().inspect(me).stats().maps().get(node);
                assertThat(Long.parseLong(String.valueOf(stats.get("clock")))).isGreaterThan(lastClock);
                assertThat(client.control().inspect(me).revoked().lists().get(node)).containsAll(ids);

                List<AsyncResult> revoked = new ArrayList<>();
                for (String id : ids) {
                    revoked.add(client.send("crash.add", List.of(1, 2), null, SendOptions.builder().taskId(id).build()));
                }
                AsyncResult after = client.send("crash.add", List.of(2, 3), null, SendOptions.none());
                assertThat(after.get(WAIT)).isEqualTo(5L);
                for (AsyncResult r : revoked) {
                    await().atMost(WAIT).until(() -> TaskState.REVOKED.equals(r.state()));
                    assertThat(r.meta().result().toString()).contains("revoked");
                }
                assertThat(second.lines()).as(second.stderr()).contains("ran crash.add " + after.id())
                        .noneMatch(l -> ids.stream().anyMatch(l::contains));
            } finally {
                client.broker().deleteQueue(queue);
                client.broker().deleteExchange(queue);
            }
        }
    }

    private static ChildJvm child(RedisTestServer.DatabaseLease db, String queue, String node, Path stateDb)
            throws Exception {
        ChildJvm c = ChildJvm.start(WorkerChild.class, "--broker", db.url(), "--backend", db.url(), "--queue", queue,
                "--node", node, "--statedb", stateDb.toString());
        try {
            c.awaitLine(l -> l.startsWith("ready "), WAIT);
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** The control mailbox may be subscribed a moment after the worker says ready. */
    private static void awaitPong(CeleryClient client, Target me) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.control().ping(me).ok())
                .containsEntry(me.destination().get(0), "pong"));
    }

    /** The {@code clock} control command: the worker forwards its clock and replies with the value. */
    private static long clockOf(CeleryClient client, Target me) {
        Map<String, Object> reply = client.control().inspect(me).request("clock", Map.of()).maps()
                .get(me.destination().get(0));
        return Long.parseLong(String.valueOf(reply.get("clock")));
    }
}
