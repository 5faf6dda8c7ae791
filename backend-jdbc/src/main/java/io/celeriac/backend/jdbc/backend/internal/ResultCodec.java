package io.celeriac.backend.jdbc.backend.internal;

import io.celeriac.backend.CorruptResultException;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.backend.jdbc.backend.PickleFormatException;
import io.celeriac.backend.jdbc.backend.internal.pickle.PickleReader;
import io.celeriac.backend.jdbc.backend.internal.pickle.PickleWriter;
import io.celeriac.backend.jdbc.backend.internal.pickle.PyGlobal;
import io.celeriac.backend.jdbc.backend.internal.pickle.PyReduce;
import io.celeriac.backend.jdbc.backend.internal.pickle.PyTuple;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes the database backend's columns: the {@code result} column as a pickle (Celery 5.2
 * to 5.6) or as Celery's JSON (Celery after Aug 2026), and reads both, JSON first with a pickle
 * fallback as Celery's PR #10536 does; {@code args}/{@code kwargs} as JSON; group rows as a pickled
 * {@code GroupResult} that Python's {@code GroupResult.restore} reads. Thread-safe.
 */
final class ResultCodec {

    private static final PyGlobal GROUP_RESULT = new PyGlobal("celery.result", "GroupResult");
    private static final PyGlobal ASYNC_RESULT = new PyGlobal("celery.result", "AsyncResult");
    private static final PyGlobal UNPICKLE_BACKEND = new PyGlobal("celery.backends.base", "unpickle_backend");
    private static final PyGlobal DATABASE_BACKEND = new PyGlobal("celery.backends.database", "DatabaseBackend");
    private static final PyGlobal TIMEDELTA = new PyGlobal("datetime", "timedelta");

    private final JdbcBackendConfig settings;
    private final Duration expires;

    ResultCodec(JdbcBackendConfig settings, Duration expires) {
        this.settings = settings;
        this.expires = expires;
    }

    // ------------------------------------------------------------------------------------------
    // result column

    /**
     * Encodes a result for the {@code result} column.
     *
     * @param value the value ({@code null} is stored as SQL NULL, as Celery's PickleType does)
     * @return the bytes, or {@code null}
     * @throws PickleFormatException or {@link JsonFormatException} for a value that cannot be encoded
     */
    byte[] encodeValue(Object value) {
        if (value == null) {
            return null;
        }
        if (settings.resultFormat() == JdbcBackendConfig.ResultFormat.JSON) {
            return CeleryJson.encode(value);
        }
        return PickleWriter.dumps(value, settings.pickleProtocol());
    }

