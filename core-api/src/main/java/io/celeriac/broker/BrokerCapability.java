package io.celeriac.broker;

import io.celeriac.Capability;

/**
 * What a live {@link Broker} supports beyond publishing and consuming with acknowledgements, which every broker
 * does.
 *
 * <p>A broker declares its capabilities in {@link Broker#capabilities()}. Declaring an exchange of a type whose
 * capability is not declared raises {@link io.celeriac.UnsupportedCapabilityException} with the standard message;
 * the other capabilities describe behaviour (the conformance kit tests them where declared).
 */
public enum BrokerCapability implements Capability {
    /** Topic exchanges with kombu's {@code *} and {@code #} patterns (Celery's {@code celeryev}). */
    TOPIC_EXCHANGE("route through topic exchanges", false),
    /** A queue declared with {@code x-max-priority} serves higher priorities first (RabbitMQ's semantics). */
    PRIORITY("serve higher priorities first from a queue declared with x-max-priority", true),
    /** Messages expire by their {@code expiration} property and the queue's {@code x-message-ttl}. */
    MESSAGE_TTL("expire messages by expiration and x-message-ttl", true),
    /** An unused queue declared with {@code x-expires} is deleted by the broker. */
    QUEUE_EXPIRY("delete unused queues after x-expires", true),
    /** {@link Broker#queueStats(String)} counts the consumers of a queue (otherwise it reports -1). */
    CONSUMER_COUNT("count the consumers of a queue", true),
    /** A publish returns only once the broker confirmed it has the message (RabbitMQ's publisher confirms). */
    PUBLISHER_CONFIRMS("return from publish only once the broker confirmed the message", true);

    private final String description;
    private final boolean behaviour;

    BrokerCapability(String description, boolean behaviour) {
        this.description = description;
        this.behaviour = behaviour;
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * Whether this capability describes behaviour rather than an operation that can be refused.
     *
     * @return {@code false} for {@link #TOPIC_EXCHANGE} only
     */
    public boolean isBehaviour() {
        return behaviour;
    }
}
