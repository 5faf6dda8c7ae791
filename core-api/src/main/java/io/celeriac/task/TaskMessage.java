package io.celeriac.task;

import io.celeriac.broker.InvalidMessageException;
import io.celeriac.broker.Message;
import io.celeriac.internal.PythonRepr;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One Celery task message, protocol 2, exactly as Celery's {@code app.amqp.as_task_v2} builds it and a Celery
 * 5.2 to 5.6 worker reads it: the headers ({@code lang}, {@code task}, {@code id}, {@code shadow}, {@code eta},
 * {@code expires}, {@code group}, {@code group_index}, {@code retries}, {@code timelimit}, {@code root_id},
 * {@code parent_id}, {@code argsrepr}, {@code kwargsrepr}, {@code origin}, {@code ignore_result}, then any other
 * header), the properties ({@code correlation_id} = the id, {@code reply_to}, {@code priority},
 * {@code delivery_mode}, {@code expiration}) and the JSON body {@code [args, kwargs, {"callbacks", "errbacks",
 * "chain", "chord"}]}.
 *
 * <p>{@link #toMessage()} gives the broker message; {@link #fromMessage(Message)} reads one (protocol 2, and
 * protocol 1's single JSON object, as Celery's worker converts it). Headers this class does not name (Celery 5.3's
 * {@code stamps}, kombu's {@code redelivered}, a user's own) are kept in {@link #extraHeaders()} and written back
 * after the known ones, so a message read and sent again loses nothing. Immutable and thread-safe.
 */
public final class TaskMessage {

    /** The content type of every task message celeriac sends and reads. */
    public static final String CONTENT_TYPE = "application/json";
    /** Celery's {@code argsrepr_maxsize} and {@code kwargsrepr_maxsize}. */
    public static final int REPR_MAX_SIZE = 1024;

    private static final Set<String> KNOWN = Set.of("lang", "task", "id", "shadow", "eta", "expires", "group",
            "group_index", "retries", "timelimit", "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin",
            "ignore_result");
    private static volatile String defaultOrigin;

    private final String lang;
    private final String task;
    private final String id;
    private final String shadow;
    private final String eta;
    private final String expires;
    private final String group;
    private final Long groupIndex;
    private final long retries;
    private final Number timeLimit;
    private final Number softTimeLimit;
    private final String rootId;
    private final String parentId;
    private final String argsrepr;
    private final String kwargsrepr;
    private final String origin;
    private final boolean ignoreResult;
    private final Map<String, Object> extraHeaders;
    private final List<Object> args;
    private final Map<String, Object> kwargs;
    private final List<Signature> callbacks;
    private final List<Signature> errbacks;
    private final List<Signature> chain;
    private final Signature chord;
    private final Map<String, Object> extraEmbed;
    private final String replyTo;
    private final String correlationId;
    private final int priority;
    private final int deliveryMode;
    private final String expiration;

    private TaskMessage(Builder b) {
        if (b.task == null || b.task.isBlank()) {
            throw new InvalidTaskMessageException("a task message needs a task name");
        }
        this.lang = b.lang == null ? "py" : b.lang;
        this.task = b.task;
        this.id = b.id == null ? UUID.randomUUID().toString() : b.id;
        this.shadow = b.shadow;
        this.eta = b.eta;
        this.expires = b.expires;
        this.group = b.group;
        this.groupIndex = b.groupIndex;
        this.retries = b.retries;
        this.timeLimit = b.timeLimit;
        this.softTimeLimit = b.softTimeLimit;
        this.rootId = b.rootId == null ? this.id : b.rootId;
        this.parentId = b.parentId;
        this.args = copyList(b.args);
        this.kwargs = b.kwargs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.kwargs));
        this.argsrepr = b.argsrepr == null ? argsRepr(this.args) : b.argsrepr;
        this.kwargsrepr = b.kwargsrepr == null ? kwargsRepr(this.kwargs) : b.kwargsrepr;
        this.origin = b.origin == null ? defaultOrigin() : b.origin;
        this.ignoreResult = b.ignoreResult;
        this.extraHeaders = b.extraHeaders == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(b.extraHeaders));
        this.callbacks = b.callbacks == null ? null : List.copyOf(b.callbacks);
        this.errbacks = b.errbacks == null ? null : List.copyOf(b.errbacks);
        this.chain = b.chain == null ? null : List.copyOf(b.chain);
        this.chord = b.chord;
        this.extraEmbed = b.extraEmbed == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.extraEmbed));
        this.replyTo = b.replyTo;
        this.correlationId = b.correlationId == null ? this.id : b.correlationId;
        this.priority = b.priority;
        this.deliveryMode = b.deliveryMode;
        this.expiration = b.expiration;
        for (String k : extraHeaders.keySet()) {
            if (KNOWN.contains(k)) {
                throw new InvalidTaskMessageException("the header '" + k + "' is set through its own builder method");
            }
        }
    }

    /**
     * A new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this message's values, to change some of them (a retry: same id, {@code retries + 1}).
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.lang = lang;
        b.task = task;
        b.id = id;
        b.shadow = shadow;
        b.eta = eta;
        b.expires = expires;
        b.group = group;
        b.groupIndex = groupIndex;
        b.retries = retries;
        b.timeLimit = timeLimit;
        b.softTimeLimit = softTimeLimit;
        b.rootId = rootId;
        b.parentId = parentId;
        b.argsrepr = argsrepr;
        b.kwargsrepr = kwargsrepr;
        b.origin = origin;
        b.ignoreResult = ignoreResult;
        b.extraHeaders = new LinkedHashMap<>(extraHeaders);
        b.args = new ArrayList<>(args);
        b.kwargs = new LinkedHashMap<>(kwargs);
        b.callbacks = callbacks;
        b.errbacks = errbacks;
        b.chain = chain;
        b.chord = chord;
        b.extraEmbed = new LinkedHashMap<>(extraEmbed);
        b.replyTo = replyTo;
        b.correlationId = correlationId;
        b.priority = priority;
        b.deliveryMode = deliveryMode;
        b.expiration = expiration;
        return b;
    }

    // ------------------------------------------------------------------------------------------
    // to and from the broker's message

    /**
     * The broker message: headers in Celery's order, properties, and the JSON body.
     *
     * @return the message
     * @throws InvalidTaskMessageException when an argument is not a JSON-like value
     */
    public Message toMessage() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("lang", lang);
        h.put("task", task);
        h.put("id", id);
        h.put("shadow", shadow);
        h.put("eta", eta);
        h.put("expires", expires);
        h.put("group", group);
        h.put("group_index", groupIndex);
        h.put("retries", retries);
        h.put("timelimit", Arrays.asList(timeLimit, softTimeLimit));
        h.put("root_id", rootId);
        h.put("parent_id", parentId);
        h.put("argsrepr", argsrepr);
        h.put("kwargsrepr", kwargsrepr);
        h.put("origin", origin);
        h.put("ignore_result", ignoreResult);
        h.putAll(extraHeaders);
        byte[] body;
        try {
            body = CeleryJson.encode(Arrays.asList(args, kwargs, embed()));
        } catch (JsonFormatException e) {
            throw new InvalidTaskMessageException("the arguments of " + task + "[" + id + "] cannot be sent as JSON: "
                    + e.getMessage(), e);
        }
        try {
            Message.Builder m = Message.builder().body(body).contentType(CONTENT_TYPE).contentEncoding("utf-8")
                    .headers(h).priority(priority).deliveryMode(deliveryMode).correlationId(correlationId);
            if (replyTo != null) {
                m.replyTo(replyTo);
            }
            if (expiration != null) {
                m.expiration(expiration);
            }
            return m.build();
        } catch (InvalidMessageException e) {
            throw new InvalidTaskMessageException(e.getMessage(), e);
        }
    }

    /**
     * The body's third element, {@code {"callbacks", "errbacks", "chain", "chord"}}, with signatures as dicts.
     *
     * @return a new map in Celery's order
     */
    public Map<String, Object> embed() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callbacks", toMaps(callbacks));
        e.put("errbacks", toMaps(errbacks));
        e.put("chain", toMaps(chain));
        e.put("chord", chord == null ? null : chord.toMap());
        e.putAll(extraEmbed);
        return e;
    }

    /**
     * Reads a task message: protocol 2 (headers carry {@code task} and {@code id}, the body is
     * {@code [args, kwargs, embed]}), or protocol 1 (the body is one object with {@code task}, {@code id},
     * {@code args}, {@code kwargs}, ...), converted as Celery's worker converts it.
     *
     * @param message the broker message
     * @return the task message
     * @throws InvalidTaskMessageException when it is not a JSON task message celeriac can read; the text says why
     */
    public static TaskMessage fromMessage(Message message) {
        String ct = message.contentType();
        if (ct != null && !ct.isEmpty() && !CONTENT_TYPE.equals(ct)) {
            throw new InvalidTaskMessageException("content type '" + ct + "' is not supported (celeriac reads "
                    + "JSON task messages: set task_serializer='json', Celery's default)");
        }
        Object decoded;
        try {
            decoded = CeleryJson.decode(message.body());
        } catch (JsonFormatException e) {
            throw new InvalidTaskMessageException("the body is not JSON: " + e.getMessage(), e);
        }
        Map<String, Object> headers = message.headers();
        Builder b = new Builder();
        if (headers.get("task") == null && decoded instanceof Map<?, ?> v1) {
            readProtocolOne(v1, b);
        } else {
            readHeaders(headers, b);
            readBody(decoded, b);
        }
        b.replyTo = message.replyTo();
        b.correlationId = message.correlationId();
        b.priority = message.priority();
        b.deliveryMode = message.deliveryMode();
        b.expiration = message.expiration();
        return b.build();
    }

    private static void readHeaders(Map<String, Object> h, Builder b) {
        b.task = string(h, "task", true);
        b.id = string(h, "id", true);
        b.lang = string(h, "lang", false);
        b.shadow = string(h, "shadow", false);
        b.eta = time(h, "eta");
        b.expires = time(h, "expires");
        b.group = string(h, "group", false);
        Object gi = h.get("group_index");
        b.groupIndex = gi == null ? null : integer(gi, "group_index");
        Object r = h.get("retries");
        b.retries = r == null ? 0 : integer(r, "retries");
        Object tl = h.get("timelimit");
        if (tl instanceof List<?> l && l.size() == 2) {
            b.timeLimit = number(l.get(0), "timelimit");
            b.softTimeLimit = number(l.get(1), "timelimit");
        } else if (tl != null) {
            throw new InvalidTaskMessageException("the header 'timelimit' must be [hard, soft], not " + tl);
        }
        b.rootId = string(h, "root_id", false);
        b.parentId = string(h, "parent_id", false);
        b.argsrepr = string(h, "argsrepr", false);
        b.kwargsrepr = string(h, "kwargsrepr", false);
        b.origin = string(h, "origin", false);
        b.ignoreResult = Boolean.TRUE.equals(h.get("ignore_result"));
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : h.entrySet()) {
            if (!KNOWN.contains(e.getKey())) {
                extra.put(e.getKey(), e.getValue());
            }
        }
        b.extraHeaders = extra;
        if (b.argsrepr == null) {
            b.argsrepr = "";
        }
        if (b.kwargsrepr == null) {
            b.kwargsrepr = "";
        }
        if (b.origin == null) {
            b.origin = "";
        }
    }

    @SuppressWarnings("unchecked")
    private static void readBody(Object decoded, Builder b) {
        if (!(decoded instanceof List<?> body) || body.size() < 2 || body.size() > 3) {
            throw new InvalidTaskMessageException("the body of " + b.task + "[" + b.id
                    + "] must be [args, kwargs, embed], not " + Signature.describe(decoded));
        }
        if (!(body.get(0) instanceof List<?> a)) {
            throw new InvalidTaskMessageException("the args of " + b.task + "[" + b.id + "] must be a list");
        }
        if (!(body.get(1) instanceof Map<?, ?> k)) {
            throw new InvalidTaskMessageException("the kwargs of " + b.task + "[" + b.id + "] must be an object");
        }
        b.args = new ArrayList<>(a);
        b.kwargs = new LinkedHashMap<>((Map<String, Object>) k);
        Object embed = body.size() == 3 ? body.get(2) : null;
        if (embed == null) {
            return;
        }
        if (!(embed instanceof Map<?, ?> e)) {
            throw new InvalidTaskMessageException("the embed of " + b.task + "[" + b.id + "] must be an object");
        }
        b.callbacks = signatures(e.get("callbacks"), "callbacks");
        b.errbacks = signatures(e.get("errbacks"), "errbacks");
        b.chain = signatures(e.get("chain"), "chain");
        b.chord = e.get("chord") == null ? null : Signature.fromMap(e.get("chord"));
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<?, ?> en : e.entrySet()) {
            String key = String.valueOf(en.getKey());
            if (!Set.of("callbacks", "errbacks", "chain", "chord").contains(key)) {
                extra.put(key, en.getValue());
            }
        }
        b.extraEmbed = extra;
    }

    @SuppressWarnings("unchecked")
    private static void readProtocolOne(Map<?, ?> raw, Builder b) {
        Map<String, Object> m = (Map<String, Object>) raw;
        b.task = string(m, "task", true);
        b.id = string(m, "id", true);
        Object a = m.get("args");
        Object k = m.get("kwargs");
        b.args = a instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
        b.kwargs = k instanceof Map<?, ?> km ? new LinkedHashMap<>((Map<String, Object>) km) : new LinkedHashMap<>();
        b.eta = time(m, "eta");
        b.expires = time(m, "expires");
        b.group = string(m, "taskset", false);
        Object r = m.get("retries");
        b.retries = r == null ? 0 : integer(r, "retries");
        Object tl = m.get("timelimit");
        if (tl instanceof List<?> l && l.size() == 2) {
            b.timeLimit = number(l.get(0), "timelimit");
            b.softTimeLimit = number(l.get(1), "timelimit");
        }
        b.callbacks = signatures(m.get("callbacks"), "callbacks");
        b.errbacks = signatures(m.get("errbacks"), "errbacks");
        b.chord = m.get("chord") == null ? null : Signature.fromMap(m.get("chord"));
        b.argsrepr = argsRepr(b.args);
        b.kwargsrepr = kwargsRepr(b.kwargs);
        b.origin = "";
    }

    private static List<Signature> signatures(Object v, String what) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> l)) {
            throw new InvalidTaskMessageException("'" + what + "' must be a list of signatures");
        }
        List<Signature> out = new ArrayList<>(l.size());
        for (Object o : l) {
            out.add(Signature.fromMap(o));
        }
        return out;
    }

    private static String string(Map<String, Object> h, String key, boolean required) {
        Object v = h.get(key);
        if (v == null) {
            if (required) {
                throw new InvalidTaskMessageException("the '" + key + "' header is missing");
            }
            return null;
        }
        if (!(v instanceof String s)) {
            throw new InvalidTaskMessageException("the '" + key + "' header must be text, not " + v);
        }
        return s;
    }

    private static String time(Map<String, Object> h, String key) {
        Object v = h.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new InvalidTaskMessageException("the '" + key + "' header must be an ISO-8601 time, not " + v);
        }
        CeleryTimes.parse(s);
        return s;
    }

    private static long integer(Object v, String key) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && !(v instanceof BigInteger)) {
            return n.longValue();
        }
        throw new InvalidTaskMessageException("the '" + key + "' header must be an integer, not " + v);
    }

    private static Number number(Object v, String key) {
        if (v == null || v instanceof Long || v instanceof Double) {
            return (Number) v;
        }
        if (v instanceof Number n) {
            return n instanceof Integer || n instanceof Short ? (Number) n.longValue() : (Number) n.doubleValue();
        }
        throw new InvalidTaskMessageException("the '" + key + "' header must hold numbers or nulls, not " + v);
    }

    private static List<Object> copyList(List<?> l) {
        return l == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(l));
    }

    private static List<Map<String, Object>> toMaps(List<Signature> l) {
        if (l == null) {
            return null;
        }
        List<Map<String, Object>> out = new ArrayList<>(l.size());
        for (Signature s : l) {
            out.add(s.toMap());
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // repr and origin

    /**
     * Python's {@code repr} of the positional arguments as a tuple, as Celery puts it in {@code argsrepr}:
     * {@code (2, 3)}, {@code ('a',)}, {@code ()}; cut at {@value #REPR_MAX_SIZE} characters with {@code ...}.
     *
     * @param args the arguments
     * @return the text
     */
    public static String argsRepr(List<?> args) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(PythonRepr.repr(args.get(i)));
        }
        if (args.size() == 1) {
            sb.append(',');
        }
        return cut(sb.append(')').toString());
    }

    /**
     * Python's {@code repr} of the keyword arguments, as Celery puts it in {@code kwargsrepr}: {@code {'z': 1}}.
     *
     * @param kwargs the keyword arguments
     * @return the text
     */
    public static String kwargsRepr(Map<String, ?> kwargs) {
        return cut(PythonRepr.repr(kwargs));
    }

    private static String cut(String s) {
        return s.length() <= REPR_MAX_SIZE ? s : s.substring(0, REPR_MAX_SIZE - 3) + "...";
    }

    /**
     * The {@code origin} Celery writes for this process: {@code gen<pid>@<hostname>}.
     *
     * @return the origin
     */
    public static String defaultOrigin() {
        String o = defaultOrigin;
        if (o == null) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
            o = "gen" + ProcessHandle.current().pid() + "@" + host;
            defaultOrigin = o;
        }
        return o;
    }

    // ------------------------------------------------------------------------------------------
    // accessors

    /** @return the producer language header, {@code py} unless a sender said otherwise */
    public String lang() {
        return lang;
    }

    /** @return the registered task name the worker dispatches on */
    public String task() {
        return task;
    }

    /** @return the task id */
    public String id() {
        return id;
    }

    /** @return the alternative name for logs, or {@code null} */
    public String shadow() {
        return shadow;
    }

    /** @return the {@code eta} header as sent (ISO-8601, possibly naive), or {@code null} */
    public String etaText() {
        return eta;
    }

    /** @return the not-before time, or {@code null} */
    public Instant eta() {
        return eta == null ? null : CeleryTimes.parse(eta);
    }

    /** @return the {@code expires} header as sent, or {@code null} */
    public String expiresText() {
        return expires;
    }

    /** @return the expiry time, or {@code null} */
    public Instant expires() {
        return expires == null ? null : CeleryTimes.parse(expires);
    }

    /**
     * Whether the task has expired at a moment.
     *
     * @param now the moment
     * @return {@code true} when an expiry is set and is not after {@code now}
     */
    public boolean isExpiredAt(Instant now) {
        Instant e = expires();
        return e != null && !e.isAfter(now);
    }

    /** @return the group id, or {@code null} */
    public String group() {
        return group;
    }

    /** @return the position in a chord header, or {@code null} */
    public Long groupIndex() {
        return groupIndex;
    }

    /** @return how many times the task was retried */
    public long retries() {
        return retries;
    }

    /** @return the hard time limit in seconds, or {@code null} */
    public Number timeLimit() {
        return timeLimit;
    }

    /** @return the soft time limit in seconds, or {@code null} */
    public Number softTimeLimit() {
        return softTimeLimit;
    }

    /** @return the id of the first task of the workflow */
    public String rootId() {
        return rootId;
    }

    /** @return the id of the task that sent this one, or {@code null} */
    public String parentId() {
        return parentId;
    }

    /** @return Python's repr of the args (display only) */
    public String argsrepr() {
        return argsrepr;
    }

    /** @return Python's repr of the kwargs (display only) */
    public String kwargsrepr() {
        return kwargsrepr;
    }

    /** @return the sender, {@code gen<pid>@<host>} */
    public String origin() {
        return origin;
    }

    /** @return whether the worker must not store the result */
    public boolean ignoreResult() {
        return ignoreResult;
    }

    /** @return headers beyond the known ones, in their order */
    public Map<String, Object> extraHeaders() {
        return extraHeaders;
    }

    /** @return the positional arguments (JSON-like values) */
    public List<Object> args() {
        return args;
    }

    /** @return the keyword arguments */
    public Map<String, Object> kwargs() {
        return kwargs;
    }

    /** @return the callbacks ({@code link}), or {@code null} when none were sent */
    public List<Signature> callbacks() {
        return callbacks;
    }

    /** @return the errbacks ({@code link_error}), or {@code null} */
    public List<Signature> errbacks() {
        return errbacks;
    }

    /** @return the rest of a chain, in reverse order (the next task last), or {@code null} */
    public List<Signature> chain() {
        return chain;
    }

    /** @return the chord body this task is a header part of, or {@code null} */
    public Signature chord() {
        return chord;
    }

    /** @return keys of the embed beyond the four known ones */
    public Map<String, Object> extraEmbed() {
        return extraEmbed;
    }

    /** @return the {@code reply_to} property, or {@code null} */
    public String replyTo() {
        return replyTo;
    }

    /** @return the {@code correlation_id} property (the task id unless a sender said otherwise) */
    public String correlationId() {
        return correlationId;
    }

    /** @return the message priority, 0 unless given */
    public int priority() {
        return priority;
    }

    /** @return the delivery mode, 2 (persistent) unless given */
    public int deliveryMode() {
        return deliveryMode;
    }

    /** @return the {@code expiration} property in whole milliseconds as text, or {@code null} */
    public String expiration() {
        return expiration;
    }

    @Override
    public String toString() {
        return "TaskMessage[" + task + "[" + id + "] " + argsrepr + " " + kwargsrepr
                + (eta == null ? "" : " eta=" + eta) + (expires == null ? "" : " expires=" + expires)
                + (retries == 0 ? "" : " retries=" + retries) + "]";
    }

    /**
     * Builds a {@link TaskMessage}. Only the task name is required: the id defaults to a random UUID, the root id
     * to the id, {@code argsrepr} / {@code kwargsrepr} to Python's repr, the origin to this process's, the priority
     * to 0 and the delivery mode to 2. Not thread-safe.
     */
    public static final class Builder {
        private String lang;
        private String task;
        private String id;
        private String shadow;
        private String eta;
        private String expires;
        private String group;
        private Long groupIndex;
        private long retries;
        private Number timeLimit;
        private Number softTimeLimit;
        private String rootId;
        private String parentId;
        private String argsrepr;
        private String kwargsrepr;
        private String origin;
        private boolean ignoreResult;
        private Map<String, Object> extraHeaders;
        private List<Object> args;
        private Map<String, Object> kwargs;
        private List<Signature> callbacks;
        private List<Signature> errbacks;
        private List<Signature> chain;
        private Signature chord;
        private Map<String, Object> extraEmbed;
        private String replyTo;
        private String correlationId;
        private int priority;
        private int deliveryMode = Message.PERSISTENT;
        private String expiration;

        private Builder() {
        }

        /** @param v the producer language, default {@code py} (Celery's workers expect it) @return this */
        public Builder lang(String v) {
            lang = v;
            return this;
        }

        /** @param v the registered task name @return this */
        public Builder task(String v) {
            task = v;
            return this;
        }

        /** @param v the task id, default a random UUID @return this */
        public Builder id(String v) {
            id = v;
            return this;
        }

        /** @param v the alternative name for logs @return this */
        public Builder shadow(String v) {
            shadow = v;
            return this;
        }

        /** @param v the not-before time, or {@code null} @return this */
        public Builder eta(Instant v) {
            eta = v == null ? null : CeleryTimes.format(v);
            return this;
        }

        /** @param v the {@code eta} header text as another sender wrote it @return this */
        public Builder etaText(String v) {
            if (v != null) {
                CeleryTimes.parse(v);
            }
            eta = v;
            return this;
        }

        /** @param v the expiry time, or {@code null}; sets no {@code expiration} property (see
         *           {@link #expiresIn(Duration, Instant)}) @return this */
        public Builder expires(Instant v) {
            expires = v == null ? null : CeleryTimes.format(v);
            return this;
        }

        /**
         * Sets the expiry as Celery's {@code expires=seconds} does: the header {@code expires} = now + the
         * duration, and the property {@code expiration} = the whole milliseconds.
         *
         * @param v how long the task may wait
         * @param now the send time
         * @return this
         */
        public Builder expiresIn(Duration v, Instant now) {
            expires = CeleryTimes.format(now.plus(v));
            expiration = Long.toString(Math.max(0, v.toMillis()));
            return this;
        }

        /** @param v the {@code expires} header text as another sender wrote it @return this */
        public Builder expiresText(String v) {
            if (v != null) {
                CeleryTimes.parse(v);
            }
            expires = v;
            return this;
        }

        /** @param v the group id @return this */
        public Builder group(String v) {
            group = v;
            return this;
        }

        /** @param v the position in a chord header @return this */
        public Builder groupIndex(Long v) {
            groupIndex = v;
            return this;
        }

        /** @param v the retry count @return this */
        public Builder retries(long v) {
            if (v < 0) {
                throw new InvalidTaskMessageException("retries cannot be negative: " + v);
            }
            retries = v;
            return this;
        }

        /**
         * Sets the time limits ({@code timelimit: [hard, soft]}).
         *
         * @param hard the hard limit in seconds (Long or Double), or {@code null}
         * @param soft the soft limit in seconds, or {@code null}
         * @return this
         */
        public Builder timeLimits(Number hard, Number soft) {
            timeLimit = number(hard, "timelimit");
            softTimeLimit = number(soft, "timelimit");
            return this;
        }

        /** @param v the first task of the workflow, default the id @return this */
        public Builder rootId(String v) {
            rootId = v;
            return this;
        }

        /** @param v the task that sent this one @return this */
        public Builder parentId(String v) {
            parentId = v;
            return this;
        }

        /** @param v Python's repr of the args, default computed @return this */
        public Builder argsrepr(String v) {
            argsrepr = v;
            return this;
        }

        /** @param v Python's repr of the kwargs, default computed @return this */
        public Builder kwargsrepr(String v) {
            kwargsrepr = v;
            return this;
        }

        /** @param v the sender, default {@code gen<pid>@<host>} @return this */
        public Builder origin(String v) {
            origin = v;
            return this;
        }

        /** @param v whether the worker must not store the result @return this */
        public Builder ignoreResult(boolean v) {
            ignoreResult = v;
            return this;
        }

        /** @param v headers beyond the known ones (Celery merges {@code headers=} at the top level) @return this */
        public Builder extraHeaders(Map<String, ?> v) {
            extraHeaders = v == null ? null : new LinkedHashMap<>(v);
            return this;
        }

        /**
         * Adds one header beyond the known ones.
         *
         * @param name the header name
         * @param value a JSON-like value
         * @return this
         */
        public Builder extraHeader(String name, Object value) {
            if (extraHeaders == null) {
                extraHeaders = new LinkedHashMap<>();
            }
            extraHeaders.put(name, value);
            return this;
        }

        /** @param v the positional arguments (JSON-like values) @return this */
        public Builder args(List<?> v) {
            args = v == null ? null : new ArrayList<>(v);
            return this;
        }

        /** @param v the positional arguments @return this */
        public Builder args(Object... v) {
            args = new ArrayList<>(Arrays.asList(v));
            return this;
        }

        /** @param v the keyword arguments @return this */
        public Builder kwargs(Map<String, ?> v) {
            kwargs = v == null ? null : new LinkedHashMap<>(v);
            return this;
        }

        /** @param v the callbacks ({@code link}), {@code null} for none @return this */
        public Builder callbacks(List<Signature> v) {
            callbacks = v;
            return this;
        }

        /** @param v the errbacks ({@code link_error}), {@code null} for none @return this */
        public Builder errbacks(List<Signature> v) {
            errbacks = v;
            return this;
        }

        /** @param v the rest of a chain in reverse order (the next task last), {@code null} for none @return this */
        public Builder chain(List<Signature> v) {
            chain = v;
            return this;
        }

        /** @param v the chord body of a header part @return this */
        public Builder chord(Signature v) {
            chord = v;
            return this;
        }

        /** @param v the {@code reply_to} property @return this */
        public Builder replyTo(String v) {
            replyTo = v;
            return this;
        }

        /** @param v the {@code correlation_id} property, default the id @return this */
        public Builder correlationId(String v) {
            correlationId = v;
            return this;
        }

        /** @param v the message priority (0..255; Celery uses 0..9) @return this */
        public Builder priority(int v) {
            if (v < 0 || v > 255) {
                throw new InvalidTaskMessageException("priority must be within 0..255, not " + v);
            }
            priority = v;
            return this;
        }

        /** @param v 2 (persistent, the default) or 1 @return this */
        public Builder deliveryMode(int v) {
            if (v != 1 && v != 2) {
                throw new InvalidTaskMessageException("delivery mode must be 1 or 2, not " + v);
            }
            deliveryMode = v;
            return this;
        }

        /** @param v the {@code expiration} property in whole milliseconds as text, or {@code null} @return this */
        public Builder expiration(String v) {
            expiration = v;
            return this;
        }

        /**
         * Builds the message.
         *
         * @return the message
         * @throws InvalidTaskMessageException when the task name is missing or a known header is set as an extra
         */
        public TaskMessage build() {
            return new TaskMessage(this);
        }
    }
}
