package io.celeriac.broker;

import java.util.Map;
import java.util.Objects;

/**
 * An exchange declaration, as kombu's {@code Exchange(name, type, durable, auto_delete, arguments)}.
 *
 * <p>Immutable; the constructor checks its arguments and throws {@link InvalidDeclarationException} for an empty
 * or too long name (the default exchange {@code ""} cannot be declared) or a non-JSON-like argument.
 *
 * @param name the exchange name, 1 to 255 bytes
 * @param type its type
 * @param durable whether it survives a broker restart
 * @param autoDelete whether the broker deletes it when its last binding goes
 * @param arguments extra arguments, JSON-like values (normalized, unmodifiable)
 */
public record ExchangeSpec(String name, ExchangeType type, boolean durable, boolean autoDelete,
                           Map<String, Object> arguments) {

    /** Checks and freezes the declaration. */
    public ExchangeSpec {
        checkName(name, "exchange name");
        Objects.requireNonNull(type, "type");
        arguments = JsonValues.copyMap(arguments, "exchange argument", InvalidDeclarationException::new);
    }

    /**
     * A durable direct exchange (Celery's {@code celery}).
     *
     * @param name the name
     * @return the declaration
     */
    public static ExchangeSpec direct(String name) {
        return new ExchangeSpec(name, ExchangeType.DIRECT, true, false, Map.of());
    }

    /**
     * A durable topic exchange (Celery's {@code celeryev}).
     *
     * @param name the name
     * @return the declaration
     */
    public static ExchangeSpec topic(String name) {
        return new ExchangeSpec(name, ExchangeType.TOPIC, true, false, Map.of());
    }

    /**
     * A durable fanout exchange.
     *
     * @param name the name
     * @return the declaration
     */
    public static ExchangeSpec fanout(String name) {
        return new ExchangeSpec(name, ExchangeType.FANOUT, true, false, Map.of());
    }

    /**
     * This declaration with another durability.
     *
     * @param v whether durable
     * @return the declaration
     */
    public ExchangeSpec withDurable(boolean v) {
        return new ExchangeSpec(name, type, v, autoDelete, arguments);
    }

    /**
     * This declaration with another auto-delete flag.
     *
     * @param v whether auto-delete
     * @return the declaration
     */
    public ExchangeSpec withAutoDelete(boolean v) {
        return new ExchangeSpec(name, type, durable, v, arguments);
    }

    static void checkName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new InvalidDeclarationException("The " + what + " is empty");
        }
        JsonValues.checkShortString(name, what + " '" + name.substring(0, Math.min(40, name.length())) + "…'",
                InvalidDeclarationException::new);
    }
}
