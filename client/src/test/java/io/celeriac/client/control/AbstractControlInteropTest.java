package io.celeriac.client.control;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskState;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.QueueNotFoundException;
import io.celeriac.control.ControlNode;
import io.celeriac.control.ControlReply;
import io.celeriac.control.ControlRequest;
import io.celeriac.control.Mailbox;
import io.celeriac.control.UnknownControlMethodException;
import io.celeriac.task.TaskMessage;
import io.celeriac.testing.PythonCelery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Remote control against a real Python Celery 5.2.6 worker (prefork, one process) and Python's own
 * {@code celery inspect} / {@code celery control}, on one broker: Java's {@link Control} pings, inspects, revokes
 * and terminates on the Python worker; Python's command line reaches a Java {@link ControlNode}; destinations and
 * patterns select nodes; reply and node queues are deleted on close. One worker per class, in the test's own Redis
 * database or RabbitMQ virtual host (so no other node on the machine answers).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractControlInteropTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final Duration REPLY_WAIT = Duration.ofSeconds(5);

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String pythonNode = "ctl-" + suffix + "@celeriac";
    final String javaNode = "java1-" + suffix + "@celeriac";
    final String queue = "celeriac-ctl-" + suffix;

    Path tmp;
    Broker broker;
    Backend backend;
    Process worker;
    Path log;

    /** Makes the broker (and result backend) of this class's own; called once. */
    abstract void openServers();

    /** @return the broker URL the Python worker and Java use */
    abstract String brokerUrl();

    /** @return the result backend URL */
    abstract String backendUrl();

    /** Deletes what {@link #openServers()} made. */
    abstract void closeServers();

    @BeforeAll
    void startWorker() throws Exception {
        PythonCelery.assumeAvailable();
        openServers();
        tmp = Files.createTempDirectory("celeriac-control");
        Files.writeString(tmp.resolve("ctltasks.py"), PythonCelery.resource(AbstractControlInteropTest.class,
                "ctltasks.py"));
        broker = Celeriac.discover().openBroker(brokerUrl());
        backend = Celeriac.discover().openBackend(backendUrl());
        log = tmp.resolve("worker.log");
        worker = PythonCelery.startBackground(null, log, pythonEnv(), tmp, "-m", "celery", "-A", "ctltasks", "worker",
                "-n", pythonNode, "-Q", queue, "-c", "1", "-P", "prefork", "--without-mingle", "--without-gossip",
                "-l", "info");
        await("the Python worker is ready").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!worker.isAlive()) {
                throw new AssertionError("the worker exited:\n" + Files.readString(log));
            }
            return Files.readString(log).contains("ready.");
        });
    }

    Map<String, String> pythonEnv() {
        return Map.of("CELERIAC_BROKER", brokerUrl(), "CELERIAC_BACKEND", backendUrl(), "PYTHONPATH", tmp.toString(),
                "PYTHONDONTWRITEBYTECODE", "1");
    }

    @AfterAll
    void stopWorker() throws IOException {
        try {
            if (worker != null) {
                PythonCelery.stop(worker);
            }
            if (backend != null) {
                backend.close();
            }
            if (broker != null) {
                broker.close();
            }
        } finally {
            if (openedServers()) {
                closeServers();
            }
        }
    }

    /** @return whether {@link #openServers()} ran (so that there is something to delete) */
    abstract boolean openedServers();

    /** Runs Python's {@code celery -A ctltasks <args>} to completion. */
    PythonCelery.Result celery(String... args) {
        String script = "import sys\nfrom celery.bin.celery import main\nsys.argv[0] = 'celery'\nsys.exit(main())\n";
        String[] all = new String[args.length + 2];
        all[0] = "-A";
        all[1] = "ctltasks";
        System.arraycopy(args, 0, all, 2, args.length);
        return PythonCelery.run(script, WAIT, pythonEnv(), all);
    }

    Target python() {
        return Target.nodes(pythonNode).withTimeout(REPLY_WAIT).withReply(true);
    }

    @Test
    @SuppressWarnings("unchecked")
    void javaPingsAndInspectsThePythonWorker() {
        try (Control control = Control.create(broker)) {
            Replies ping = control.ping(python());
            assertThat(ping.byNode()).containsOnlyKeys(pythonNode);
            assertThat(ping.ok()).containsEntry(pythonNode, "pong");

            Inspect inspect = control.inspect(python());
            // "ctltasks.add [rate_limit=10/m]" once the revoke test has set a rate limit
            assertThat(inspect.registered().lists().get(pythonNode)).contains("ctltasks.slow")
                    .anySatisfy(name -> assertThat((String) name).startsWith("ctltasks.add"));
            assertThat(inspect.active().lists()).containsKey(pythonNode);
            assertThat(inspect.reserved().lists()).containsKey(pythonNode);
            assertThat(inspect.scheduled().lists()).containsKey(pythonNode);
            Map<String, Object> stats = inspect.stats().maps().get(pythonNode);
            assertThat(stats).containsKeys("pid", "clock", "pool", "broker", "total");
            assertThat(stats.get("pid")).isEqualTo(worker.pid());
            assertThat((Map<String, Object>) stats.get("pool")).containsEntry("max-concurrency", 1L);
            assertThat(inspect.conf().maps().get(pythonNode)).isNotNull();
            assertThat(inspect.queryTask(List.of(UUID.randomUUID().toString())).maps().get(pythonNode)).isEmpty();
            assertThat(inspect.report().ok().get(pythonNode)).contains("software -> celery:5.2.6");
            // the mailbox's Lamport clock followed the worker's replies
            assertThat(control.mailbox().clock().value()).isGreaterThan(10);
        }
    }

    @Test
    void javaRevokesAndTheWorkerListsTheRevokedIds() {
        String one = UUID.randomUUID().toString();
        String two = UUID.randomUUID().toString();
        String three = UUID.randomUUID().toString();
        try (Control control = Control.create(broker)) {
            Replies r = control.revoke(List.of(one), false, null, python());
            assertThat(r.ok()).containsEntry(pythonNode, "tasks " + one + " flagged as revoked");
            Replies several = control.revoke(List.of(two, three), false, null, python());
            assertThat(several.ok().get(pythonNode)).contains(two).contains(three).endsWith("flagged as revoked");
            assertThat(control.inspect(python()).revoked().lists().get(pythonNode)).contains(one, two, three);
            // Celery's default: a control command sent without waiting for replies still reaches the worker
            String four = UUID.randomUUID().toString();
            assertThat(control.revoke(List.of(four)).isEmpty()).isTrue();
            await("the cast revoke is applied").atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() ->
                    control.inspect(python()).revoked().lists().get(pythonNode).contains(four));
            // rate and time limits, events, heartbeat: the worker's own answers
            assertThat(control.rateLimit("ctltasks.add", "10/m", python()).ok().get(pythonNode))
                    .isEqualTo("new rate limit set successfully");
            assertThat(control.timeLimit("ctltasks.add", 30.0, 60.0, python()).ok().get(pythonNode))
                    .isEqualTo("time limits set successfully");
            assertThat(control.enableEvents(python()).ok().get(pythonNode)).isEqualTo("task events enabled");
            assertThat(control.disableEvents(python()).ok().get(pythonNode)).isEqualTo("task events disabled");
            assertThat(control.rateLimit("no.such.task", "1/s", python()).errors().get(pythonNode))
                    .contains("unknown task");
        }
    }

    @Test
    void javaTerminatesARunningTaskWhichEndsRevoked() {
        String id = UUID.randomUUID().toString();
        broker.publish("", queue, TaskMessage.builder().task("ctltasks.slow").id(id).args(60).build().toMessage());
        try (Control control = Control.create(broker)) {
            await("the task runs").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                List<Object> active = control.inspect(python()).active().lists().get(pythonNode);
                return active != null && active.stream().anyMatch(t -> t instanceof Map<?, ?> m
                        && id.equals(m.get("id")));
            });
            Replies r = control.terminate("SIGTERM", List.of(id), python());
            assertThat(r.ok()).containsEntry(pythonNode, "terminate: " + id);
            await("the task is revoked").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> backend.getTaskMeta(id).status().equals(TaskState.REVOKED));
            await("the worker runs nothing").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> control.inspect(python()).active().lists().get(pythonNode).isEmpty());
        }
    }

    @Test
    void pythonCommandLineReachesAJavaNode() {
        List<String> calls = new CopyOnWriteArrayList<>();
        try (ControlNode node = ControlNode.start(broker, javaNode, (method, args) -> {
            calls.add(method + " " + args);
            return switch (method) {
                case "ping" -> Map.of("ok", "pong");
                case "revoke" -> Map.of("ok", "tasks " + args.get("task_id") + " flagged as revoked");
                default -> throw new UnknownControlMethodException(method);
            };
        })) {
            assertBound(node.queue(), true);
            PythonCelery.Result ping = celery("inspect", "ping", "-d", javaNode, "--timeout", "5");
            assertThat(ping.exitCode()).as(ping.stderr()).isZero();
            assertThat(ping.stdout()).contains("->  " + javaNode + ": OK\n        pong\n").contains("1 node online.");

            String id = UUID.randomUUID().toString();
            PythonCelery.Result revoke = celery("control", "revoke", id, "-d", javaNode, "--timeout", "5");
            assertThat(revoke.exitCode()).as(revoke.stderr()).isZero();
            assertThat(revoke.stdout()).contains("->  " + javaNode + ": OK\n        tasks [" + id);
            assertThat(calls).containsExactly("ping {}", "revoke {task_id=[" + id + "]}");

            PythonCelery.Result unknown = celery("inspect", "stats", "-d", javaNode, "--timeout", "5");
            assertThat(unknown.stdout()).contains("->  " + javaNode + ": ERROR\n        KeyError('stats')");

            // a request for another node reaches neither this node's handler nor the Python worker
            PythonCelery.Result nobody = celery("inspect", "ping", "-d", "nobody@nowhere", "--timeout", "1");
            assertThat(nobody.exitCode()).isEqualTo(69);
            assertThat(nobody.stderr()).contains("Error: No nodes replied within time constraint");
            assertThat(calls).hasSize(3);
        }
        assertQueueGone(CeleryTopology.pidboxQueue(javaNode).name());
        assertBound(CeleryTopology.pidboxQueue(javaNode).name(), false);
    }

    @Test
    void destinationsAndPatternsSelectNodes() {
        List<String> calls = new CopyOnWriteArrayList<>();
        try (ControlNode node = ControlNode.start(broker, javaNode, (method, args) -> {
            calls.add(method);
            if (method.equals("boom")) {
                throw new IllegalStateException("it broke");
            }
            return Map.of("ok", "pong");
        });
             Mailbox mailbox = new Mailbox(broker)) {
            // every node answers a broadcast (limit 2: both are expected)
            List<ControlReply> all = mailbox.call("ping", Map.of(), null, REPLY_WAIT, 2);
            assertThat(all).extracting(ControlReply::node).containsExactlyInAnyOrder(pythonNode, javaNode);

            // only the named node: the Java node is not asked (the unknown second name makes the call wait out
            // its timeout, so the Java node had all of it to answer wrongly)
            List<ControlReply> onlyPython = mailbox.call("ping", Map.of(), List.of(pythonNode, "ghost@nowhere"),
                    Duration.ofSeconds(1), 0);
            assertThat(onlyPython).extracting(ControlReply::node).containsExactly(pythonNode);
            assertThat(calls).containsExactly("ping");

            List<ControlReply> onlyJava = mailbox.call("ping", Map.of(), List.of(javaNode), REPLY_WAIT, 0);
            assertThat(onlyJava).containsExactly(new ControlReply(javaNode, Map.of("ok", "pong")));

            // patterns: glob and pcre, as kombu matches them
            assertThat(mailbox.call("ping", Map.of(), null, "java1-*", "glob", Duration.ofSeconds(1), 0, null))
                    .extracting(ControlReply::node).containsExactly(javaNode);
            assertThat(mailbox.call("ping", Map.of(), null, "ctl-[0-9a-f]+@", "pcre", Duration.ofSeconds(1), 0, null))
                    .extracting(ControlReply::node).containsExactly(pythonNode);

            // a handler's exception is answered as kombu's Node.dispatch does
            List<ControlReply> boom = mailbox.call("boom", Map.of(), List.of(javaNode), REPLY_WAIT, 0);
            assertThat(boom).hasSize(1);
            assertThat(boom.get(0).error()).isEqualTo("IllegalStateException('it broke')");

            // a cast reaches the node, which answers nothing (no reply_to)
            int before = calls.size();
            mailbox.cast("heartbeat", Map.of(), List.of(javaNode));
            await("the cast is handled").atMost(WAIT).until(() -> calls.size() == before + 1);
            assertThat(calls.get(before)).isEqualTo("heartbeat");

            // an expired request is skipped: the node runs the requests in order, so once the next one is
            // answered, the expired one was seen and dropped
            ControlRequest expired = new ControlRequest("expired", Map.of(), List.of(javaNode), null, null, null, null);
            broker.publish(CeleryTopology.PIDBOX_EXCHANGE, "",
                    expired.toMessage(1, System.currentTimeMillis() / 1000.0 - 10));
            assertThat(mailbox.call("ping", Map.of(), List.of(javaNode), REPLY_WAIT, 0)).hasSize(1);
            assertThat(calls).doesNotContain("expired");
        }
        assertQueueGone(CeleryTopology.pidboxQueue(javaNode).name());
    }

    @Test
    void concurrentCallsGetTheirOwnRepliesAndStaleOnesAreIgnored() throws Exception {
        try (ControlNode node = ControlNode.start(broker, javaNode, (method, args) ->
                method.equals("nothing") ? null : Map.of("ok", method));
             Mailbox mailbox = new Mailbox(broker)) {
            // a handler that returns nothing is answered {"<node>": null}, as Celery's heartbeat is
            assertThat(mailbox.call("nothing", Map.of(), List.of(javaNode), REPLY_WAIT, 0))
                    .containsExactly(new ControlReply(javaNode, null));
            assertThat(mailbox.call("first", Map.of(), List.of(javaNode), REPLY_WAIT, 0))
                    .containsExactly(new ControlReply(javaNode, Map.of("ok", "first")));
            // a late reply of an older ticket, as a slow node sends it: ignored by the next call
            broker.publish(CeleryTopology.REPLY_EXCHANGE, mailbox.oid(), io.celeriac.broker.Message.builder()
                    .body("{\"late@node\": {\"ok\": \"pong\"}}").header("ticket", UUID.randomUUID().toString())
                    .header("clock", 1).deliveryMode(1).build());
            assertThat(mailbox.call("second", Map.of(), List.of(javaNode), REPLY_WAIT, 0))
                    .containsExactly(new ControlReply(javaNode, Map.of("ok", "second")));
            // calls at once on one mailbox: each gets the reply to its own ticket
            List<java.util.concurrent.CompletableFuture<List<ControlReply>>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String method = "m" + i;
                calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() ->
                        mailbox.call(method, Map.of(), List.of(javaNode), REPLY_WAIT, 0)));
            }
            for (int i = 0; i < 4; i++) {
                assertThat(calls.get(i).get()).containsExactly(new ControlReply(javaNode, Map.of("ok", "m" + i)));
            }
        }
    }

    @Test
    void aMailboxReplyQueueIsDeletedOnClose() {
        Mailbox mailbox = new Mailbox(broker);
        List<String> seen = new CopyOnWriteArrayList<>();
        assertThat(mailbox.call("ping", Map.of(), List.of(pythonNode), null, null, REPLY_WAIT, 0, reply -> {
            // while the call is in flight, the queue exists and is bound
            seen.add(broker.queueStats(mailbox.replyQueue()).queue());
            assertBound(mailbox.replyQueue(), true);
        })).hasSize(1);
        assertThat(seen).containsExactly(mailbox.replyQueue());
        if (broker.supports(BrokerCapability.QUEUE_EXPIRY)) {
            // RabbitMQ: kept for the next call (x-expires removes it should this process die)
            assertThat(broker.queueStats(mailbox.replyQueue()).consumers()).isEqualTo(1);
        } else {
            // Redis: removed after each call, as kombu's Redis transport does
            assertQueueGone(mailbox.replyQueue());
            assertBound(mailbox.replyQueue(), false);
            assertThat(mailbox.call("ping", Map.of(), List.of(pythonNode), REPLY_WAIT, 0)).hasSize(1);
        }
        mailbox.close();
        assertQueueGone(mailbox.replyQueue());
        assertBound(mailbox.replyQueue(), false);
        assertThatThrownBy(() -> mailbox.call("ping", Map.of(), null, REPLY_WAIT, 0))
                .isInstanceOf(io.celeriac.control.ControlClosedException.class);
    }

    /**
     * The queues named by the pidbox bindings kombu keeps on Redis ({@code _kombu.binding.*} sets).
     *
     * @return the queue names, or {@code null} where the broker keeps bindings itself (RabbitMQ)
     */
    List<String> boundPidboxQueues() {
        return null;
    }

    void assertBound(String queue, boolean bound) {
        List<String> queues = boundPidboxQueues();
        if (queues != null) {
            assertThat(queues.contains(queue)).as(queue + " in " + queues).isEqualTo(bound);
        }
    }

    void assertQueueGone(String name) {
        await("queue " + name + " is deleted").atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThatThrownBy(() -> broker.queueStats(name)).isInstanceOf(QueueNotFoundException.class));
    }
}
