package io.celeriac.events;

import java.util.Map;
import java.util.Objects;

/**
 * One Celery event, as its JSON body holds it: a {@code type} such as {@code task-succeeded} or
 * {@code worker-heartbeat} and its fields ({@code hostname}, {@code timestamp}, {@code clock},
 * {@code uuid}, ...), including the receiver-added {@code local_received}. Immutable.
 *
 * @param type the event type, e.g. {@code task-succeeded}
 * @param fields every field, including {@code type}, in order
 */
public record Event(String type, Map<String, Object> fields) {

    /**
     * Validates and freezes: {@link #fields()} is an unmodifiable copy in the given order (null values kept),
     * stored compactly, since a receiver makes one per event.
     *
     * @throws NullPointerException when {@code type} or {@code fields} is null
     */
    public Event {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(fields, "fields");
        fields = EventFields.of(fields);
    }

    /**
     * An event from its decoded JSON fields.
     *
     * @param fields the fields; {@code type} must be a string
     * @return the event
     * @throws IllegalArgumentException when there is no string {@code type}
     */
    public static Event of(Map<String, Object> fields) {
        Object t = fields.get("type");
        if (!(t instanceof String s)) {
            throw new IllegalArgumentException("an event needs a string \"type\"");
        }
        return new Event(s, fields);
    }

    /** @return the part of the type before the first {@code -} ({@code task}, {@code worker}) */
    public String group() {
        int i = type.indexOf('-');
        return i < 0 ? type : type.substring(0, i);
    }

    /** @return the part of the type after the first {@code -} ({@code succeeded}, {@code heartbeat}), or empty */
    public String subject() {
        int i = type.indexOf('-');
        return i < 0 ? "" : type.substring(i + 1);
    }

    /**
     * A field.
     *
     * @param name the field
     * @return its value, or {@code null}
     */
    public Object get(String name) {
        return fields.get(name);
    }

    /** @return the {@code hostname} field, or {@code null} */
    public String hostname() {
        return fields.get("hostname") instanceof String s ? s : null;
    }

    /** @return the {@code uuid} field (task events), or {@code null} */
    public String uuid() {
        return fields.get("uuid") instanceof String s ? s : null;
    }

    /** @return the {@code timestamp} field in epoch seconds, or {@code null} */
    public Double timestamp() {
        return fields.get("timestamp") instanceof Number n ? n.doubleValue() : null;
    }

    /** @return the {@code local_received} field in epoch seconds, or {@code null} */
    public Double localReceived() {
        return fields.get("local_received") instanceof Number n ? n.doubleValue() : null;
    }

    /** @return the {@code clock} field, or {@code null} */
    public Long clock() {
        return fields.get("clock") instanceof Number n ? n.longValue() : null;
    }
}
