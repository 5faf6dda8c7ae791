package io.celeriac.worker;

import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.client.TaskFailedException;
import io.celeriac.client.canvas.Chain;
import io.celeriac.client.canvas.Chord;
import io.celeriac.client.canvas.Group;
import io.celeriac.client.control.Replies;
import io.celeriac.client.control.Target;
import io.celeriac.task.Signature;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What a Java worker does with what a client sends, on one broker and backend pair: values, failures as Python
 * classes, retries, ETA, expiry, time limits, rate limits, revokes, canvas, progress, remote control. One worker per
 * class (concurrency 4, task events on) on a queue of the class's own; subclasses name the servers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WorkerContract {

    static final Duration WAIT = Duration.ofSeconds(30);

    final TestTasks tasks = new TestTasks();
    Worker worker;
    CeleryClient client;
    String queue;
    String node;

    /** Opens the servers for the class; returns {broker URL, backend URL}. */
    abstract String[] openServers();

    /** Frees what {@link #openServers()} took. */
    abstract void closeServers();

    @BeforeAll
    void startWorker() {
        String[] urls = openServers();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        queue = "worker-test-" + tag;
        node = "java-" + tag + "@test";
        TaskRegistry registry = new TaskRegistry();
        registry.registerAll(tasks);
        registry.register("t.lambda", ctx -> ctx.arg(0, Integer.class) * 2);
        worker = Worker.builder().brokerUrl(urls[0]).backendUrl(urls[1]).tasks(registry).queues(List.of(queue))
                .defaultQueue(queue).concurrency(4).sendEvents(true).nodename(node).heartbeatInterval(Duration.ofSeconds(1))
                .shutdownTimeout(Duration.ofSeconds(5)).build().start();
        client = CeleryClient.builder().brokerUrl(urls[0]).backendUrl(urls[1]).defaultQueue(queue).build();
    }

    @AfterAll
    void stopWorker() {
        try {
            if (worker != null) {
                worker.close();
            }
            if (client != null) {
                client.broker().deleteQueue(queue);
                client.broker().deleteExchange(queue);
                client.close();
            }
        } finally {
            closeServers();
        }
    }

    AsyncResult send(String name, Object... args) {
        return client.send(name, List.of(args), null, SendOptions.none());
    }

    AsyncResult send(String name, List<?> args, SendOptions options) {
        return client.send(name, args, null, options);
    }

    Target me() {
        return Target.nodes(node).withTimeout(Duration.ofSeconds(2)).withReply(true);
    }

    @Test
    void returnsTheValue() {
        assertThat(send("t.add", 2, 3).get(WAIT)).isEqualTo(5L);
        assertThat(send("t.lambda", 21).get(WAIT)).isEqualTo(42L);
    }

    @Test
    void keywordArgumentsAndTheContextReachTheMethod() {
        AsyncResult r = client.send("t.concat", List.of("a"), Map.of("b", "b"), SendOptions.none());
        assertThat(r.get(WAIT)).isEqualTo("ab@" + node);
    }

    @Test
    void aTaskErrorIsStoredAsTheNamedPythonClass() {
        AsyncResult r = send("t.value_error", "x must be positive");
        assertThatThrownBy(() -> r.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e.excType()).isEqualTo("ValueError");
            assertThat(e.excModule()).isEqualTo("builtins");
            assertThat(e.excMessage()).isEqualTo("x must be positive");
            assertThat(e.traceback()).startsWith("Traceback (most recent call last):")
                    .contains("TestTasks.java").endsWith("ValueError: x must be positive\n");
        });
        AsyncResult custom = send("t.custom_error");
        assertThatThrownBy(() -> custom.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e.excType()).isEqualTo("QuotaExceeded");
            assertThat(e.excModule()).isEqualTo("proj.errors");
            assertThat(e.exception().args()).containsExactly("tenant 7", 100L);
        });
    }

    @Test
    void javaExceptionsBecomePythonBuiltinsOrKeepTheirJavaName() {
        assertThatThrownBy(() -> send("t.java_error").get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class,
                e -> assertThat(e.excType() + "/" + e.excModule()).isEqualTo("RuntimeError/builtins"));
        assertThatThrownBy(() -> send("t.npe").get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class,
                e -> assertThat(e.excType() + "/" + e.excModule()).isEqualTo("NullPointerException/java.lang"));
    }

    @Test
    void wrongArgumentsFailWithTypeError() {
        assertThatThrownBy(() -> send("t.add", 1).get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class,
                e -> assertThat(e.excType() + ": " + e.excMessage())
                        .isEqualTo("TypeError: t.add() missing 1 required positional argument: 'y'"));
        assertThatThrownBy(() -> send("t.add", "one", 2).get(WAIT)).isInstanceOfSatisfying(
                TaskFailedException.class, e -> assertThat(e.excType()).isEqualTo("TypeError"));
    }

    @Test
    void aResultThatIsNotJsonFailsWithEncodeError() {
        assertThatThrownBy(() -> send("t.no_json").get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class,
                e -> assertThat(e.excType() + "/" + e.excModule()).isEqualTo("EncodeError/kombu.exceptions"));
    }

    @Test
    void anUnknownTaskIsRejectedAndStoredAsNotRegistered() {
        AsyncResult r = send("t.nobody_knows");
        assertThatThrownBy(() -> r.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e.excType()).isEqualTo("NotRegistered");
            assertThat(e.excModule()).isEqualTo("celery.exceptions");
            assertThat(e.excMessage()).isEqualTo("'t.nobody_knows'");
        });
    }

    @Test
    void retriesUntilTheTaskSucceeds() {
        AsyncResult r = client.send("t.retry", List.of(), Map.of("until", 3), SendOptions.none());
        assertThat(r.get(WAIT)).isEqualTo(3L);
    }

    @Test
    void afterTheLastRetryMaxRetriesExceededOrTheGivenExceptionIsStored() {
        assertThatThrownBy(() -> send("t.retry_forever").get(WAIT)).isInstanceOfSatisfying(
                TaskFailedException.class, e -> {
                    assertThat(e.excType()).isEqualTo("MaxRetriesExceededError");
                    assertThat(e.excMessage()).startsWith("Can't retry t.retry_forever[");
                });
        assertThatThrownBy(() -> send("t.retry_exc").get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class,
                e -> assertThat(e.excType() + ": " + e.excMessage()).isEqualTo("KeyError: gone"));
    }

    @Test
    void aCountdownIsHeldAsScheduledUntilDue() {
        AsyncResult r = send("t.add", List.of(1, 1), SendOptions.builder().countdown(Duration.ofSeconds(2)).build());
        await().atMost(WAIT).untilAsserted(() -> {
            List<Object> s = client.control().inspect(me()).scheduled().lists().get(node);
            assertThat(s).anySatisfy(x -> assertThat(((Map<?, ?>) ((Map<?, ?>) x).get("request")).get("id"))
                    .isEqualTo(r.id()));
        });
        assertThat(r.state()).isEqualTo(TaskState.PENDING);
        assertThat(r.get(WAIT)).isEqualTo(2L);
    }

    @Test
    void anExpiredTaskIsRevoked() {
        AsyncResult r = send("t.add", List.of(1, 1), SendOptions.builder().expires(
                java.time.Instant.now().minusSeconds(5)).build());
        await().atMost(WAIT).until(() -> r.state().equals(TaskState.REVOKED));
        assertThat(r.meta().result().toString()).contains("expired");
    }

    @Test
    void theSoftTimeLimitRaisesInTheTask() {
        AsyncResult caught = send("t.loop", List.of(30.0), SendOptions.builder().softTimeLimit(0.3).build());
        assertThat(caught.get(WAIT)).isEqualTo("cleaned up");
        AsyncResult slept = send("t.sleep", List.of(30.0), SendOptions.builder().softTimeLimit(0.3).build());
        assertThatThrownBy(() -> slept.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class,
                e -> assertThat(e.excType() + "/" + e.excModule()).isEqualTo(
                        "SoftTimeLimitExceeded/billiard.exceptions"));
    }

    @Test
    void theHardTimeLimitStoresTimeLimitExceededAndFreesTheSlot() {
        List<AsyncResult> stuck = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            stuck.add(send("t.stuck", List.of(3.0), SendOptions.builder().timeLimit(0.3).build()));
        }
        for (AsyncResult r : stuck) {
            assertThatThrownBy(() -> r.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
                assertThat(e.excType()).isEqualTo("TimeLimitExceeded");
                assertThat(e.exception().args()).containsExactly(0.3);
            });
        }
        // all four slots were taken by spinning threads: the pool still runs new work
        assertThat(send("t.add", 4, 4).get(WAIT)).isEqualTo(8L);
    }

    @Test
    void aRateLimitSpacesTheRuns() {
        tasks.ticks.clear();
        List<AsyncResult> rs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rs.add(send("t.tick"));
        }
        for (AsyncResult r : rs) {
            r.get(WAIT);
        }
        List<Long> t = new ArrayList<>(tasks.ticks);
        t.sort(Long::compare);
        assertThat(t).hasSize(4);
        // 5/s: start i is due 200 ms x i after the first was due; the first may itself start a little late
        assertThat(TimeUnit.NANOSECONDS.toMillis(t.get(3) - t.get(0))).isGreaterThanOrEqualTo(550);
    }

    @Test
    void aRevokedTaskIsNotRun() {
        String id = UUID.randomUUID().toString();
        Replies rep = client.control().revoke(List.of(id), false, null, me());
        assertThat(rep.ok().get(node)).isEqualTo("tasks {'" + id + "'} flagged as revoked");
        AsyncResult r = send("t.add", List.of(1, 2), SendOptions.builder().taskId(id).build());
        await().atMost(WAIT).until(() -> r.state().equals(TaskState.REVOKED));
        assertThat(client.control().inspect(me()).revoked().lists().get(node)).contains(id);
    }

    @Test
    void terminateEndsARunningTask() throws InterruptedException {
        String key = UUID.randomUUID().toString();
        AsyncResult r = send("t.block", key);
        assertThat(tasks.startedLatch(key).await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.control().inspect(me()).active().lists()
                .get(node)).anySatisfy(x -> assertThat(((Map<?, ?>) x).get("id")).isEqualTo(r.id())));
        Replies rep = client.control().terminate("SIGTERM", List.of(r.id()), me());
        assertThat(rep.ok().get(node)).isEqualTo("terminate: " + r.id());
        await().atMost(WAIT).until(() -> r.state().equals(TaskState.REVOKED));
        assertThat(r.meta().result().toString()).contains("terminated");
        tasks.gate(key).countDown();
    }

    @Test
    void progressIsVisibleWhileTheTaskRuns() throws InterruptedException {
        String key = UUID.randomUUID().toString();
        AsyncResult r = send("t.progress", key);
        await().atMost(WAIT).until(() -> r.state().equals(TaskState.of("PROGRESS")));
        assertThat(r.info()).isEqualTo(Map.of("current", 1L, "total", 2L));
        tasks.gate(key).countDown();
        assertThat(r.get(WAIT)).isEqualTo(2L);
    }

    @Test
    void ignoreResultStoresNothing() {
        AsyncResult r = send("t.add", List.of(1, 2), SendOptions.builder().ignoreResult(true).build());
        AsyncResult after = send("t.add", 3, 4);
        assertThat(after.get(WAIT)).isEqualTo(7L);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> r.state().equals(TaskState.PENDING));
    }

    @Test
    void aChainRunsStepByStep() {
        AsyncResult last = client.send(Chain.of(Signature.of("t.add", 1, 2), Signature.of("t.add", 10),
                Signature.of("t.add", 100)));
        assertThat(last.get(WAIT)).isEqualTo(113L);
        assertThat(last.parent().get(WAIT)).isEqualTo(13L);
    }

    @Test
    void linkErrorCallsTheErrbackWithTheFailedId() {
        AsyncResult r = send("t.value_error", List.of("no"), SendOptions.builder()
                .linkError(Signature.of("t.errback")).build());
        assertThatThrownBy(() -> r.get(WAIT)).isInstanceOf(TaskFailedException.class);
        await().atMost(WAIT).until(() -> tasks.errbacks.contains(r.id()));
    }

    @Test
    void aChordCallsItsBodyOnceWithEveryResult() {
        org.junit.jupiter.api.Assumptions.assumeTrue(client.backend().orElseThrow().supports(
                BackendCapability.CHORDS), "the backend counts no chords");
        AsyncResult body = client.send(Chord.of(Group.of(Signature.of("t.add", 1, 1), Signature.of("t.add", 2, 2),
                Signature.of("t.add", 3, 3)), Signature.of("t.sum")));
        assertThat(body.get(WAIT)).isEqualTo(12L);
    }

    @Test
    void inspectAnswersAsAPythonWorker() {
        assertThat(client.control().ping(me()).ok()).containsEntry(node, "pong");
        assertThat(client.control().inspect(me()).registered().lists().get(node)).contains("t.add", "t.lambda")
                .doesNotContain("celery.chord_unlock");
        send("t.add", 0, 1).get(WAIT);
        Map<String, Object> stats = client.control().inspect(me()).stats().maps().get(node);
        assertThat(stats).containsKeys("total", "pid", "clock", "uptime", "pool", "broker", "prefetch_count",
                "rusage");
        assertThat(((Map<?, ?>) stats.get("pool")).get("max-concurrency")).isEqualTo(4L);
        assertThat(((Map<?, ?>) stats.get("total")).get("t.add")).isInstanceOf(Long.class);
        assertThat(client.control().inspect(me()).request("no_such_command", Map.of()).errors().get(node))
                .isEqualTo("KeyError('no_such_command')");
    }

    @Test
    void controlChangesRateAndTimeLimitsAndEvents() {
        Replies rl = client.control().rateLimit("t.add", "100/m", me());
        assertThat(rl.ok().get(node)).isEqualTo("new rate limit set successfully");
        assertThat(client.control().rateLimit("t.nothing", "1/s", me()).errors().get(node)).isEqualTo(
                "unknown task");
        assertThat(client.control().rateLimit("t.add", "0", me()).ok().get(node)).isEqualTo(
                "rate limit disabled successfully");
        assertThat(client.control().timeLimit("t.add", 5.0, 10.0, me()).ok().get(node)).isEqualTo(
                "time limits set successfully");
        assertThat(client.control().enableEvents(me()).ok().get(node)).isEqualTo("task events already enabled");
    }

    @Test
    void addConsumerAndCancelConsumerChangeTheQueues() {
        String extra = queue + "-extra";
        try {
            Replies add = client.control().broadcast("add_consumer", Map.of("queue", extra), me());
            assertThat(add.ok().get(node)).isEqualTo("add consumer " + extra);
            assertThat(client.control().broadcast("add_consumer", Map.of("queue", extra), me()).ok().get(node))
                    .isEqualTo("already consuming from '" + extra + "'");
            List<Object> queues = client.control().inspect(me()).request("active_queues", Map.of()).lists().get(node);
            assertThat(queues).extracting(q -> (Object) ((Map<?, ?>) q).get("name")).contains(queue, extra);
            AsyncResult r = send("t.add", List.of(20, 1), SendOptions.builder().queue(extra).build());
            assertThat(r.get(WAIT)).isEqualTo(21L);
            Replies cancel = client.control().broadcast("cancel_consumer", Map.of("queue", extra), me());
            assertThat(cancel.ok().get(node)).isEqualTo("no longer consuming from '" + extra + "'");
            assertThat(client.control().inspect(me()).request("active_queues", Map.of()).lists().get(node))
                    .extracting(q -> (Object) ((Map<?, ?>) q).get("name")).containsExactly(queue);
            AsyncResult waiting = send("t.add", List.of(1, 1), SendOptions.builder().queue(extra).build());
            await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> waiting.state().equals(TaskState.PENDING));
            assertThat(client.broker().queueStats(extra).messages()).isEqualTo(1);
        } finally {
            client.broker().deleteQueue(extra);
            client.broker().deleteExchange(extra);
        }
    }

    @Test
    void confQueryTaskAndReportAnswer() throws InterruptedException {
        Map<String, Object> conf = client.control().inspect(me()).conf().maps().get(node);
        assertThat(conf).containsEntry("worker_concurrency", 4L).containsEntry("task_default_queue", queue)
                .containsEntry("task_acks_late", false);
        String key = UUID.randomUUID().toString();
        AsyncResult r = send("t.block", key);
        assertThat(tasks.startedLatch(key).await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Object> q = client.control().inspect(me()).queryTask(List.of(r.id())).maps().get(node);
            assertThat(q).containsKey(r.id());
            assertThat(((List<?>) q.get(r.id())).get(0)).isEqualTo("active");
        });
        tasks.gate(key).countDown();
        assertThat(r.get(WAIT)).isEqualTo("released " + key);
        assertThat(client.control().inspect(me()).report().ok().get(node)).startsWith("software -> celeriac:");
    }

    @Test
    void theResultKeepsTheWorkersMeta() {
        AsyncResult r = send("t.add", 5, 5);
        assertThat(r.get(WAIT)).isEqualTo(10L);
        TaskMeta m = r.meta();
        assertThat(m.status()).isEqualTo(TaskState.SUCCESS);
        assertThat(m.dateDone()).isNotNull();
    }
}
