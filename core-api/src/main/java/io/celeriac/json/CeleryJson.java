package io.celeriac.json;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.PeerVersion;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.internal.KombuJsonReader;
import io.celeriac.internal.KombuJsonWriter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Celery's JSON, byte for byte: what kombu 5.2's {@code json} serializer writes and reads, and the meta
 * and group documents Celery's key-value backends store.
 *
 * <p>Encoding writes {@code ", "} and {@code ": "} separators, escapes every non-ASCII character as
 * {@code \\uXXXX} (surrogate pairs above the BMP), writes floats as Python's {@code repr}, integers of any
 * size exactly, and a meta's keys in the order Celery builds them:
 * {@code status, result, traceback, children, date_done, [group_id], [parent_id],
 * [name, args, kwargs, worker, retries, queue], [others], task_id}; {@code date_done} as naive UTC ISO
 * text with the microseconds omitted when zero.
 *
 * <p>Decoding gives plain Java values: {@code null}, {@link Boolean}, {@link Long} (or
 * {@link java.math.BigInteger} beyond 64 bits), {@link Double} (also for {@code NaN} and
 * {@code Infinity}), {@link String}, unmodifiable {@link List} and insertion-ordered {@link Map}. A meta's
 * {@code date_done} may be naive (read as UTC) or carry an offset, as Celery 5.5+ writes it.
 *
 * <p>All methods are static and thread-safe. Malformed input raises {@link JsonFormatException}.
 */
public final class CeleryJson {

    private static final DateTimeFormatter DATE_DONE_PARSER = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd")
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private CeleryJson() {
    }

    // ------------------------------------------------------------------------------------------
    // generic values

    /**
     * Encodes a value as kombu's {@code json.dumps} would, to ASCII bytes.
     *
     * @param value null, Boolean, a number, String, Map, Collection or array, {@link ExceptionInfo},
     *              {@link ResultTuple}, {@link GroupResult}, a {@code java.time} date or time,
     *              {@code BigDecimal} or {@code UUID}
     * @return the JSON bytes
     * @throws JsonFormatException for a type JSON cannot hold
     */
    public static byte[] encode(Object value) {
        return new KombuJsonWriter(64).value(value).toByteArray();
    }

    /**
     * Encodes a value as the kombu of a Celery version's {@code json.dumps} would: from Celery 5.3 (kombu 5.3) on,
     * dates, times, Decimals, UUIDs and {@code byte[]} become {@code {"__type__", "__value__"}} typed values, and a
     * map with exactly those two keys is refused (Celery would take it for a typed value).
     *
     * @param value the value (see {@link #encode(Object)}; {@code byte[]} too from 5.3 on)
     * @param peer the Celery version that reads it
     * @return the JSON bytes
     * @throws JsonFormatException for a type JSON cannot hold
     */
    public static byte[] encode(Object value, PeerVersion peer) {
        return new KombuJsonWriter(64).typedValues(peer.writesTypedJson()).value(value).toByteArray();
    }

    /**
     * Encodes a value as kombu's {@code json.dumps} would, to text.
     *
     * @param value the value (see {@link #encode(Object)})
     * @return the JSON text (pure ASCII)
     */
    public static String encodeToString(Object value) {
        return new KombuJsonWriter(64).value(value).toString();
    }

    /**
     * Decodes JSON bytes (UTF-8) to plain Java values.
     *
     * @param json the bytes
     * @return the value
     * @throws JsonFormatException when the bytes are not one JSON value
     */
    public static Object decode(byte[] json) {
        return KombuJsonReader.read(json);
    }

    /**
     * Decodes JSON text to plain Java values.
     *
     * @param json the text
     * @return the value
     * @throws JsonFormatException when the text is not one JSON value
     */
    public static Object decode(String json) {
        return KombuJsonReader.read(json);
    }

    // ------------------------------------------------------------------------------------------
    // metas

    /**
     * Encodes a meta exactly as Celery's key-value backends store it ({@code task_id} last).
     *
     * @param meta the meta
     * @return the JSON bytes
     * @throws JsonFormatException when the result holds a type JSON cannot hold
     */
    public static byte[] encodeMeta(TaskMeta meta) {
        return writeMeta(meta, true, false).toByteArray();
    }

