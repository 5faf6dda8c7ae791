package io.celeriac.monitor;

import io.celeriac.client.AsyncResult;
import io.celeriac.client.SendOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The monitor against a live cluster (a Java worker with events on Redis, tasks sent by the client): Flower's
 * API with its parameters and shapes, {@code /metrics} parsed and its counters checked against what was sent,
 * the actions, authentication, and the history across a restart and a corrupt store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitorApiTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String USER = "admin";
    static final String PASSWORD = "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random()));

    /** Celery's {@code Task._fields} as Flower's {@code /api/tasks} returns them, worker last. */
    static final Set<String> FLOWER_TASK_KEYS = Set.of("uuid", "name", "state", "received", "sent", "started",
            "rejected", "succeeded", "failed", "retried", "revoked", "args", "kwargs", "eta", "expires", "retries",
            "result", "exception", "timestamp", "runtime", "traceback", "exchange", "routing_key", "clock", "client",
            "root", "root_id", "parent", "parent_id", "children", "worker");

    LiveCluster cluster;
    Monitor monitor;
    Http http;
    Path dir;
    final List<String> added = new ArrayList<>();
    String failedId;

    @BeforeAll
    void start() throws IOException {
        cluster = new LiveCluster();
        dir = Files.createTempDirectory("celeriac-monitor-test");
        monitor = cluster.monitor().basicAuth(USER, PASSWORD).history(dir.resolve("history.db")).build().start();
        http = new Http(monitor.url(), USER, PASSWORD);
        await("the worker is online in the monitor").atMost(WAIT).until(() ->
                Boolean.TRUE.equals(http.<Map<String, Object>>json("/api/workers?status=1").get(cluster.node)));
        for (int i = 0; i < 3; i++) {
            added.add(cluster.client.send("mon.add", List.of(i, 10), Map.of(), SendOptions.none()).id());
        }
        failedId = cluster.client.send("mon.fail", List.of("boom <b>"), Map.of(), SendOptions.none()).id();
        for (String id : added) {
            cluster.client.asyncResult(id).get(WAIT);
        }
        await("every task is finished in the monitor").atMost(WAIT).until(() -> {
            Map<String, Object> tasks = http.json("/api/tasks?limit=100");
            return tasks.size() == 4 && tasks.values().stream().allMatch(t ->
                    Set.of("SUCCESS", "FAILURE").contains(((Map<?, ?>) t).get("state")));
        });
    }

    @AfterAll
    void stop() {
        try {
            if (monitor != null) {
                monitor.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void workersAreListedInFlowersShapes() {
        Map<String, Object> status = http.json("/api/workers?status=true");
        assertThat(status).containsEntry(cluster.node, true);
        Map<String, Object> refreshed = http.json("/api/workers?refresh=1&workername=" + cluster.node);
        @SuppressWarnings("unchecked")
        Map<String, Object> info = (Map<String, Object>) refreshed.get(cluster.node);
        assertThat(info).containsKeys("stats", "registered", "active_queues", "timestamp");
        assertThat((List<Object>) info.get("registered")).contains("mon.add", "mon.fail");
        assertThat(http.get("/api/workers?workername=nobody@nowhere").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void tasksAreListedWithFlowersParameters() {
        Map<String, Object> all = http.json("/api/tasks");
        assertThat(all).hasSize(4);
        for (Object t : all.values()) {
            assertThat(((Map<String, Object>) t).keySet()).containsAll(FLOWER_TASK_KEYS);
        }
        Map<String, Object> adds = http.json("/api/tasks?taskname=mon.add&state=SUCCESS");
        assertThat(adds.keySet()).containsExactlyInAnyOrderElementsOf(added);
        Map<String, Object> failures = http.json("/api/tasks?state=FAILURE");
        assertThat(failures.keySet()).containsExactly(failedId);
        assertThat(http.<Map<String, Object>>json("/api/tasks?workername=" + cluster.node)).hasSize(4);
        assertThat(http.<Map<String, Object>>json("/api/tasks?workername=other@host")).isEmpty();
        assertThat(http.<Map<String, Object>>json("/api/tasks?limit=2")).hasSize(2);
        assertThat(http.<Map<String, Object>>json("/api/tasks?limit=2&offset=3")).hasSize(1);
        List<Object> byName = new ArrayList<>(http.<Map<String, Object>>json("/api/tasks?sort_by=-name").values());
        assertThat(((Map<String, Object>) byName.get(0)).get("name")).isEqualTo("mon.fail");
        assertThat(http.<Map<String, Object>>json("/api/tasks?search=boom")).containsOnlyKeys(failedId);
        assertThat(http.<Map<String, Object>>json("/api/tasks?search=args:10")).hasSize(3);
        assertThat(http.<Map<String, Object>>json("/api/tasks?received_start=2000-01-01%2000:00")).hasSize(4);
        assertThat(http.<Map<String, Object>>json("/api/tasks?received_end=2000-01-01%2000:00")).isEmpty();
        assertThat(http.get("/api/tasks?sort_by=color").statusCode()).isEqualTo(400);
        Map<String, Object> types = http.json("/api/task/types");
        assertThat((List<Object>) types.get("task-types")).contains("mon.add", "mon.fail");
    }

    @Test
    @Order(1)
    void aTasksInfoAndResult() {
        Map<String, Object> info = http.json("/api/task/info/" + added.get(1));
        assertThat(info).containsEntry("task-id", added.get(1)).containsEntry("state", "SUCCESS")
                .containsEntry("name", "mon.add").containsEntry("worker", cluster.node).containsEntry("result", "11");
        assertThat(info.get("runtime")).isInstanceOf(Double.class);
        Map<String, Object> failed = http.json("/api/task/info/" + failedId);
        assertThat(failed.get("state")).isEqualTo("FAILURE");
        assertThat((String) failed.get("traceback")).contains("ValueError");
        assertThat((String) failed.get("exception")).startsWith("ValueError(");
        assertThat(http.get("/api/task/info/no-such-task").statusCode()).isEqualTo(404);

        Map<String, Object> result = http.json("/api/task/result/" + added.get(2));
        assertThat(result).containsEntry("task-id", added.get(2)).containsEntry("state", "SUCCESS")
                .containsEntry("result", 12L);
        Map<String, Object> failure = http.json("/api/task/result/" + failedId);
        assertThat(failure.get("state")).isEqualTo("FAILURE");
        assertThat((String) failure.get("result")).isEqualTo("ValueError('boom <b>')");
        assertThat((String) failure.get("traceback")).contains("ValueError");
        assertThat(http.<Map<String, Object>>json("/api/task/result/unknown-id")).containsEntry("state", "PENDING");
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void queueDepthsFollowTheBroker() {
        for (int i = 0; i < 3; i++) {
            cluster.client.send("mon.echo", List.of(i), Map.of(), SendOptions.builder().queue(cluster.idleQueue).build());
        }
        await("the idle queue's depth").atMost(WAIT).until(() -> {
            Map<String, Object> q = http.json("/api/queues/length");
            return ((List<Map<String, Object>>) q.get("active_queues")).stream().anyMatch(e ->
                    cluster.idleQueue.equals(e.get("name")) && Long.valueOf(3).equals(e.get("messages")));
        });
        await("the depth is exported").atMost(WAIT).until(() -> PromText.parse(http.get("/metrics").body())
                .sum("celery_queue_length", "queue_name", cluster.idleQueue) == 3.0);
    }

    @Test
    @Order(1)
    void metricsCountWhatWasSent() {
        HttpResponse<String> r = http.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        PromText m = PromText.parse(r.body());
        String host = "montest";
        assertThat(m.types).containsEntry("celery_task_succeeded_total", "counter").containsEntry("celery_task_runtime",
                "histogram").containsEntry("celery_worker_up", "gauge").containsEntry("celery_queue_length", "gauge");
        assertThat(m.sum("celery_task_sent_total", "name", "mon.add")).isEqualTo(3.0);
        assertThat(m.sum("celery_task_received_total", "name", "mon.add", "hostname", host, "queue_name",
                cluster.queue)).isEqualTo(3.0);
        assertThat(m.sum("celery_task_started_total", "name", "mon.add", "hostname", host)).isEqualTo(3.0);
        assertThat(m.sum("celery_task_succeeded_total", "name", "mon.add", "hostname", host)).isEqualTo(3.0);
        assertThat(m.sum("celery_task_failed_total", "name", "mon.fail", "hostname", host, "exception", "ValueError"))
                .isEqualTo(1.0);
        assertThat(m.sum("celery_task_succeeded_total", "name", "mon.fail")).isZero();
        assertThat(m.find("celery_task_succeeded_total", "name", "mon.fail")).as("made visible at zero").hasSize(1);
        assertThat(m.sum("celery_task_retried_total", "name", "mon.add")).isZero();
        assertThat(m.sum("celery_task_runtime_count", "name", "mon.add", "hostname", host)).isEqualTo(3.0);
        assertThat(m.sum("celery_task_runtime_bucket", "name", "mon.add", "le", "+Inf")).isEqualTo(3.0);
        assertThat(m.sum("celery_task_queue_wait_time_count", "name", "mon.add")).isEqualTo(3.0);
        assertThat(m.sum("celery_worker_up", "hostname", host)).isEqualTo(1.0);
        assertThat(m.find("celery_worker_tasks_active", "hostname", host)).hasSize(1);
        assertThat(m.sum("celeriac_monitor_events_total")).isGreaterThanOrEqualTo(16.0);
    }

    @Test
    @Order(1)
    void everyRequestNeedsCredentialsAndNoPageShowsThePassword() {
        Http anonymous = new Http(monitor.url());
        for (String path : List.of("/", "/tasks", "/api/tasks", "/api/workers", "/metrics", "/api/monitor/overview",
                "/static/app.js")) {
            HttpResponse<String> r = anonymous.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Basic ");
        }
        assertThat(new Http(monitor.url(), USER, "wrong").get("/api/tasks").statusCode()).isEqualTo(401);
        assertThat(new Http(monitor.url(), "root", PASSWORD).get("/api/tasks").statusCode()).isEqualTo(401);
        assertThat(anonymous.post("/api/task/revoke/" + added.get(0), null).statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/healthcheck").statusCode()).isEqualTo(200);
        for (String path : List.of("/", "/api/monitor/overview", "/api/workers?refresh=1", "/metrics",
                "/api/tasks", "/static/app.js")) {
            HttpResponse<String> r = http.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).doesNotContain(PASSWORD);
        }
        assertThat(monitor.toString()).doesNotContain(PASSWORD);
    }

    @Test
    @Order(3)
    void actionsSendRevokeAndRefuseForeignOrigins() {
        HttpResponse<String> sent = http.post("/api/task/send-task/mon.add", "{\"args\": [20, 22]}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        String id = (String) Http.map(sent.body()).get("task-id");
        assertThat(cluster.client.asyncResult(id).get(WAIT)).isEqualTo(42L);
        await("the sent task succeeds in the monitor").atMost(WAIT).until(() ->
                "SUCCESS".equals(http.<Map<String, Object>>json("/api/task/info/" + id).get("state")));

        AsyncResult later = cluster.client.send("mon.echo", List.of("later"), Map.of(),
                SendOptions.builder().countdown(Duration.ofSeconds(2)).build());
        HttpResponse<String> revoked = http.post("/api/task/revoke/" + later.id(), null);
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(Http.map(revoked.body())).containsEntry("message", "Revoked '" + later.id() + "'");
        await("the revoked task is REVOKED").atMost(WAIT).until(() ->
                "REVOKED".equals(http.<Map<String, Object>>json("/api/task/info/" + later.id()).get("state")));

        HttpResponse<String> rate = http.post("/api/task/rate-limit/mon.echo?workername=" + cluster.node
                + "&ratelimit=100/m", null);
        assertThat(rate.statusCode()).as(rate.body()).isEqualTo(200);
        assertThat(Http.map(rate.body()).get("message").toString()).contains("rate limit");

        HttpResponse<String> foreign = http.post("/api/task/revoke/" + added.get(0), null, "Origin",
                "http://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(http.post("/api/task/send-task/mon.add", "[1, 2]").statusCode()).isEqualTo(400);
        assertThat(http.post("/api/worker/shutdown/nobody@nowhere", null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(4)
    void aRestartReloadsTheHistory() throws IOException {
        Path file = dir.resolve("restart.db");
        String id;
        try (Monitor first = cluster.monitor().history(file).build().start()) {
            Http h = new Http(first.url());
            await("the first monitor follows the cluster").atMost(WAIT).until(() ->
                    h.get("/api/workers?status=1").body().contains(cluster.node));
            id = cluster.client.send("mon.add", List.of(1, 1), Map.of(), SendOptions.none()).id();
            await("the first monitor saw the task").atMost(WAIT).until(() -> h.get("/api/task/info/" + id)
                    .body().contains("SUCCESS"));
        }
        try (Monitor second = cluster.monitor().history(file).build().start()) {
            Http h = new Http(second.url());
            Map<String, Object> info = h.json("/api/task/info/" + id);
            assertThat(info).containsEntry("state", "SUCCESS").containsEntry("name", "mon.add")
                    .containsEntry("result", "2");
            assertThat(h.<Map<String, Object>>json("/api/tasks?taskname=mon.add")).containsKey(id);
            Map<String, Object> overview = h.json("/api/monitor/overview");
            assertThat(((Map<?, ?>) overview.get("history")).get("size")).isEqualTo(1L);
        }
    }

    @Test
    @Order(5)
    void aCorruptHistoryIsSetAsideAndTheMonitorStarts() throws IOException {
        Path file = dir.resolve("corrupt.db");
        Files.write(file, "this is not a database, it is a note about one".repeat(200).getBytes());
        try (Monitor m = cluster.monitor().history(file).build().start()) {
            Http h = new Http(m.url());
            assertThat(h.<Map<String, Object>>json("/api/tasks")).isEmpty();
            String id = cluster.client.send("mon.add", List.of(2, 2), Map.of(), SendOptions.none()).id();
            await("the new history works").atMost(WAIT).until(() -> h.get("/api/task/info/" + id).body()
                    .contains("SUCCESS"));
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("corrupt.db.corrupt-")).toList();
            assertThat(aside).hasSize(1);
            assertThat(Files.readString(aside.get(0))).startsWith("this is not a database");
        }
    }
}
