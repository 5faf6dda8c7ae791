package io.celeriac.broker;

import java.util.Locale;

/**
 * The exchange types kombu's transports route through.
 */
public enum ExchangeType {
    /** The routing key equals the binding key (Celery's {@code celery} and {@code reply.celery.pidbox}). */
    DIRECT,
    /** The routing key matches the binding's {@code *} / {@code #} pattern (Celery's {@code celeryev}). */
    TOPIC,
    /** Every bound queue gets a copy (Celery's {@code celery.pidbox} broadcast). */
    FANOUT;

    /**
     * The name on the wire.
     *
     * @return {@code direct}, {@code topic} or {@code fanout}
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The type of a kombu {@code Exchange(type=...)}.
     *
     * @param name {@code direct}, {@code topic} or {@code fanout}, in any case
     * @return the type
     * @throws InvalidDeclarationException for any other name
     */
    public static ExchangeType of(String name) {
        if (name != null) {
            for (ExchangeType t : values()) {
                if (t.wireName().equalsIgnoreCase(name.strip())) {
                    return t;
                }
            }
        }
        throw new InvalidDeclarationException("Unknown exchange type '" + name + "': use direct, topic or fanout");
    }
}
