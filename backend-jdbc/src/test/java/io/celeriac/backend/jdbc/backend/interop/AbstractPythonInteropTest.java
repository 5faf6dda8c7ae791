package io.celeriac.backend.jdbc.backend.interop;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.CorruptResultException;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.jdbc.backend.ForbiddenPickleException;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.Tck;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real Python Celery 5.2, 5.5 and 5.6 (Debian's {@code python3-celery}, SQLAlchemy 1.4 and 2.0) and celeriac on one
 * database, both ways: Python writes every state, value, extended field and group and celeriac reads them
 * exactly, on tables Python created; celeriac writes them and Python reads them exactly, on tables
 * celeriac created; Python writes into celeriac's tables and wakes a celeriac waiter; hostile pickles are
 * refused with nothing executed. Subclasses give the database and run once per Celery version.
 */
abstract class AbstractPythonInteropTest {

    static final Celeriac CELERIAC = Celeriac.discover();
    private static final Duration PYTHON_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path work;

    @Parameter
    CeleryVersion celery;

    /** A Celery URL of a database where Python creates the tables first. */
    abstract String pythonFirstUrl();

    /** A Celery URL of a database where celeriac creates the tables first. */
    abstract String javaFirstUrl();

    /** The URL celeriac opens for {@link #javaFirstUrl()} (may carry a password Python's URL has not). */
    String javaUrlForJavaFirst() {
        return javaFirstUrl();
    }

    /** The URL Python's saved groups should embed for {@link #javaFirstUrl()}'s database. */
    abstract String expectedMemberUrl();

    /** Secrets that must never appear in a row celeriac wrote. */
    List<String> secrets() {
        return List.of();
    }

    Backend open(String url, BackendOptions options) {
        return CELERIAC.openBackend(url, options);
    }

    static BackendOptions extended() {
        return BackendOptions.builder().resultExtended(true).build();
    }

    PythonCelery.Result python(String command, String url, Path plan) {
        return PythonPeer.of(celery).run(PythonCelery.resource(AbstractPythonInteropTest.class, "celery_db.py"), PYTHON_TIMEOUT,
                TestServices.passThroughEnvironment(), command, url, plan.toString()).assertSuccess();
    }

    static String prefix(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ------------------------------------------------------------------------------------------

    @Test
    void pythonWritesEveryStateValueAndGroup_celeriacReadsThemExactly() {
        InteropPlan plan = InteropPlan.everything(prefix("py"), true);
        Instant before = Instant.now().minusSeconds(60);
        python("write", pythonFirstUrl(), plan.writeJson(work, "plan.json"));
        try (Backend b = open(pythonFirstUrl(), extended())) {
            Map<String, TaskMeta> many = b.getMany(plan.tasks.stream().map(InteropPlan.Task::taskId).toList());
            for (InteropPlan.Task t : plan.tasks) {
                TaskMeta m = b.getTaskMeta(t.taskId());
                String what = t.taskId() + " (" + t.state() + ")";
                assertThat(m.status()).as(what).isEqualTo(t.state());
                assertThat(m.result()).as(what).isEqualTo(t.result());
                assertThat(m.traceback()).as(what).isEqualTo(t.traceback());
                if (t.state().isReady()) {
                    assertThat(m.dateDone()).as(what).isAfter(before).isBefore(Instant.now().plusSeconds(60));
                } else {
                    assertThat(m.dateDone()).as(what).isNull();
                }
                assertThat(m.extended()).isTrue();
                if (t.request() != null) {
                    assertThat(m.name()).as(what).isEqualTo(t.request().task());
                    assertThat(m.args()).as(what).isEqualTo(t.request().args());
                    assertThat(m.kwargs()).as(what).isEqualTo(t.request().kwargs());
                    assertThat(m.worker()).as(what).isEqualTo(t.request().hostname());
                    assertThat(m.retries()).as(what).isEqualTo(t.request().retries());
                    assertThat(m.queue()).as(what).isEqualTo(t.request().queue());
                } else {
                    assertThat(m.name()).as(what).isNull();
                    assertThat(m.args()).as(what).isNull();
                }
                assertThat(many.get(t.taskId())).as(what).isEqualTo(m);
            }
            // Python pickles GroupResult(id, results): members keep their parents
            for (GroupResult g : plan.groups) {
                assertThat(b.restoreGroup(g.id())).as(g.id()).contains(g);
            }
            assertThat(b.getTaskMeta(prefix("missing")).status()).isEqualTo(TaskState.PENDING);
        }
    }

    @Test
    void celeriacWritesEveryStateValueAndGroup_pythonReadsThemExactly() {
        InteropPlan plan = InteropPlan.everything(prefix("java"), true);
        Map<String, TaskMeta> written = new LinkedHashMap<>();
        try (Backend b = open(javaUrlForJavaFirst(), extended())) {
            plan.writeWith(b);
            for (InteropPlan.Task t : plan.tasks) {
                written.put(t.taskId(), b.getTaskMeta(t.taskId()));
            }
        }
        Map<?, ?> out = (Map<?, ?>) CeleryJson.decode(python("read", javaFirstUrl(), plan.writeJson(work, "plan.json")).stdout().strip());
        Map<?, ?> tasks = (Map<?, ?>) out.get("tasks");
        for (InteropPlan.Task t : plan.tasks) {
            Map<?, ?> r = (Map<?, ?>) tasks.get(t.taskId());
            String what = t.taskId() + " (" + t.state() + ")";
            assertThat(r).as(what).isNotNull();
            assertThat(r.get("state")).as(what).isEqualTo(t.state().name());
            if (t.result() instanceof ExceptionInfo e) {
                Map<String, Object> raw = new LinkedHashMap<>();
                raw.put("exc_type", e.excType());
                raw.put("exc_message", e.args());
                raw.put("exc_module", e.excModule());
                assertThat(r.get("raw_result")).as(what).isEqualTo(raw);
                assertThat(r.get("raw_result_type")).as(what).isEqualTo("dict");
                Map<?, ?> exc = (Map<?, ?>) r.get("result");
                assertThat(exc.get("__exception__")).as(what).isEqualTo(e.excType());
                assertThat(exc.get("args")).as(what).isEqualTo(e.args());
                if ("builtins".equals(e.excModule())) {
                    assertThat(exc.get("module")).as(what).isEqualTo("builtins");
                }
            } else {
                assertThat(r.get("raw_result")).as(what).isEqualTo(t.result());
                assertThat(r.get("result")).as(what).isEqualTo(t.result());
            }
            assertThat(r.get("traceback")).as(what).isEqualTo(t.traceback());
            Instant done = written.get(t.taskId()).dateDone();
            assertThat(r.get("date_done")).as(what).isEqualTo(done == null ? null : CeleryJson.formatDateDone(done));
            Map<?, ?> ext = (Map<?, ?>) r.get("extended");
            if (t.request() != null) {
                assertThat(ext.get("name")).as(what).isEqualTo(t.request().task());
                assertThat(ext.get("args")).as(what).isEqualTo(t.request().args());
                assertThat(ext.get("kwargs")).as(what).isEqualTo(t.request().kwargs());
                assertThat(ext.get("worker")).as(what).isEqualTo(t.request().hostname());
                assertThat(ext.get("retries")).as(what).isEqualTo((long) t.request().retries());
                assertThat(ext.get("queue")).as(what).isEqualTo(t.request().queue());
            }
        }
        Map<?, ?> groups = (Map<?, ?>) out.get("groups");
        for (GroupResult g : plan.groups) {
            Map<?, ?> r = (Map<?, ?>) groups.get(g.id());
            assertThat(r).as(g.id()).isNotNull();
            assertThat(r.get("tuple")).as(g.id()).isEqualTo(g.asTuple().toList());
            assertThat(r.get("member_backend")).isEqualTo("DatabaseBackend");
            assertThat(r.get("member_backend_url")).isEqualTo(expectedMemberUrl());
            List<String> expectedStates = new ArrayList<>();
            for (ResultTuple m : g.results()) {
                expectedStates.add(m.isGroup() ? null : plan.tasks.stream().filter(t -> t.taskId().equals(m.id()))
                        .map(t -> t.state().name()).findFirst().orElse("PENDING"));
            }
            // Python read each member's state through the backend the row embeds
            assertThat(r.get("member_states")).as(g.id()).isEqualTo(expectedStates);
        }
        for (String secret : secrets()) {
            assertThat(out.toString()).doesNotContain(secret);
        }
    }

    @Test
    void pythonWritesIntoCeleriacsTables_andWakesACeleriacWaiter() throws Exception {
        InteropPlan plan = new InteropPlan(prefix("wake"), false);
        String id = plan.prefix + "-done";
        plan.tasks.add(new InteropPlan.Task(id, TaskState.SUCCESS, Map.of("from", "python"), null, null, null));
        plan.tasks.add(new InteropPlan.Task(plan.prefix + "-failed", TaskState.FAILURE,
                ExceptionInfo.builtin("ZeroDivisionError", "division by zero"), "tb", null, null));
        try (Backend b = open(javaUrlForJavaFirst(), BackendOptions.defaults())) {
            CompletableFuture<TaskMeta> waiter = b.waitForAsync(id, Tck.timeout(Duration.ofSeconds(120)));
            long start = System.nanoTime();
            python("write", javaFirstUrl(), plan.writeJson(work, "plan.json"));
            TaskMeta m = waiter.get(Tck.timeout(Duration.ofSeconds(120)).toMillis(), TimeUnit.MILLISECONDS);
            System.out.printf("interop: a celeriac waiter woke %d ms after Python started writing%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(m.status()).isEqualTo(TaskState.SUCCESS);
            assertThat(m.result()).isEqualTo(Map.of("from", "python"));
            TaskMeta f = b.getTaskMeta(plan.prefix + "-failed");
            assertThat(f.result()).isEqualTo(ExceptionInfo.builtin("ZeroDivisionError", "division by zero"));
            // Celery's database backend has no SUCCESS guard, but celeriac's writes do
            b.markAsFailure(id, ExceptionInfo.builtin("ValueError", "late"), null, null);
            assertThat(b.getTaskMeta(id).status()).isEqualTo(TaskState.SUCCESS);
        }
    }

    /**
     * The zone of the {@code date_done} wall times Python writes with its app's {@code timezone} set: Celery 5.2
     * writes UTC; 5.5 and later write the app's zone on SQLite and the server's on PostgreSQL.
     */
    abstract String writerZone(CeleryVersion version, String appZone);

    @Test
    void dateDoneInTheWritersTimeZoneReadsAsTheRightInstant_andCleanupKeepsAFreshResult() {
        String appZone = "America/New_York";
        InteropPlan plan = new InteropPlan(prefix("tz"), false);
        plan.timezone = appZone;
        String id = plan.prefix + "-done";
        plan.tasks.add(new InteropPlan.Task(id, TaskState.SUCCESS, 1L, null, null, null));
        Instant before = Instant.now().minusSeconds(5);
        python("write", pythonFirstUrl(), plan.writeJson(work, "plan.json"));
        Instant after = Instant.now().plusSeconds(5);
        String zone = writerZone(celery, appZone);

        BackendOptions.Builder options = BackendOptions.builder().resultExpires(Duration.ofHours(1))
                .property(JdbcBackendConfig.TIMEZONE, zone);
        try (Backend b = open(pythonFirstUrl(), options.build())) {
            assertThat(b.getTaskMeta(id).dateDone()).as("date_done written by %s in %s", celery, zone)
                    .isBetween(before, after);
            b.cleanup();
            assertThat(b.getTaskMeta(id).status()).as("a result written seconds ago is not expired")
                    .isEqualTo(TaskState.SUCCESS);
        }
        if (!java.time.ZoneId.of(zone).getRules().getOffset(before).equals(java.time.ZoneOffset.UTC)) {
            // without the setting, New York wall times read five hours early: cleanup would delete the row
            try (Backend b = open(pythonFirstUrl(), BackendOptions.defaults())) {
                assertThat(Duration.between(b.getTaskMeta(id).dateDone(), before).toHours()).isBetween(4L, 5L);
            }
        }
    }

    @Test
    void groupsWrittenForTheAppBackendLeaveMembersToPythonsConfiguredBackend() {
        InteropPlan plan = new InteropPlan(prefix("app"), false);
        plan.tasks.add(new InteropPlan.Task(plan.prefix + "-a", TaskState.SUCCESS, 1L, null, null, null));
        plan.groups.add(GroupResult.ofTaskIds(plan.prefix + "-g", List.of(plan.prefix + "-a", plan.prefix + "-b")));
        try (Backend b = open(javaUrlForJavaFirst(), BackendOptions.builder()
                .property(JdbcBackendConfig.GROUP_MEMBER_BACKEND, "app").build())) {
            plan.writeWith(b);
            assertThat(b.restoreGroup(plan.prefix + "-g")).contains(plan.groups.get(0));
        }
        Map<?, ?> out = (Map<?, ?>) CeleryJson.decode(python("read", javaFirstUrl(), plan.writeJson(work, "plan.json")).stdout().strip());
        Map<?, ?> g = (Map<?, ?>) ((Map<?, ?>) out.get("groups")).get(plan.prefix + "-g");
        assertThat(g.get("member_backend_is_app_backend")).isEqualTo(true);
        assertThat(g.get("member_states")).isEqualTo(List.of("SUCCESS", "PENDING"));
    }

    @Test
    void hostilePicklesAreRefusedWithATypedError_nothingRuns_andOtherRowsStillRead() throws Exception {
        String p = prefix("evil");
        Path markers = Files.createDirectories(work.resolve("markers"));
        List<Object> ops = new ArrayList<>();
        Map<String, String> expectedGlobal = new LinkedHashMap<>();
        String[][] cases = {{"os.system", "posix.system"}, {"builtins.eval", "builtins.eval"},
                {"subprocess.Popen", "subprocess.Popen"}};
        for (String[] c : cases) {
            for (boolean nested : new boolean[]{false, true}) {
                String id = p + "-" + c[0] + (nested ? "-nested" : "");
                Map<String, Object> op = new LinkedHashMap<>();
                op.put("task_id", id);
                op.put("how", c[0]);
                op.put("marker", markers.resolve(id).toString());
                op.put("nested", nested);
                ops.add(op);
                expectedGlobal.put(id, c[1]);
            }
        }
        InteropPlan evil = new InteropPlan(p, false);
        python("evil", pythonFirstUrl(), evil.writeJson(work, "evil.json", ops));
        InteropPlan good = new InteropPlan(p + "-good", false);
        good.tasks.add(new InteropPlan.Task(p + "-good-1", TaskState.SUCCESS, List.of(1L, "two"), null, null, null));
        python("write", pythonFirstUrl(), good.writeJson(work, "good.json"));

        try (Backend b = open(pythonFirstUrl(), BackendOptions.defaults())) {
            for (Map.Entry<String, String> e : expectedGlobal.entrySet()) {
                assertThatThrownBy(() -> b.getTaskMeta(e.getKey()))
                        .as(e.getKey())
                        .isInstanceOf(CorruptResultException.class)
                        .hasMessageContaining(e.getKey())
                        .hasCauseInstanceOf(ForbiddenPickleException.class)
                        .satisfies(x -> assertThat(((ForbiddenPickleException) x.getCause()).global()).isEqualTo(e.getValue()));
                CompletableFuture<TaskMeta> w = b.waitForAsync(e.getKey(), Tck.timeout(Duration.ofSeconds(30)));
                assertThatThrownBy(() -> w.get(Tck.timeout(Duration.ofSeconds(30)).toMillis(), TimeUnit.MILLISECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(CorruptResultException.class);
            }
            assertThat(b.getTaskMeta(p + "-good-1").result()).isEqualTo(List.of(1L, "two"));
            assertThat(b.getMany(List.of(p + "-good-1", p + "-none")).get(p + "-good-1").status()).isEqualTo(TaskState.SUCCESS);
        }
        try (var files = Files.list(markers)) {
            assertThat(files.toList()).as("files the payloads would have created").isEmpty();
        }
        // the payload is live: Python's own pickle.loads runs it
        String live = p + "-os.system";
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("task_id", live);
        Path planFile = work.resolve("loads.json");
        Files.writeString(planFile, CeleryJson.encodeToString(one));
        python("loads", pythonFirstUrl(), planFile);
        assertThat(markers.resolve(live)).exists();
    }
}
