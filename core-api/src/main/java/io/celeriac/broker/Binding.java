package io.celeriac.broker;

import java.util.Map;
import java.util.Objects;

/**
 * A binding of a queue to an exchange with a routing key (a pattern on topic exchanges, ignored by fanout).
 *
 * <p>Immutable; the constructor throws {@link InvalidDeclarationException} for an empty queue or exchange name,
 * a routing key longer than 255 bytes or a non-JSON-like argument.
 *
 * @param queue the queue
 * @param exchange the exchange (not the default exchange {@code ""}, to which every queue is bound by its name)
 * @param routingKey the binding key, may be empty, not {@code null}
 * @param arguments extra arguments, JSON-like values
 */
public record Binding(String queue, String exchange, String routingKey, Map<String, Object> arguments) {

    /** Checks and freezes the binding. */
    public Binding {
        ExchangeSpec.checkName(queue, "queue name");
        ExchangeSpec.checkName(exchange, "exchange name");
        Objects.requireNonNull(routingKey, "routingKey");
        JsonValues.checkShortString(routingKey, "routing key", InvalidDeclarationException::new);
        arguments = JsonValues.copyMap(arguments, "binding argument", InvalidDeclarationException::new);
    }

    /**
     * A binding without arguments.
     *
     * @param queue the queue
     * @param exchange the exchange
     * @param routingKey the binding key
     * @return the binding
     */
    public static Binding of(String queue, String exchange, String routingKey) {
        return new Binding(queue, exchange, routingKey, Map.of());
    }
}
