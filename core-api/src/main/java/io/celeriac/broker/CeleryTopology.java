package io.celeriac.broker;

import java.time.Duration;
import java.util.Map;

/**
 * What Celery 5.2 and kombu declare, with their flags and arguments as captured on the wire: the default task
 * exchange and queue, the remote-control ({@code pidbox}) broadcast exchange and each node's queue, the reply
 * exchange and a client's reply queue, and the event exchange with a receiver's queue.
 *
 * <p>Static and stateless; every method returns a new immutable declaration.
 */
public final class CeleryTopology {

    /** The default task exchange and queue name, {@code celery}. */
    public static final String DEFAULT_QUEUE = "celery";
    /** The broadcast exchange of remote control, {@code celery.pidbox} (fanout, not durable). */
    public static final String PIDBOX_EXCHANGE = "celery.pidbox";
    /** The reply exchange of remote control, {@code reply.celery.pidbox} (direct, not durable). */
    public static final String REPLY_EXCHANGE = "reply.celery.pidbox";
    /** The event exchange, {@code celeryev} (topic, durable). */
    public static final String EVENT_EXCHANGE = "celeryev";

    /** Celery's {@code control_queue_expires}: 10 s. */
    public static final Duration CONTROL_QUEUE_EXPIRES = Duration.ofSeconds(10);
    /** Celery's {@code control_queue_ttl}: 300 s. */
    public static final Duration CONTROL_QUEUE_TTL = Duration.ofSeconds(300);
    /** Celery's {@code event_queue_expires}: 60 s. */
    public static final Duration EVENT_QUEUE_EXPIRES = Duration.ofSeconds(60);
    /** Celery's {@code event_queue_ttl}: 5 s. */
    public static final Duration EVENT_QUEUE_TTL = Duration.ofSeconds(5);

    private CeleryTopology() {
    }

    /**
     * A task exchange: direct and durable, as {@code task_queues} declares it ({@code celery} by default).
     *
     * @param name the exchange name
     * @return the declaration
     */
    public static ExchangeSpec taskExchange(String name) {
        return ExchangeSpec.direct(name);
    }

    /**
     * A task queue: durable, not exclusive, not auto-delete, no arguments.
     *
     * @param name the queue name
     * @return the declaration
     */
    public static QueueSpec taskQueue(String name) {
        return QueueSpec.durable(name);
    }

    /**
     * The binding of a task queue to its exchange of the same name, with its name as key
     * ({@code queue.bind celery → celery 'celery'}).
     *
     * @param name the queue (and exchange) name
     * @return the binding
     */
    public static Binding taskBinding(String name) {
        return Binding.of(name, name, name);
    }

    /**
     * The remote-control broadcast exchange {@code celery.pidbox}: fanout, not durable, not auto-delete.
     *
     * @return the declaration
     */
    public static ExchangeSpec pidboxExchange() {
        return new ExchangeSpec(PIDBOX_EXCHANGE, ExchangeType.FANOUT, false, false, Map.of());
    }

    /**
     * A worker's remote-control queue {@code <nodename>.celery.pidbox}: auto-delete with Celery's
     * {@code x-expires} 10000 and {@code x-message-ttl} 300000.
     *
     * @param nodename the worker's node name, e.g. {@code worker1@host}
     * @return the declaration
     */
    public static QueueSpec pidboxQueue(String nodename) {
        return QueueSpec.autoDelete(nodename + "." + PIDBOX_EXCHANGE)
                .withExpires(CONTROL_QUEUE_EXPIRES).withMessageTtl(CONTROL_QUEUE_TTL);
    }

    /**
     * The binding of a worker's remote-control queue to {@code celery.pidbox} (routing key {@code ""}).
     *
     * @param nodename the worker's node name
     * @return the binding
     */
    public static Binding pidboxBinding(String nodename) {
        return Binding.of(nodename + "." + PIDBOX_EXCHANGE, PIDBOX_EXCHANGE, "");
    }

    /**
     * The reply exchange {@code reply.celery.pidbox}: direct, not durable, not auto-delete.
     *
     * @return the declaration
     */
    public static ExchangeSpec replyExchange() {
        return new ExchangeSpec(REPLY_EXCHANGE, ExchangeType.DIRECT, false, false, Map.of());
    }

    /**
     * A client's reply queue {@code <oid>.reply.celery.pidbox}: auto-delete with {@code x-expires} 10000 and
     * {@code x-message-ttl} 300000.
     *
     * @param oid the client's id (the replies' routing key)
     * @return the declaration
     */
    public static QueueSpec replyQueue(String oid) {
        return QueueSpec.autoDelete(oid + "." + REPLY_EXCHANGE)
                .withExpires(CONTROL_QUEUE_EXPIRES).withMessageTtl(CONTROL_QUEUE_TTL);
    }

    /**
     * The binding of a reply queue to {@code reply.celery.pidbox} with the client's id as key.
     *
     * @param oid the client's id
     * @return the binding
     */
    public static Binding replyBinding(String oid) {
        return Binding.of(oid + "." + REPLY_EXCHANGE, REPLY_EXCHANGE, oid);
    }

    /**
     * The event exchange {@code celeryev}: topic and durable.
     *
     * @return the declaration
     */
    public static ExchangeSpec eventExchange() {
        return ExchangeSpec.topic(EVENT_EXCHANGE);
    }

    /**
     * An event receiver's queue {@code celeryev.<id>}: auto-delete and exclusive, with {@code x-expires} 60000
     * and {@code x-message-ttl} 5000.
     *
     * @param id a fresh uuid
     * @return the declaration
     */
    public static QueueSpec eventQueue(String id) {
        return QueueSpec.autoDelete(EVENT_EXCHANGE + "." + id).withExclusive(true)
                .withExpires(EVENT_QUEUE_EXPIRES).withMessageTtl(EVENT_QUEUE_TTL);
    }

    /**
     * The routing key of an event as Celery publishes it: the type with {@code -} turned into {@code .}
     * ({@code worker-heartbeat} → {@code worker.heartbeat}).
     *
     * @param eventType the event type
     * @return the routing key
     */
    public static String eventRoutingKey(String eventType) {
        return eventType.replace('-', '.');
    }
}
