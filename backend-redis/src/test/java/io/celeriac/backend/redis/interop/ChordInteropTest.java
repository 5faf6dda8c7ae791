package io.celeriac.backend.redis.interop;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.json.CeleryJson;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chords whose header parts finish half on Python Celery workers (mark_as_done / mark_as_failure with
 * {@code request.chord}, which runs {@code on_chord_part_return}) and half on Java, on Celery's native
 * Redis protocol. When Python completes the chord, Celery publishes the body ({@code callback.delay}) to
 * its Redis broker, another leased database, where the test reads the task message.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class ChordInteropTest {

    @Parameter
    CeleryVersion celery;

    private static final Celeriac CELERIAC = Celeriac.discover();

    private RedisTestServer server;
    private RedisTestServer.DatabaseLease results;
    private RedisTestServer.DatabaseLease broker;
    private Backend backend;
    private final ConcurrentLinkedQueue<ChordCompletion> completed = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void setUp() {
        PythonPeer.of(celery).assumeAvailable();
        server = TestServices.redis();
        results = server.leaseDatabase();
        broker = server.leaseDatabase();
        backend = CELERIAC.openBackend(results.url(), BackendOptions.builder().chordCallback(completed::add).build());
    }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
        if (results != null) {
            results.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** The body signature as a worker sees it in {@code request.chord}. */
    private static Map<String, Object> body(String bodyId, int size) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("task", "proj.tsum");
        b.put("args", List.of());
        b.put("kwargs", Map.of());
        b.put("options", Map.of("task_id", bodyId));
        b.put("subtask_type", null);
        b.put("immutable", false);
        b.put("chord_size", (long) size);
        return b;
    }

    private static Map<String, Object> pythonPart(String id, int index, Object value) {
        return Map.of("id", id, "index", index, "value", value);
    }

    private static Map<String, Object> pythonFailedPart(String id, int index, String type, String message) {
        return Map.of("id", id, "index", index, "exc", Map.of("exc_type", type, "exc_module", "builtins", "exc_message", List.of(message)));
    }

    private void pythonParts(String gid, Integer size, Map<String, Object> body, List<Map<String, Object>> parts) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("group", gid);
        spec.put("size", size);
        spec.put("body", body);
        spec.put("parts", parts);
        List<Map<String, Object>> out = CeleryPython.run(PythonPeer.of(celery), "chord", results.url(), spec, broker.url());
        assertThat(out).hasSize(parts.size());
    }

    private TaskRequest javaRequest(String gid, int index, Map<String, Object> body) {
        return TaskRequest.builder().task("proj.add").group(gid).groupIndex(index).chord(body).hostname("java@host").build();
    }

    private Object raw(int db, String... command) {
        try (Resp r = server.connect(db)) {
            return r.call(command);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void assertChordKeysDeleted(String gid) {
        String base = "celery-taskset-meta-" + gid;
        assertThat(raw(results.db(), "EXISTS", base + ".j", base + ".t", base + ".s")).isEqualTo(0L);
    }

    @Test
    void javaCompletesAChordStartedByPython() {
        String gid = "chord-" + UUID.randomUUID();
        String bodyId = "body-" + gid;
        Map<String, Object> body = body(bodyId, 4);
        pythonParts(gid, 4, body, List.of(pythonPart("p2-" + gid, 2, List.of("two", 2L)), pythonPart("p0-" + gid, 0, 0L)));
        assertThat(raw(results.db(), "ZCARD", "celery-taskset-meta-" + gid + ".j")).isEqualTo(2L);
        backend.markAsDone("j3-" + gid, Map.of("three", 3L), javaRequest(gid, 3, body));
        assertThat(completed).isEmpty();
        backend.markAsDone("j1-" + gid, 1.5, javaRequest(gid, 1, body));
        assertThat(completed).hasSize(1);
        ChordCompletion c = completed.peek();
        assertThat(c.failed()).isFalse();
        assertThat(c.groupId()).isEqualTo(gid);
        assertThat(c.bodyTaskId()).isEqualTo(bodyId);
        assertThat(c.body()).isEqualTo(body);
        assertThat(c.results()).containsExactly(0L, 1.5, List.of("two", 2L), Map.of("three", 3L));
        assertChordKeysDeleted(gid);
    }

    @Test
    void pythonCompletesAChordStartedByJavaAndPublishesTheBody() {
        String gid = "chord-" + UUID.randomUUID();
        String bodyId = "body-" + gid;
        Map<String, Object> body = body(bodyId, 4);
        backend.setChordSize(gid, 4); // what the canvas does before the last header task is sent
        backend.markAsDone("j0-" + gid, "zero", javaRequest(gid, 0, body));
        backend.markAsDone("j1-" + gid, List.of(1L), javaRequest(gid, 1, body));
        pythonParts(gid, null, body, List.of(pythonPart("p3-" + gid, 3, 3L), pythonPart("p2-" + gid, 2, Map.of("k", "v"))));
        assertThat(completed).as("Python completed the chord, not Java").isEmpty();
        assertChordKeysDeleted(gid);

        @SuppressWarnings("unchecked")
        List<Object> messages = (List<Object>) raw(broker.db(), "LRANGE", "celery", "0", "-1");
        assertThat(messages).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> envelope = (Map<String, Object>) CeleryJson.decode((String) messages.get(0));
        @SuppressWarnings("unchecked")
        Map<String, Object> headers = (Map<String, Object>) envelope.get("headers");
        assertThat(headers.get("task")).isEqualTo("proj.tsum");
        assertThat(headers.get("id")).isEqualTo(bodyId);
        Object decoded = CeleryJson.decode(new String(Base64.getDecoder().decode((String) envelope.get("body")), StandardCharsets.UTF_8));
        @SuppressWarnings("unchecked")
        List<Object> args = (List<Object>) ((List<Object>) decoded).get(0);
        assertThat(args).containsExactly(List.of("zero", List.of(1L), Map.of("k", "v"), 3L));
    }

    @Test
    void aPythonPartThatFailedFailsTheChordJavaCompletes() {
        String gid = "chord-" + UUID.randomUUID();
        String bodyId = "body-" + gid;
        Map<String, Object> body = body(bodyId, 3);
        pythonParts(gid, 3, body, List.of(pythonPart("p0-" + gid, 0, 0L), pythonFailedPart("p1-" + gid, 1, "ValueError", "boom")));
        backend.markAsDone("j2-" + gid, 2L, javaRequest(gid, 2, body));
        assertThat(completed).hasSize(1);
        String message = "Dependency p1-" + gid + " raised ValueError('boom')";
        assertThat(completed.peek().error()).isEqualTo(ExceptionInfo.chordError(message));
        // the body failed as Celery marks it, and Python sees a ChordError
        List<Map<String, Object>> seen = CeleryPython.run(PythonPeer.of(celery), "read", results.url(), List.of(bodyId));
        assertThat(seen.get(0).get("state")).isEqualTo("FAILURE");
        assertThat(seen.get(0).get("exc")).isEqualTo(Map.of("type", "ChordError", "module", "celery.exceptions", "args", List.of(message)));
        assertChordKeysDeleted(gid);
    }

    @Test
    void aJavaPartThatFailedFailsTheChordPythonCompletes() {
        String gid = "chord-" + UUID.randomUUID();
        String bodyId = "body-" + gid;
        Map<String, Object> body = body(bodyId, 3);
        backend.setChordSize(gid, 3);
        backend.markAsFailure("j0-" + gid, ExceptionInfo.builtin("KeyError", "k"), "Traceback (most recent call last):\n", javaRequest(gid, 0, body));
        backend.markAsDone("j1-" + gid, 1L, javaRequest(gid, 1, body));
        pythonParts(gid, null, body, List.of(pythonPart("p2-" + gid, 2, 2L)));
        assertThat(completed).isEmpty();
        TaskMeta failed = backend.getTaskMeta(bodyId);
        assertThat(failed.status()).isEqualTo(TaskState.FAILURE);
        // the same ChordError Java builds when it completes a chord itself
        assertThat(failed.result()).isEqualTo(ExceptionInfo.chordError("Dependency j0-" + gid + " raised KeyError('k')"));
        assertThat(failed.traceback()).contains("ChordError");
        // Celery 5.2.6 deletes the chord keys in a finally block the ChordError path never reaches: they stay
        // until they expire (celeriac deletes them in both cases)
        String base = "celery-taskset-meta-" + gid;
        assertThat(raw(results.db(), "EXISTS", base + ".j", base + ".s")).isEqualTo(2L);
        assertThat((Long) raw(results.db(), "TTL", base + ".j")).isPositive();
        @SuppressWarnings("unchecked")
        List<Object> messages = (List<Object>) raw(broker.db(), "LRANGE", "celery", "0", "-1");
        assertThat(messages).as("a failed chord publishes no body").isEmpty();
    }

    @Test
    void unorderedChordsMixToo() {
        try (Backend unordered = CELERIAC.openBackend(results.url() + "?result_chord_ordered=false",
                BackendOptions.builder().chordCallback(completed::add).build())) {
            String gid = "chord-" + UUID.randomUUID();
            Map<String, Object> body = body("body-" + gid, 3);
            unordered.setChordSize(gid, 3);
            unordered.markAsDone("j0-" + gid, "java first", javaRequest(gid, 0, body));
            assertThat(raw(results.db(), "TYPE", "celery-taskset-meta-" + gid + ".j")).isEqualTo("list");
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("group", gid);
            spec.put("size", null);
            spec.put("body", body);
            spec.put("ordered", false);
            spec.put("parts", List.of(pythonPart("p2-" + gid, 2, "python second")));
            CeleryPython.run(PythonPeer.of(celery), "chord", results.url(), spec, broker.url());
            assertThat(raw(results.db(), "LLEN", "celery-taskset-meta-" + gid + ".j")).isEqualTo(2L);
            unordered.markAsDone("j1-" + gid, "java third", javaRequest(gid, 1, body));
            assertThat(completed).hasSize(1);
            assertThat(completed.peek().results()).as("arrival order, as Celery's list mode")
                    .containsExactly("java first", "python second", "java third");
            assertChordKeysDeleted(gid);
        }
    }
}
