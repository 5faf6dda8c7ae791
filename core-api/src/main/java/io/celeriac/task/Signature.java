package io.celeriac.task;

import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A canvas signature as Celery sends it inside a task message ({@code callbacks}, {@code errbacks}, {@code chain},
 * {@code chord}) and stores it: {@code {"task", "args", "kwargs", "options", "subtask_type", "immutable"}}.
 * Immutable and thread-safe; {@link #withOptions(Map)} and friends return copies. Keys Celery may add in later
 * versions are kept in {@link #extra()} and written back after the six known ones, so a signature read from a
 * message is sent on unchanged.
 *
 * @param task the task name (for a {@code subtask_type} of {@code chain}, {@code group} or {@code chord}, Celery
 *             writes the canvas class name, e.g. {@code celery.chain})
 * @param args the positional arguments (JSON-like values), never {@code null}
 * @param kwargs the keyword arguments, never {@code null}
 * @param options the send options ({@code task_id}, {@code reply_to}, {@code queue}, ...), never {@code null}
 * @param subtaskType {@code null} for a task, or {@code chain}, {@code group}, {@code chord}, {@code chunks} ...
 * @param immutable whether the parent's result is not prepended to the arguments
 * @param extra keys beyond the six, in their order, never {@code null}
 */
public record Signature(String task, List<Object> args, Map<String, Object> kwargs, Map<String, Object> options,
                        String subtaskType, boolean immutable, Map<String, Object> extra) {

    /**
     * Validates and copies the parts.
     */
    public Signature {
        if (task == null || task.isBlank()) {
            throw new InvalidTaskMessageException("a signature needs a task name");
        }
        args = args == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(args));
        kwargs = kwargs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
        options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /**
     * A task signature ({@code app.signature(name, args, kwargs)}, Celery's {@code add.s(2, 3)}).
     *
     * @param task the task name
     * @param args the positional arguments
     * @return the signature, mutable-by-copy
     */
    public static Signature of(String task, Object... args) {
        return new Signature(task, java.util.Arrays.asList(args), Map.of(), Map.of(), null, false, Map.of());
    }

    /**
     * A task signature with keyword arguments.
     *
     * @param task the task name
     * @param args the positional arguments
     * @param kwargs the keyword arguments
     * @return the signature
     */
    public static Signature of(String task, List<?> args, Map<String, ?> kwargs) {
        return new Signature(task, args == null ? null : new ArrayList<>(args),
                kwargs == null ? null : new LinkedHashMap<>(kwargs), Map.of(), null, false, Map.of());
    }

    /**
     * This signature, immutable ({@code add.si(2, 3)}): a chain does not prepend the parent's result.
     *
     * @return a copy with {@code immutable} set
     */
    public Signature immutableCopy() {
        return new Signature(task, args, kwargs, options, subtaskType, true, extra);
    }

    /**
     * This signature with more options merged in (later keys win).
     *
     * @param more the options to set
     * @return a copy
     */
    public Signature withOptions(Map<String, ?> more) {
        Map<String, Object> o = new LinkedHashMap<>(options);
        o.putAll(more);
        return new Signature(task, args, kwargs, o, subtaskType, immutable, extra);
    }

    /**
     * This signature with one option set.
     *
     * @param name the option name ({@code task_id}, {@code queue}, ...)
     * @param value the value
     * @return a copy
     */
    public Signature withOption(String name, Object value) {
        Map<String, Object> o = new LinkedHashMap<>(options);
        o.put(name, value);
        return new Signature(task, args, kwargs, o, subtaskType, immutable, extra);
    }

    /**
     * This signature with other positional arguments.
     *
     * @param newArgs the arguments
     * @return a copy
     */
    public Signature withArgs(List<?> newArgs) {
        return new Signature(task, new ArrayList<>(newArgs), kwargs, options, subtaskType, immutable, extra);
    }

    /**
     * The option {@code task_id}, when set.
     *
     * @return the id or {@code null}
     */
    public String taskId() {
        Object v = options.get("task_id");
        return v == null ? null : v.toString();
    }

    /**
     * The signature as Celery's dict, keys in Celery's order.
     *
     * @return a new mutable map
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task);
        m.put("args", args);
        m.put("kwargs", kwargs);
        m.put("options", options);
        m.put("subtask_type", subtaskType);
        m.put("immutable", immutable);
        m.putAll(extra);
        return m;
    }

    /**
     * The signature as Celery's JSON.
     *
     * @return the JSON text
     */
    public String toJson() {
        return CeleryJson.encodeToString(toMap());
    }

    /**
     * Reads a signature from Celery's dict.
     *
     * @param value the decoded JSON object
     * @return the signature
     * @throws InvalidTaskMessageException when it is not a signature
     */
    @SuppressWarnings("unchecked")
    public static Signature fromMap(Object value) {
        if (!(value instanceof Map<?, ?> raw)) {
            throw new InvalidTaskMessageException("a signature must be a JSON object, not " + describe(value));
        }
        Map<String, Object> m = (Map<String, Object>) raw;
        Object task = m.get("task");
        if (!(task instanceof String name) || name.isBlank()) {
            throw new InvalidTaskMessageException("a signature needs a 'task' name: " + CeleryJson.encodeToString(m));
        }
        Object args = m.get("args");
        Object kwargs = m.get("kwargs");
        Object options = m.get("options");
        Object type = m.get("subtask_type");
        if (args != null && !(args instanceof List)) {
            throw new InvalidTaskMessageException("a signature's 'args' must be a list, in " + name);
        }
        if (kwargs != null && !(kwargs instanceof Map) || options != null && !(options instanceof Map)) {
            throw new InvalidTaskMessageException("a signature's 'kwargs' and 'options' must be objects, in " + name);
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            switch (e.getKey()) {
                case "task", "args", "kwargs", "options", "subtask_type", "immutable" -> {
                }
                default -> extra.put(e.getKey(), e.getValue());
            }
        }
        return new Signature(name, (List<Object>) args, (Map<String, Object>) kwargs, (Map<String, Object>) options,
                type == null ? null : type.toString(), Boolean.TRUE.equals(m.get("immutable")), extra);
    }

    /**
     * Reads a signature from Celery's JSON.
     *
     * @param json the JSON text
     * @return the signature
     * @throws InvalidTaskMessageException when it is not a signature
     */
    public static Signature fromJson(String json) {
        try {
            return fromMap(CeleryJson.decode(json));
        } catch (JsonFormatException e) {
            throw new InvalidTaskMessageException("a signature is not JSON: " + e.getMessage(), e);
        }
    }

    static String describe(Object v) {
        return v == null ? "null" : v.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "Signature[" + task + (subtaskType == null ? "" : " " + subtaskType) + ", args=" + args.size()
                + ", kwargs=" + kwargs.keySet() + ", options=" + options.keySet() + (immutable ? ", immutable" : "")
                + "]";
    }
}
