package io.celeriac.client;

import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.TaskState;
import io.celeriac.client.canvas.Chain;
import io.celeriac.client.canvas.Chord;
import io.celeriac.client.canvas.Group;
import io.celeriac.client.control.Replies;
import io.celeriac.client.control.Target;
import io.celeriac.json.CeleryJson;
import io.celeriac.task.Signature;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every broker and backend pair must do with a real Celery worker (5.2.6 unless a subclass names another;
 * {@code -P solo}, one per class, consuming two queues of the class's own): the worker runs what the client sends
 * and the results are Python's. Subclasses name the broker and backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClientInteropContract {

    static final Duration WAIT = Duration.ofSeconds(60);

    Path dir;
    Process worker;
    CeleryClient client;
    String queue;
    String otherQueue;
    Map<String, String> env;

    /** Opens the servers for the class; returns {broker URL, backend URL}. */
    abstract String[] openServers();

    /** Frees what {@link #openServers()} took. */
    abstract void closeServers();

    /** The Python Celery the worker and the comparison scripts run: 5.2.6, the machine's, unless overridden. */
    PythonPeer peer() {
        return PythonPeer.system();
    }

    @BeforeAll
    void startWorker() throws IOException {
        peer().assumeAvailable();
        String[] urls = openServers();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        queue = "client-test-" + tag;
        otherQueue = "client-test-named-" + tag;
        dir = Files.createTempDirectory("celeriac-client");
        Files.writeString(dir.resolve("proj.py"), PythonCelery.resource(ClientInteropContract.class, "proj.py"));
        env = new LinkedHashMap<>();
        env.put("CELERIAC_BROKER", urls[0]);
        env.put("CELERIAC_BACKEND", urls[1]);
        env.put("CELERIAC_QUEUE", queue);
        env.put("PYTHONPATH", dir.toString());
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        client = CeleryClient.builder().brokerUrl(urls[0]).backendUrl(urls[1]).defaultQueue(queue).build();
        worker = peer().startBackground(null, dir.resolve("worker.log"), env, dir, "-m", "celery", "-A", "proj",
                "worker", "-P", "solo", "-Q", queue + "," + otherQueue, "--without-mingle", "--without-gossip",
                "--without-heartbeat", "-n", "client-" + tag + "@test", "--loglevel=INFO");
        try {
            assertThat(client.send("proj.add", List.of(0, 0), null, SendOptions.none()).get(WAIT)).isEqualTo(0L);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("the worker did not run the first task; its log:\n" + workerLog(), e);
        }
        assertThat(workerLog()).as("the worker's banner").contains(" v" + peer().version().expectedVersion() + " (");
    }

    @AfterAll
    void stopWorker() {
        try {
            if (worker != null) {
                PythonPeer.stop(worker);
            }
            if (client != null) {
                for (String q : List.of(queue, otherQueue)) {
                    client.broker().deleteQueue(q);
                    client.broker().deleteExchange(q);
                }
                client.close();
            }
        } finally {
            closeServers();
        }
    }

    String workerLog() {
        try {
            return Files.readString(dir.resolve("worker.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    Object python(String what) {
        PythonCelery.Result r = peer().run(PythonCelery.resource(ClientInteropContract.class, "canvas.py"),
                WAIT, env, what);
        r.assertSuccess();
        List<String> lines = r.lines();
        return ((Map<?, ?>) CeleryJson.decode(lines.get(lines.size() - 1))).get("result");
    }

    /** A callback as the test sends it; rpc:// needs the client's reply queue on it to see its result. */
    Signature callbackOptions(Signature callback) {
        return callback;
    }

    @Test
    void addReturnsFive() {
        AsyncResult r = client.send("proj.add", List.of(2, 3), null, SendOptions.none());
        assertThat(r.get(WAIT, Integer.class)).isEqualTo(5);
        assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(r.ready()).isTrue();
        assertThat(r.successful()).isTrue();
        assertThat(r.failed()).isFalse();
    }

    @Test
    void kwargsReachTheTask() {
        AsyncResult r = client.send("proj.add", List.of(2, 3), Map.of("z", 10), SendOptions.none());
        assertThat(r.get(WAIT)).isEqualTo(15L);
    }

    @Test
    void sendAsyncCompletesAndTheResultArrivesWithoutBlocking() throws Exception {
        AsyncResult r = client.sendAsync("proj.add", List.of(20, 22), null, SendOptions.none()).get();
        assertThat(r.getAsync().get()).isEqualTo(42L);
    }

    @Test
    void countdownAndEtaHoldTheTaskUntilItsTime() {
        Instant before = Instant.now();
        AsyncResult countdown = client.send("proj.when", null, null,
                SendOptions.builder().countdown(Duration.ofSeconds(2)).build());
        Instant eta = Instant.now().plusMillis(1500);
        AsyncResult atEta = client.send("proj.when", null, null, SendOptions.builder().eta(eta).build());
        double ranAt = countdown.get(WAIT, Double.class);
        assertThat(ranAt).isGreaterThanOrEqualTo(before.plusSeconds(2).toEpochMilli() / 1000.0);
        assertThat(atEta.get(WAIT, Double.class)).isGreaterThanOrEqualTo(eta.toEpochMilli() / 1000.0);
    }

    @Test
    void anExpiredTaskIsRevokedWithCeleryExpiryError() {
        // the solo worker is busy with the slow task while the next one's expiry passes
        AsyncResult slow = client.send("proj.slow", List.of(1.5), null, SendOptions.none());
        AsyncResult expiring = client.send("proj.add", List.of(1, 1), null,
                SendOptions.builder().expires(Duration.ofMillis(300)).build());
        assertThat(slow.get(WAIT)).isEqualTo(1.5);
        assertThatThrownBy(() -> expiring.get(WAIT)).isInstanceOfSatisfying(TaskRevokedException.class, e -> {
            assertThat(e.excType()).isEqualTo("TaskRevokedError");
            assertThat(e.excModule()).isEqualTo("celery.exceptions");
            assertThat(e.excMessage()).isEqualTo("expired");
        });
        assertThat(expiring.state()).isEqualTo(TaskState.REVOKED);
    }

    @Test
    void aNamedQueueIsCreatedAndUsed() {
        AsyncResult r = client.send("proj.where", null, null, SendOptions.builder().queue(otherQueue).build());
        assertThat(r.get(WAIT)).isEqualTo(otherQueue);
        assertThat(client.send("proj.where", null, null, SendOptions.none()).get(WAIT)).isEqualTo(queue);
    }

    @Test
    void taskRoutesPickTheQueue() {
        try (CeleryClient routed = CeleryClient.builder().brokerUrl(env.get("CELERIAC_BROKER"))
                .backendUrl(env.get("CELERIAC_BACKEND")).defaultQueue(queue).route("proj.wh*", otherQueue).build()) {
            assertThat(routed.send("proj.where", null, null, SendOptions.none()).get(WAIT)).isEqualTo(otherQueue);
            assertThat(routed.send("proj.where", null, null, SendOptions.builder().queue(queue).build()).get(WAIT))
                    .isEqualTo(queue);
        }
    }

    @Test
    void typedReadsForgetAndGroupFailures() {
        AsyncResult r = client.send("proj.add", List.of(2, 3), null, SendOptions.none());
        assertThatThrownBy(() -> r.get(WAIT, String.class)).isInstanceOf(ResultTypeException.class)
                .hasMessageContaining(r.id());
        assertThat(r.info()).isEqualTo(5L);
        r.forget();
        assertThat(r.state()).isEqualTo(TaskState.PENDING);

        GroupResult g = client.send(Group.of(Signature.of("proj.add", 1, 1), Signature.of("proj.fail", "second")));
        assertThatThrownBy(() -> g.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class,
                e -> assertThat(e.excMessage()).isEqualTo("second"));
        assertThat(g.ready()).isTrue();
        assertThat(g.failed()).isTrue();
        assertThat(g.successful()).isFalse();
        assertThat(g.completedCount()).isEqualTo(1);
        g.save();
        assertThat(client.restoreGroup(g.id()).orElseThrow().ids()).isEqualTo(g.ids());
        g.delete();
        assertThat(client.restoreGroup(g.id())).isEmpty();
    }

    @Test
    void childrenAreTheTasksATaskSent() {
        AsyncResult r = client.send("proj.spawn", List.of(21), null, SendOptions.none());
        assertThat(r.get(WAIT)).isEqualTo(21L);
        List<AsyncResult> children = r.children();
        if (client.backend().orElseThrow().supports(BackendCapability.FULL_META)) {
            assertThat(children).hasSize(1);
            assertThat(children.get(0).get(WAIT)).isEqualTo(42L);
        } else {
            // Celery's database backend stores no children: Python's AsyncResult.children is None there too
            assertThat(children).isEmpty();
        }
    }

    @Test
    void revokeStopsATaskWaitingForItsEta() {
        AsyncResult r = client.send("proj.when", null, null,
                SendOptions.builder().countdown(Duration.ofSeconds(2)).build());
        Replies replies = r.revoke(false, null, Target.all().withReply(true).withTimeout(Duration.ofSeconds(5))
                .withLimit(1));
        assertThat(replies.ok().values()).singleElement().asString().contains(r.id()).contains("revoked");
        assertThatThrownBy(() -> r.get(WAIT)).isInstanceOfSatisfying(TaskRevokedException.class, e -> {
            assertThat(e.excType()).isEqualTo("TaskRevokedError");
            assertThat(e.excMessage()).isEqualTo("revoked");
        });
    }

    @Test
    void aSignatureIsSentWithItsOptions() {
        String callbackId = UUID.randomUUID().toString();
        AsyncResult r = client.send(Signature.of("proj.where").withOption("queue", otherQueue)
                .withOption("link", List.of(callbackOptions(Signature.of("proj.errback").immutableCopy()
                        .withArgs(List.of("called")).withOption("task_id", callbackId)).toMap())));
        assertThat(r.get(WAIT)).isEqualTo(otherQueue);
        assertThat(client.asyncResult(callbackId).get(WAIT)).isEqualTo("called");
    }

    @Test
    void ignoreResultStoresNothing() {
        AsyncResult ignored = client.send("proj.add", List.of(1, 2), null,
                SendOptions.builder().ignoreResult(true).build());
        // the solo worker runs its queue in order: once the next task is done, the ignored one ran too
        assertThat(client.send("proj.add", List.of(3, 4), null, SendOptions.none()).get(WAIT)).isEqualTo(7L);
        assertThat(ignored.state()).isEqualTo(TaskState.PENDING);
        assertThat(ignored.meta().result()).isNull();
    }

    @Test
    void linkAndLinkErrorFire() {
        String callbackId = UUID.randomUUID().toString();
        AsyncResult ok = client.send("proj.add", List.of(2, 3), null, SendOptions.builder()
                .link(callbackOptions(Signature.of("proj.add", 10).withOption("task_id", callbackId))).build());
        assertThat(ok.get(WAIT)).isEqualTo(5L);
        assertThat(client.asyncResult(callbackId).get(WAIT)).isEqualTo(15L);

        String errbackId = UUID.randomUUID().toString();
        AsyncResult bad = client.send("proj.fail", List.of("no"), null, SendOptions.builder()
                .linkError(callbackOptions(Signature.of("proj.errback").withOption("task_id", errbackId))).build());
        assertThatThrownBy(() -> bad.get(WAIT)).isInstanceOf(TaskFailedException.class);
        assertThat(client.asyncResult(errbackId).get(WAIT)).isEqualTo(bad.id());
    }

    @Test
    void aFailureRaisesTaskFailedExceptionWithPythonsException() {
        AsyncResult r = client.send("proj.fail", List.of("boom from java"), null, SendOptions.none());
        assertThatThrownBy(() -> r.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e).isNotInstanceOf(TaskRevokedException.class);
            assertThat(e.taskId()).isEqualTo(r.id());
            assertThat(e.excType()).isEqualTo("ValueError");
            assertThat(e.excModule()).isEqualTo("builtins");
            assertThat(e.excMessage()).isEqualTo("boom from java");
            assertThat(e.traceback()).contains("ValueError: boom from java");
        });
        assertThat(r.failed()).isTrue();
    }

    @Test
    void anUnknownTaskGivesCeleryNotRegisteredFailure() {
        AsyncResult r = client.send("proj.nope", List.of(1), null, SendOptions.none());
        assertThatThrownBy(() -> r.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e.excType()).isEqualTo("NotRegistered");
            assertThat(e.excModule()).isEqualTo("celery.exceptions");
            assertThat(e.excMessage()).isEqualTo("proj.nope");
        });
    }

    @Test
    void aChainGivesPythonsResult() {
        AsyncResult r = client.send(Chain.of(Signature.of("proj.add", 1, 2), Signature.of("proj.add", 3),
                Signature.of("proj.add", 4)));
        Object java = r.get(WAIT);
        assertThat(java).isEqualTo(python("chain"));
        assertThat(java).isEqualTo(10L);
        assertThat(r.parent()).isNotNull();
        assertThat(r.parent().parent()).isNotNull();
        assertThat(r.parent().parent().parent()).isNull();
        assertThat(r.parent().parent().get(WAIT)).isEqualTo(3L);
        assertThat(r.parent().get(WAIT)).isEqualTo(6L);
    }

    @Test
    void aGroupGivesPythonsResult() {
        GroupResult g = client.send(Group.of(Signature.of("proj.add", 0, 0), Signature.of("proj.add", 1, 1),
                Signature.of("proj.add", 2, 2), Signature.of("proj.add", 3, 3)));
        List<Object> java = g.get(WAIT);
        assertThat(java).isEqualTo(python("group"));
        assertThat(java).containsExactly(0L, 2L, 4L, 6L);
        assertThat(g.ready()).isTrue();
        assertThat(g.successful()).isTrue();
        assertThat(g.completedCount()).isEqualTo(4);
        assertThat(g.ids()).hasSize(4).doesNotHaveDuplicates();
    }

    @Test
    void aChordGivesPythonsResult() {
        AsyncResult r = client.send(Chord.of(Group.of(Signature.of("proj.add", 0, 0), Signature.of("proj.add", 1, 1),
                Signature.of("proj.add", 2, 2)), Signature.of("proj.tsum")));
        Object java = r.get(WAIT);
        assertThat(java).isEqualTo(python("chord"));
        assertThat(java).isEqualTo(6L);
        assertThat(r.parentGroup().get(WAIT)).containsExactly(0L, 2L, 4L);
    }

    @Test
    void aChordWithAnEmptyHeaderRunsItsBodyWithNoResults() {
        AsyncResult r = client.send(Chord.of(Group.of(), Signature.of("proj.tsum")));
        assertThat(r.get(WAIT)).isEqualTo(0L);
    }

    @Test
    void aChordOfChainsGivesPythonsResult() {
        List<Object> members = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(Chain.of(Signature.of("proj.add", i, i), Signature.of("proj.add", 1)));
        }
        AsyncResult r = client.send(Chord.of(Group.ofMembers(members), Signature.of("proj.tsum")));
        Object java = r.get(WAIT);
        assertThat(java).isEqualTo(python("chord_of_chains"));
        assertThat(java).isEqualTo(9L);
    }

    @Test
    void aValueTheCodecCannotEncodeIsATypedErrorAndNothingIsSent() {
        String q = queue + "-unsent";
        try {
            assertThatThrownBy(() -> client.send("proj.add", List.of(new Object()), null,
                    SendOptions.builder().queue(q).build()))
                    .isInstanceOf(io.celeriac.task.InvalidTaskMessageException.class)
                    .hasMessageContaining("proj.add");
            client.broker().declareQueue(io.celeriac.broker.CeleryTopology.taskQueue(q));
            assertThat(client.broker().queueStats(q).messages()).isZero();
        } finally {
            client.broker().deleteQueue(q);
        }
    }
}