    /**
     * Encodes a meta as the Celery of a version stores it (typed values from 5.3 on, see
     * {@link #encode(Object, PeerVersion)}).
     *
     * @param meta the meta
     * @param peer the Celery version that reads it
     * @return the JSON bytes
     * @throws JsonFormatException when the result holds a type JSON cannot hold
     */
    public static byte[] encodeMeta(TaskMeta meta, PeerVersion peer) {
        return writeMeta(meta, true, peer.writesTypedJson()).toByteArray();
    }

    /**
     * Encodes a meta as text (see {@link #encodeMeta(TaskMeta)}).
     *
     * @param meta the meta
     * @return the JSON text
     */
    public static String encodeMetaToString(TaskMeta meta) {
        return writeMeta(meta, true, false).toString();
    }

    private static KombuJsonWriter writeMeta(TaskMeta meta, boolean withTaskId, boolean typed) {
        KombuJsonWriter w = new KombuJsonWriter(256).typedValues(typed);
        w.raw("{");
        w.key("status").string(meta.status().name());
        w.raw(", ").key("result").value(meta.result());
        w.raw(", ").key("traceback").value(meta.traceback());
        w.raw(", ").key("children").value(meta.children());
        w.raw(", ").key("date_done").value(meta.dateDone() == null ? null
                : formatDateDone(meta.dateDone(), meta.dateDoneOffset()));
        if (meta.groupId() != null) {
            w.raw(", ").key("group_id").string(meta.groupId());
        }
        if (meta.parentId() != null) {
            w.raw(", ").key("parent_id").string(meta.parentId());
        }
        if (meta.extended()) {
            w.raw(", ").key("name").value(meta.name());
            w.raw(", ").key("args").value(meta.args());
            w.raw(", ").key("kwargs").value(meta.kwargs());
            w.raw(", ").key("worker").value(meta.worker());
            w.raw(", ").key("retries").value(meta.retries());
            w.raw(", ").key("queue").value(meta.queue());
        }
        for (Map.Entry<String, Object> e : meta.extras().entrySet()) {
            w.raw(", ").key(e.getKey()).value(e.getValue());
        }
        if (withTaskId && meta.taskId() != null) {
            w.raw(", ").key("task_id").string(meta.taskId());
        }
        w.raw("}");
        return w;
    }

    /**
     * Decodes a stored meta document.
     *
     * @param json the bytes
     * @return the meta; its {@code taskId} is the document's {@code task_id}, or {@code null}
     * @throws JsonFormatException when the bytes are not JSON or not a meta document
     */
    public static TaskMeta decodeMeta(byte[] json) {
        return decodeMeta(json, null);
    }

    /**
     * Decodes a stored meta document: {@link #metaFromValue}{@code (}{@link #decode(byte[])}{@code , defaultTaskId)},
     * without allocating the document's own top-level keys.
     *
     * @param json the bytes
     * @param defaultTaskId the id to use when the document has no {@code task_id}
     * @return the meta
     * @throws JsonFormatException when the bytes are not JSON or not a meta document
     */
    public static TaskMeta decodeMeta(byte[] json, String defaultTaskId) {
        return metaFromValue(KombuJsonReader.readMeta(json), defaultTaskId);
    }

    /**
     * Decodes a stored meta document.
     *
     * @param json the text
     * @return the meta
     * @throws JsonFormatException when the text is not JSON or not a meta document
     */
    public static TaskMeta decodeMeta(String json) {
        return metaFromValue(decode(json), null);
    }

