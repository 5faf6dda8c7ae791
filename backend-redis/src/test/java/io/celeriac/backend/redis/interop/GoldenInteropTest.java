package io.celeriac.backend.redis.interop;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.PeerVersion;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.GoldenCorpus;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Results both ways between real Python Celery (5.2, 5.5 and 5.6) and celeriac on one Redis database: every golden
 * meta, every state, extended results and groups, compared field by field and byte by byte.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class GoldenInteropTest {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();

    private RedisTestServer.DatabaseLease lease;
    private Backend backend;
    private Backend extended;

    @BeforeEach
    void setUp() {
        PythonPeer.of(celery).assumeAvailable();
        lease = TestServices.redis().leaseDatabase();
        // celeriac writes the forms of the Python peer's version (date_done with +00:00 from 5.5 on)
        PeerVersion peer = PeerVersion.parse(celery.label());
        String url = lease.url();
        backend = CELERIAC.openBackend(url + (url.contains("?") ? "&" : "?") + "celery_version=" + celery.label());
        extended = CELERIAC.openBackend(lease.url(),
                BackendOptions.builder().resultExtended(true).peerVersion(peer).build());
    }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
            extended.close();
        }
        if (lease != null) {
            lease.close();
        }
    }

    /** The golden documents, plus one per state the corpus does not hold. */
    private static List<String> documents() {
        List<String> docs = new ArrayList<>(GoldenCorpus.metaDocuments());
        for (String state : List.of("PENDING", "RECEIVED", "REJECTED", "IGNORED")) {
            docs.add("{\"status\": \"" + state + "\", \"result\": null, \"traceback\": null, \"children\": null, \"date_done\": null}");
        }
        return docs;
    }

    @Test
    void pythonWritesEveryGoldenMetaAndJavaReadsItExactly() {
        List<String> docs = documents();
        List<Map<String, Object>> spec = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            spec.add(Map.of("id", "py-" + i + "-" + UUID.randomUUID(), "doc", docs.get(i)));
        }
        List<Map<String, Object>> written = CeleryPython.run(PythonPeer.of(celery), "write", lease.url(), spec);
        assertThat(written).hasSize(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            String id = (String) written.get(i).get("id");
            String raw = (String) written.get(i).get("raw");
            TaskMeta golden = CeleryJson.decodeMeta(docs.get(i));
            TaskMeta read = backend.getTaskMeta(id);
            String what = "golden #" + i + " " + docs.get(i).substring(0, Math.min(90, docs.get(i).length()));
            assertThat(read.taskId()).as(what).isEqualTo(id);
            assertThat(read.status()).as(what).isEqualTo(golden.status());
            assertThat(read.result()).as(what).isEqualTo(golden.result());
            assertThat(read.traceback()).as(what).isEqualTo(golden.traceback());
            assertThat(read.children()).as(what).isEqualTo(golden.children());
            assertThat(read.groupId()).as(what).isEqualTo(golden.groupId());
            assertThat(read.parentId()).as(what).isEqualTo(golden.parentId());
            assertThat(read.extended()).as(what).isEqualTo(golden.extended());
            assertThat(read.name()).as(what).isEqualTo(golden.name());
            assertThat(read.args()).as(what).isEqualTo(golden.args());
            assertThat(read.kwargs()).as(what).isEqualTo(golden.kwargs());
            assertThat(read.worker()).as(what).isEqualTo(golden.worker());
            assertThat(read.retries()).as(what).isEqualTo(golden.retries());
            assertThat(read.queue()).as(what).isEqualTo(golden.queue());
            assertThat(read.dateDone() != null).as(what).isEqualTo(golden.status().isReady());
            // celeriac writes the very bytes Celery wrote for the same document
            assertThat(CeleryJson.encodeMetaToString(read)).as(what).isEqualTo(raw);
        }
    }

    @Test
    void javaWritesEveryGoldenMetaAndPythonReadsItExactly() {
        List<String> docs = documents();
        List<TaskMeta> written = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            TaskMeta m = CeleryJson.decodeMeta(docs.get(i)).withTaskId("java-" + i + "-" + UUID.randomUUID());
            backend.store(m);
            written.add(m);
        }
        // and what a Java worker writes through the API: every state, extended, with a request
        TaskRequest request = TaskRequest.builder().task("proj.add").args(List.of(1L, "two")).kwargs(Map.of("k", "v"))
                .hostname("java@host").retries(1).queue("celery").group("g-java").parentId("p-java")
                .children(List.of(ResultTuple.of("c-java"))).build();
        written.add(extended.markAsStarted("api-started-" + UUID.randomUUID(), Map.of("pid", 7L, "hostname", "java@host")));
        written.add(extended.markAsDone("api-done-" + UUID.randomUUID(), Map.of("sum", 3L), request));
        written.add(extended.markAsFailure("api-failed-" + UUID.randomUUID(), ExceptionInfo.builtin("ValueError", "boom"), "Traceback...", request));
        written.add(extended.markAsRetry("api-retry-" + UUID.randomUUID(), ExceptionInfo.builtin("RuntimeError", "again"), null, request));
        written.add(extended.markAsRevoked("api-revoked-" + UUID.randomUUID(), "terminated", request));
        written.add(extended.storeResult("api-progress-" + UUID.randomUUID(), Map.of("current", 1L), TaskState.of("PROGRESS"), null, request));
        written.add(backend.storeResult("api-pending-" + UUID.randomUUID(), null, TaskState.PENDING));

        List<String> ids = written.stream().map(TaskMeta::taskId).toList();
        List<Map<String, Object>> seen = CeleryPython.run(PythonPeer.of(celery), "read", lease.url(), ids);
        assertThat(seen).hasSize(written.size());
        for (int i = 0; i < written.size(); i++) {
            TaskMeta m = written.get(i);
            Map<String, Object> py = seen.get(i);
            String what = "task " + m.taskId() + " " + m.status();
            assertThat(py.get("id")).as(what).isEqualTo(m.taskId());
            assertThat(py.get("canonical")).as(what + ": kombu re-encodes the stored bytes identically").isEqualTo(true);
            assertThat(py.get("raw")).as(what).isEqualTo(CeleryJson.encodeMetaToString(m));
            assertThat(py.get("state")).as(what).isEqualTo(m.status().name());
            if (m.result() instanceof ExceptionInfo e) {
                @SuppressWarnings("unchecked")
                Map<String, Object> exc = (Map<String, Object>) py.get("exc");
                assertThat(exc).as(what).isNotNull();
                assertThat(exc.get("type")).as(what).isEqualTo(e.excType());
                assertThat(exc.get("module")).as(what).isEqualTo(e.excModule());
                assertThat(exc.get("args")).as(what).isEqualTo(e.args());
            } else {
                assertThat(py.get("result")).as(what).isEqualTo(CeleryJson.encodeToString(m.result()));
            }
            assertThat(py.get("traceback")).as(what).isEqualTo(m.traceback());
            assertThat(py.get("date_done")).as(what).isEqualTo(m.dateDone() == null ? null
                    : CeleryJson.formatDateDone(m.dateDone(), m.dateDoneOffset()));
            assertThat(py.get("children")).as(what).isEqualTo(CeleryJson.encodeToString(m.children()));
            assertThat(py.get("group_id")).as(what).isEqualTo(m.groupId());
            assertThat(py.get("parent_id")).as(what).isEqualTo(m.parentId());
            assertThat(py.get("name")).as(what).isEqualTo(m.name());
            assertThat(py.get("args")).as(what).isEqualTo(m.args());
            assertThat(py.get("kwargs")).as(what).isEqualTo(m.kwargs());
            assertThat(py.get("worker")).as(what).isEqualTo(m.worker());
            assertThat(py.get("retries")).as(what).isEqualTo(m.retries() == null ? null : (long) m.retries());
            assertThat(py.get("queue")).as(what).isEqualTo(m.queue());
        }
    }

    @Test
    void javaWritesDateDoneInTheFormItsPeerVersionWrites() {
        String py = "py-" + UUID.randomUUID();
        Map<String, Object> stored = CeleryPython.run(PythonPeer.of(celery), "store", lease.url(),
                Map.of("id", py, "value", 1L, "state", "SUCCESS")).get(0);
        TaskMeta java = backend.markAsDone("java-" + UUID.randomUUID(), 1L, null);

        String pyDate = (String) ((Map<?, ?>) CeleryJson.decode((String) stored.get("raw"))).get("date_done");
        String javaDate = (String) ((Map<?, ?>) CeleryJson.decode(
                CeleryJson.encodeMetaToString(backend.getTaskMeta(java.taskId())))).get("date_done");
        boolean offset = celery != CeleryVersion.V5_2;
        assertThat(pyDate.endsWith("+00:00")).as("Python %s writes %s", celery, pyDate).isEqualTo(offset);
        assertThat(javaDate.endsWith("+00:00")).as("celeriac for %s writes %s", celery, javaDate).isEqualTo(offset);
        assertThat(javaDate.length()).isBetween(pyDate.length() - 7, pyDate.length());
    }

    @Test
    void typedValuesGoBothWaysInTheFormOfThePeersKombu() {
        String java = "java-typed-" + UUID.randomUUID();
        String py = "py-typed-" + UUID.randomUUID();
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("aware", OffsetDateTime.of(2026, 12, 7, 1, 2, 3, 456_789_000, ZoneOffset.UTC));
        value.put("naive", LocalDateTime.of(2026, 12, 7, 1, 2, 3));
        value.put("date", LocalDate.of(2026, 12, 7));
        value.put("time", LocalTime.of(1, 2, 3, 500_000_000));
        value.put("decimal", new BigDecimal("1.10"));
        value.put("uuid", UUID.fromString("12345678-1234-5678-1234-567812345678"));
        boolean typed = celery != CeleryVersion.V5_2;
        if (typed) {
            value.put("bytes", "abc".getBytes(StandardCharsets.UTF_8));
            value.put("binary", new byte[]{(byte) 0xff, 0});
        }
        backend.markAsDone(java, value, null);

        List<Map<String, Object>> out = CeleryPython.run(PythonPeer.of(celery), "typed", lease.url(),
                Map.of("write", py, "read", java));

        // Python reads what celeriac wrote as its own types (kombu 5.3+), or as kombu 5.2's strings
        Map<String, Object> seen = out.get(1);
        if (typed) {
            assertThat(seen).containsEntry("aware", List.of("datetime",
                    "datetime.datetime(2026, 12, 7, 1, 2, 3, 456789, tzinfo=datetime.timezone.utc)"))
                    .containsEntry("naive", List.of("datetime", "datetime.datetime(2026, 12, 7, 1, 2, 3)"))
                    .containsEntry("date", List.of("date", "datetime.date(2026, 12, 7)"))
                    .containsEntry("time", List.of("time", "datetime.time(1, 2, 3, 500000)"))
                    .containsEntry("decimal", List.of("Decimal", "Decimal('1.10')"))
                    .containsEntry("uuid", List.of("UUID", "UUID('12345678-1234-5678-1234-567812345678')"))
                    .containsEntry("bytes", List.of("bytes", "b'abc'"))
                    .containsEntry("binary", List.of("bytes", "b'\\xff\\x00'"));
        } else {
            assertThat(seen).containsEntry("aware", List.of("str", "'2026-12-07T01:02:03.456789Z'"))
                    .containsEntry("date", List.of("str", "'2026-12-07T00:00:00'"))
                    .containsEntry("decimal", List.of("str", "'1.10'"));
        }

        // celeriac reads what Python wrote as Java types (kombu 5.3+), and writes the very same bytes back
        TaskMeta read = backend.getTaskMeta(py);
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) read.result();
        if (typed) {
            assertThat(result.get("aware")).isEqualTo(value.get("aware"));
            assertThat(result.get("naive")).isEqualTo(value.get("naive"));
            assertThat(result.get("date")).isEqualTo(value.get("date"));
            assertThat(result.get("time")).isEqualTo(value.get("time"));
            assertThat(result.get("decimal")).isEqualTo(value.get("decimal"));
            assertThat(result.get("uuid")).isEqualTo(value.get("uuid"));
            assertThat((byte[]) result.get("bytes")).isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
            assertThat((byte[]) result.get("binary")).isEqualTo(new byte[]{(byte) 0xff, 0});
        } else {
            assertThat(result.get("aware")).isEqualTo("2026-12-07T01:02:03.456789Z");
        }
        assertThat(new String(CeleryJson.encodeMeta(read, PeerVersion.parse(celery.label())), StandardCharsets.UTF_8))
                .isEqualTo(out.get(0).get("raw"));
    }

    @Test
    void groupsGoBothWays() {
        // Java saves, Python restores
        List<GroupResult> groups = new ArrayList<>();
        for (GroupResult g : GoldenCorpus.groups()) {
            groups.add(new GroupResult("jg-" + UUID.randomUUID(), g.results(), g.parent()));
        }
        String gid = "jg-nested-" + UUID.randomUUID();
        groups.add(new GroupResult(gid, List.of(ResultTuple.of("a-" + gid, ResultTuple.of("p-" + gid)),
                GroupResult.ofTaskIds("inner-" + gid, List.of("i1-" + gid, "i2-" + gid)).asTuple()), null));
        groups.forEach(backend::saveGroup);
        List<Map<String, Object>> restored = CeleryPython.run(PythonPeer.of(celery), "groups", lease.url(), groups.stream().map(GroupResult::id).toList());
        for (int i = 0; i < groups.size(); i++) {
            GroupResult g = groups.get(i);
            assertThat(restored.get(i).get("found")).isEqualTo(true);
            assertThat(restored.get(i).get("members")).isEqualTo(g.results().stream().map(ResultTuple::id).toList());
            assertThat(restored.get(i).get("tuple")).isEqualTo(CeleryJson.encodeToString(g.asTuple()));
        }

        // Python saves, Java restores
        String pg = "pg-" + UUID.randomUUID();
        GroupResult expected = new GroupResult(pg, List.of(ResultTuple.of("x-" + pg), ResultTuple.of("y-" + pg, ResultTuple.of("par-" + pg)),
                GroupResult.ofTaskIds("in-" + pg, List.of("z-" + pg)).asTuple()), null);
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("tuple", CeleryJson.encodeToString(expected.asTuple()));
        List<Map<String, Object>> saved = CeleryPython.run(PythonPeer.of(celery), "savegroups", lease.url(), List.of(item));
        assertThat(backend.restoreGroup(pg)).contains(expected);
        assertThat(saved.get(0).get("raw")).isEqualTo(new String(CeleryJson.encodeGroup(expected), java.nio.charset.StandardCharsets.UTF_8));
    }
}
