package io.celeriac.broker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A queue declaration, as kombu's {@code Queue(name, durable, exclusive, auto_delete, queue_arguments)}, with
 * helpers for the arguments Celery uses: {@code x-max-priority}, {@code x-message-ttl}, {@code x-expires}.
 *
 * <p>Immutable; the constructor checks its arguments and throws {@link InvalidDeclarationException} for an empty
 * or too long name, an {@code x-max-priority} outside 1..255, a negative {@code x-message-ttl}, an
 * {@code x-expires} below 1 ms, or a non-JSON-like argument.
 *
 * @param name the queue name, 1 to 255 bytes
 * @param durable whether it survives a broker restart
 * @param exclusive whether only the declaring connection may use it (deleted when it closes)
 * @param autoDelete whether the broker deletes it when its last consumer goes
 * @param arguments extra arguments, JSON-like values (normalized, unmodifiable)
 */
public record QueueSpec(String name, boolean durable, boolean exclusive, boolean autoDelete,
                        Map<String, Object> arguments) {

    /** The argument naming a queue's highest priority. */
    public static final String MAX_PRIORITY = "x-max-priority";
    /** The argument naming how long a message may stay in the queue, in milliseconds. */
    public static final String MESSAGE_TTL = "x-message-ttl";
    /** The argument naming how long an unused queue lives, in milliseconds. */
    public static final String EXPIRES = "x-expires";

    /** Checks and freezes the declaration. */
    public QueueSpec {
        ExchangeSpec.checkName(name, "queue name");
        arguments = JsonValues.copyMap(arguments, "queue argument", InvalidDeclarationException::new);
        checkLong(arguments, MAX_PRIORITY, 1, 255);
        checkLong(arguments, MESSAGE_TTL, 0, Integer.MAX_VALUE);
        checkLong(arguments, EXPIRES, 1, Integer.MAX_VALUE);
    }

    private static void checkLong(Map<String, Object> args, String name, long min, long max) {
        if (!args.containsKey(name)) {
            return;
        }
        Object v = args.get(name);
        if (!(v instanceof Long l) || l < min || l > max) {
            throw new InvalidDeclarationException("The queue argument " + name + " must be an integer from " + min
                    + " to " + max + ", not " + v);
        }
    }

    /**
     * A durable queue (Celery's task queues).
     *
     * @param name the name
     * @return the declaration
     */
    public static QueueSpec durable(String name) {
        return new QueueSpec(name, true, false, false, Map.of());
    }

    /**
     * A non-durable, auto-delete queue (Celery's pidbox, reply and event queues).
     *
     * @param name the name
     * @return the declaration
     */
    public static QueueSpec autoDelete(String name) {
        return new QueueSpec(name, false, false, true, Map.of());
    }

    /**
     * This declaration made exclusive (or not).
     *
     * @param v whether exclusive
     * @return the declaration
     */
    public QueueSpec withExclusive(boolean v) {
        return new QueueSpec(name, durable, v, autoDelete, arguments);
    }

    /**
     * This declaration with one more argument.
     *
     * @param key the argument
     * @param value a JSON-like value
     * @return the declaration
     */
    public QueueSpec withArgument(String key, Object value) {
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        args.put(key, value);
        return new QueueSpec(name, durable, exclusive, autoDelete, args);
    }

    /**
     * With {@code x-max-priority}: higher priorities are served first, up to this one.
     *
     * @param max 1 to 255 (Celery's {@code queue_max_priority}, often 10)
     * @return the declaration
     */
    public QueueSpec withMaxPriority(int max) {
        return withArgument(MAX_PRIORITY, (long) max);
    }

    /**
     * With {@code x-message-ttl}.
     *
     * @param ttl how long a message may wait, whole milliseconds
     * @return the declaration
     */
    public QueueSpec withMessageTtl(Duration ttl) {
        return withArgument(MESSAGE_TTL, ttl.toMillis());
    }

    /**
     * With {@code x-expires}.
     *
     * @param expires how long the queue lives unused, whole milliseconds
     * @return the declaration
     */
    public QueueSpec withExpires(Duration expires) {
        return withArgument(EXPIRES, expires.toMillis());
    }
}