    /**
     * Builds a meta from a decoded document: {@code status} must be a string, the known keys must have
     * their types; any other key is kept in {@link TaskMeta#extras()}. The result of an exception state
     * that is an {@code {exc_type, exc_message, exc_module}} map becomes an {@link ExceptionInfo}.
     *
     * @param value the decoded document
     * @param defaultTaskId the id to use when the document has no {@code task_id}
     * @return the meta
     * @throws JsonFormatException when the document does not have a meta's shape
     */
    public static TaskMeta metaFromValue(Object value, String defaultTaskId) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new JsonFormatException("A Celery result must be a JSON object, not " + typeName(value));
        }
        Object status = map.get("status");
        if (!(status instanceof String s) || s.isEmpty()) {
            throw new JsonFormatException("A Celery result must have a non-empty string \"status\"; found " + typeName(status));
        }
        TaskState state = TaskState.of(s);
        TaskMeta.Builder b = TaskMeta.builder(defaultTaskId, state);
        Map<String, Object> extras = null;
        boolean extended = false;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String k = (String) e.getKey();
            Object v = e.getValue();
            switch (k) {
                case "status":
                    break;
                case "result":
                    b.result(state.isException() ? exceptionOrValue(v) : v);
                    break;
                case "traceback":
                    b.traceback(optString(k, v));
                    break;
                case "children":
                    b.children(optList(k, v));
                    break;
                case "date_done":
                    if (v != null) {
                        String text = optString(k, v);
                        b.dateDone(parseDateDone(text)).dateDoneOffset(parseDateDoneOffset(text));
                    }
                    break;
                case "group_id":
                    b.groupId(optString(k, v));
                    break;
                case "parent_id":
                    b.parentId(optString(k, v));
                    break;
                case "task_id":
                    b.taskId(optString(k, v));
                    break;
                case "name":
                    extended = true;
                    b.name(optString(k, v));
                    break;
                case "args":
                    extended = true;
                    b.args(optList(k, v));
                    break;
                case "kwargs":
                    extended = true;
                    b.kwargs(optMap(k, v));
                    break;
                case "worker":
                    extended = true;
                    b.worker(optString(k, v));
                    break;
                case "retries":
                    extended = true;
                    b.retries(optInt(k, v));
                    break;
                case "queue":
                    extended = true;
                    b.queue(optString(k, v));
                    break;
                default:
                    if (extras == null) {
                        extras = new LinkedHashMap<>();
                    }
                    extras.put(k, v);
            }
        }
        b.extended(extended);
        if (extras != null) {
            b.extras(extras);
        }
        return b.build();
    }

    /**
     * Converts an exception dict ({@code exc_type}, {@code exc_message}, {@code exc_module}) to an
     * {@link ExceptionInfo}; any other value is returned unchanged.
     *
     * @param v a decoded value
     * @return an {@link ExceptionInfo}, or {@code v}
     */
    public static Object exceptionOrValue(Object v) {
        if (v instanceof Map<?, ?> m && m.get("exc_type") instanceof String type && m.size() <= 3
                && m.containsKey("exc_message")
                && (m.size() == 2 || m.containsKey("exc_module"))
                && (m.get("exc_module") == null || m.get("exc_module") instanceof String)) {
            return new ExceptionInfo(type, m.get("exc_message"), (String) m.get("exc_module"));
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------
    // groups

    /**
     * Encodes a saved group as Celery stores it: {@code {"result": [[gid, parent], [child tuples]]}}.
     *
     * @param group the group
     * @return the JSON bytes
     */
    public static byte[] encodeGroup(GroupResult group) {
        return new KombuJsonWriter(128).raw("{").key("result").value(group.asTuple().toList()).raw("}").toByteArray();
    }

    /**
     * Decodes a saved group.
     *
     * @param json the bytes
     * @return the group
     * @throws JsonFormatException when the bytes are not a saved group
     */
    public static GroupResult decodeGroup(byte[] json) {
        Object v = decode(json);
        if (!(v instanceof Map<?, ?> m) || !m.containsKey("result")) {
            throw new JsonFormatException("A saved Celery group must be a JSON object with a \"result\" key; found " + typeName(v));
        }
        try {
            ResultTuple t = ResultTuple.fromList(m.get("result"));
            if (!t.isGroup()) {
                throw new JsonFormatException("A saved Celery group must hold a group tuple [[id, parent], [children]]; its children are null");
            }
            return GroupResult.fromTuple(t);
        } catch (IllegalArgumentException e) {
            throw new JsonFormatException("A saved Celery group must hold a group tuple: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // date_done

    /**
     * Formats {@code date_done} as Celery 5.2 does: {@code datetime.utcnow().isoformat()}, naive UTC,
     * microseconds omitted when zero ({@code 2026-11-21T12:14:54.518641}).
     *
     * @param instant the time
     * @return the text
     */
    public static String formatDateDone(Instant instant) {
        return KombuJsonWriter.isoUtc(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    /**
     * Formats {@code date_done} naive (Celery 5.2) or with an offset (Celery 5.5 and later:
     * {@code datetime.now(timezone.utc).isoformat()}, {@code 2026-11-21T12:14:54.518641+00:00}).
     *
     * @param instant the time
     * @param offset the offset to write, or {@code null} for naive UTC text
     * @return the text
     */
    public static String formatDateDone(Instant instant, ZoneOffset offset) {
        if (offset == null) {
            return formatDateDone(instant);
        }
        String local = KombuJsonWriter.isoUtc(LocalDateTime.ofInstant(instant, offset));
        int secs = offset.getTotalSeconds();
        int abs = Math.abs(secs);
        String sign = secs < 0 ? "-" : "+";
        String off = String.format("%s%02d:%02d", sign, abs / 3600, (abs / 60) % 60);
        if (abs % 60 != 0) {
            off += String.format(":%02d", abs % 60);
        }
        return local + off;
    }

    /**
     * The UTC offset a {@code date_done} text carries, or {@code null} for naive text.
     *
     * @param text the text
     * @return the offset, or {@code null}
     * @throws JsonFormatException when the text is not a date-time
     */
    public static ZoneOffset parseDateDoneOffset(String text) {
        if (parseNaiveDateDone(text) != null) {
            return null;
        }
        try {
            var parsed = DATE_DONE_PARSER.parseBest(text, OffsetDateTime::from, LocalDateTime::from);
            return parsed instanceof OffsetDateTime odt ? odt.getOffset() : null;
        } catch (DateTimeParseException e) {
            throw new JsonFormatException("date_done is not an ISO date-time: '" + abbreviate(text) + "'", e);
        }
    }

    /**
     * Parses {@code date_done}: naive ISO text (read as UTC), ISO text with an offset or {@code Z}, or
     * SQLAlchemy's space-separated form.
     *
     * @param text the text
     * @return the instant
     * @throws JsonFormatException when the text is not such a date-time
     */
    public static Instant parseDateDone(String text) {
        Instant fast = parseNaiveDateDone(text);
        if (fast != null) {
            return fast;
        }
        try {
            var parsed = DATE_DONE_PARSER.parseBest(text, OffsetDateTime::from, LocalDateTime::from);
            if (parsed instanceof OffsetDateTime odt) {
                return odt.toInstant();
            }
            return ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new JsonFormatException("date_done is not an ISO date-time: '" + abbreviate(text) + "'", e);
        }
    }

    private static final int[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000};

    /**
     * Celery's own form, naive {@code YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}]}, read without {@link DateTimeFormatter}
     * (which costs more than decoding the rest of a meta); {@code null} for any other form or an invalid date,
     * which the formatter then handles.
     */
    private static Instant parseNaiveDateDone(String s) {
        LocalDateTime t = parseNaiveDateTime(s);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    /**
     * Reads the naive date-times Python writes without a parser: {@code YYYY-MM-DD HH:MM:SS} or with a {@code T}, and
     * up to 9 digits of fraction after a dot (SQLAlchemy's and {@code isoformat()}'s forms), as a wall time.
     *
     * @param s the text
     * @return the wall time, or {@code null} for any other text (or an impossible date), which a general parser reads
     */
    public static LocalDateTime parseNaiveDateTime(String s) {
        int n = s.length();
        if (n < 19 || n == 20 || n > 29) {
            return null;
        }
        char sep = s.charAt(10);
        if (s.charAt(4) != '-' || s.charAt(7) != '-' || (sep != 'T' && sep != ' ') || s.charAt(13) != ':'
                || s.charAt(16) != ':' || (n > 19 && s.charAt(19) != '.')) {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int fraction = n > 19 ? digits(s, 20, n - 20) : 0;
        if ((year | month | day | hour | minute | second | fraction) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, n > 19 ? fraction * POW10[29 - n] : 0);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------

    private static String optString(String key, Object v) {
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new JsonFormatException("\"" + key + "\" must be a string or null, not " + typeName(v));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> optList(String key, Object v) {
        if (v == null || v instanceof List) {
            return (List<Object>) v;
        }
        throw new JsonFormatException("\"" + key + "\" must be a list or null, not " + typeName(v));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> optMap(String key, Object v) {
        if (v == null || v instanceof Map) {
            return (Map<String, Object>) v;
        }
        throw new JsonFormatException("\"" + key + "\" must be an object or null, not " + typeName(v));
    }

    private static Integer optInt(String key, Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        throw new JsonFormatException("\"" + key + "\" must be an integer or null, not " + typeName(v));
    }

    static String typeName(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Number) {
            return "a number";
        }
        return v.getClass().getSimpleName();
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /**
     * The UTF-8 bytes of a string (a convenience for stores that hold text).
     *
     * @param s the text
     * @return its bytes
     */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