    /**
     * Decodes a {@code result} column: a pickle (first byte {@code 0x80}, or not JSON), else JSON.
     *
     * @param bytes the column, may be {@code null}
     * @param row the row, for the message
     * @return the value
     * @throws CorruptResultException naming the row when the bytes are neither
     */
    Object decodeValue(byte[] bytes, String row) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length > 0 && (bytes[0] & 0xff) == 0x80) {
            return unpickle(bytes, row);
        }
        try {
            return CeleryJson.decode(bytes);
        } catch (JsonFormatException json) {
            try {
                return PickleReader.loads(bytes);
            } catch (PickleFormatException pickle) {
                throw new CorruptResultException(row, "neither JSON (" + json.getMessage() + ") nor a pickle ("
                        + pickle.getMessage() + ")", pickle);
            }
        }
    }

    private static Object unpickle(byte[] bytes, String row) {
        try {
            return PickleReader.loads(bytes);
        } catch (PickleFormatException e) {
            throw new CorruptResultException(row, e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // task rows

    /**
     * The row a meta is stored as: Celery's columns only ({@code children}, {@code group_id},
     * {@code parent_id} and extras have none); extended columns only when the meta is extended.
     *
     * @param meta the meta
     * @return the row
     */
    TaskRow toRow(TaskMeta meta) {
        boolean ext = meta.extended();
        return new TaskRow(meta.taskId(), meta.status().name(), encodeValue(meta.result()), meta.dateDone(),
                meta.traceback(),
                ext ? meta.name() : null,
                ext ? CeleryJson.encode(meta.args()) : null,
                ext ? CeleryJson.encode(meta.kwargs()) : null,
                ext ? meta.worker() : null,
                ext ? meta.retries() : null,
                ext ? meta.queue() : null);
    }

    /**
     * The meta a row reads as, as Celery's {@code _get_task_meta_for} builds it.
     *
     * @param r the row
     * @param rowName the row, for messages
     * @param extendedOption whether {@code result_extended} is on (the extended fields are then always set)
     * @return the meta
     * @throws CorruptResultException naming the row when a column cannot be decoded
     */
    TaskMeta toMeta(TaskRow r, String rowName, boolean extendedOption) {
        if (r.status() == null || r.status().isEmpty()) {
            throw new CorruptResultException(rowName, "its status is empty", null);
        }
        TaskState state = TaskState.of(r.status());
        Object value = decodeValue(r.result(), rowName);
        TaskMeta.Builder b = TaskMeta.builder(r.taskId(), state)
                .result(state.isException() ? CeleryJson.exceptionOrValue(value) : value)
                .traceback(r.traceback())
                .dateDone(r.dateDone() == null ? null : r.dateDone().truncatedTo(ChronoUnit.MICROS));
        if (extendedOption || r.hasExtendedValues()) {
            b.name(r.name()).args(jsonList(r.args(), rowName, "args")).kwargs(jsonMap(r.kwargs(), rowName, "kwargs"))
                    .worker(r.worker()).retries(r.retries()).queue(r.queue());
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> jsonList(byte[] bytes, String row, String column) {
        Object v = json(bytes, row, column);
        if (v == null || v instanceof List) {
            return (List<Object>) v;
        }
        return List.of(v); // Celery stores whatever args it had; keep a non-list as a one-element list
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonMap(byte[] bytes, String row, String column) {
        Object v = json(bytes, row, column);
        if (v == null || v instanceof Map) {
            return (Map<String, Object>) v;
        }
        throw new CorruptResultException(row, "its " + column + " column is not a JSON object", null);
    }

    private static Object json(byte[] bytes, String row, String column) {
        if (bytes == null) {
            return null;
        }
        try {
            return CeleryJson.decode(bytes);
        } catch (JsonFormatException e) {
            throw new CorruptResultException(row, "its " + column + " column is not JSON: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // groups

    /**
     * Encodes a group for the group table: a pickled {@code celery.result.GroupResult} whose members are
     * {@code AsyncResult}s (or nested {@code GroupResult}s), or with the JSON format its
     * {@code as_tuple()} JSON, as Celery's PR #10536 writes it.
     *
     * @param group the group
     * @return the bytes
     */
    byte[] encodeGroup(GroupResult group) {
        if (settings.resultFormat() == JdbcBackendConfig.ResultFormat.JSON) {
            return CeleryJson.encode(group.asTuple().toList());
        }
        Object backend = settings.groupMemberBackend() == JdbcBackendConfig.GroupMemberBackend.URL ? backendReduce() : null;
        return PickleWriter.dumps(pyResult(group.asTuple(), backend), settings.pickleProtocol());
    }

    /** Celery's {@code DatabaseBackend.__reduce__}, with the password removed from the URL. */
    private PyReduce backendReduce() {
        Map<String, Object> kwargs = new LinkedHashMap<>();
        kwargs.put("dburi", settings.connection().celeryUrlWithoutPassword());
        kwargs.put("expires", expires.isZero() ? null : timedelta(expires));
        kwargs.put("engine_options", new LinkedHashMap<>());
        return new PyReduce(UNPICKLE_BACKEND, PyTuple.of(DATABASE_BACKEND, PyTuple.of(), kwargs));
    }

    private static PyReduce timedelta(Duration d) {
        long days = d.toDays();
        Duration rest = d.minusDays(days);
        long seconds = rest.getSeconds();
        long micros = rest.getNano() / 1000;
        return new PyReduce(TIMEDELTA, PyTuple.of(days, seconds, micros));
    }

    private static PyReduce pyResult(ResultTuple t, Object backend) {
        Object parent = t.parent() == null ? null : pyResult(t.parent(), backend);
        if (t.isGroup()) {
            List<Object> members = new ArrayList<>(t.children().size());
            for (ResultTuple c : t.children()) {
                members.add(pyResult(c, backend));
            }
            return new PyReduce(GROUP_RESULT, parent == null ? PyTuple.of(t.id(), members) : PyTuple.of(t.id(), members, parent));
        }
        return new PyReduce(ASYNC_RESULT, PyTuple.of(t.id(), backend, null, null, parent));
    }

    /**
     * Decodes a group row: a pickled {@code GroupResult}, or JSON as a group tuple (bare, or in
     * {@code {"result": ...}} as the key-value backends store it).
     *
     * @param bytes the column
     * @param row the row, for messages
     * @return the group
     * @throws CorruptResultException naming the row when the bytes are not a group
     */
    GroupResult decodeGroup(byte[] bytes, String row) {
        if (bytes == null) {
            throw new CorruptResultException(row, "its result column is empty", null);
        }
        Object v = decodeValue(bytes, row);
        try {
            if (v instanceof ResultTuple t && t.isGroup()) {
                return GroupResult.fromTuple(t);
            }
            if (v instanceof Map<?, ?> m && m.containsKey("result")) {
                v = m.get("result");
            }
            if (v instanceof List<?>) {
                ResultTuple t = ResultTuple.fromList(v);
                if (t.isGroup()) {
                    return GroupResult.fromTuple(t);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new CorruptResultException(row, "not a saved group: " + e.getMessage(), e);
        }
        throw new CorruptResultException(row, "it does not hold a saved group (a GroupResult)", null);
    }

    /**
     * An exception of a chord part as read back: Celery's exception dict becomes an {@link ExceptionInfo}.
     *
     * @param state the part's state
     * @param value the decoded value
     * @return the value
     */
    static Object partValue(TaskState state, Object value) {
        return state.isException() ? CeleryJson.exceptionOrValue(value) : value;
    }
}
