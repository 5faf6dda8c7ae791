package io.celeriac.backend.amqp.events;

import io.celeriac.backend.amqp.AmqpConnectionConfig;
import io.celeriac.backend.amqp.broker.AmqpBrokerConfig;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.url.BackendUrl;

import java.time.Duration;
import java.util.List;

/**
 * The configuration of a RabbitMQ event source, parsed once by {@link #parse}: how to reach the broker (the
 * module's shared {@link AmqpConnectionConfig}, with the broker's own settings of {@link AmqpBrokerConfig}) and
 * Celery's event settings, given as query parameters of the URL (which win) or as properties of the
 * {@link EventSourceOptions}:
 * <ul>
 *   <li>{@code event_exchange}: the topic exchange events are published on, Celery's {@code event_exchange}
 *       ({@code celeryev});</li>
 *   <li>{@code event_queue_prefix}: the receiver's queue is {@code <prefix>.<uuid4>}, Celery's
 *       {@code event_queue_prefix} ({@code celeryev});</li>
 *   <li>{@code event_queue_ttl}: seconds an event may wait in the receiver's queue ({@code x-message-ttl}),
 *       Celery's {@code event_queue_ttl} (5.0; 0 = delivered at once or dropped);</li>
 *   <li>{@code event_queue_expires}: seconds the queue outlives its consumer ({@code x-expires}), Celery's
 *       {@code event_queue_expires} (60.0);</li>
 *   <li>{@code routing_key}: the binding keys, comma-separated ({@code #}, every event, as {@code celery events};
 *       {@code worker.#} for the worker events only); an event type such as {@code worker-heartbeat} is read as
 *       its routing key {@code worker.heartbeat}. A worker sends its task events in {@code task.multi}
 *       batches: bind {@code task.#} or {@code task.multi} to get them;</li>
 *   <li>{@code wakeup}: {@code true} (default, as {@code EventReceiver.capture}) broadcasts Celery's
 *       remote-control {@code heartbeat} once the source first receives, so that every worker answers with a
 *       worker-heartbeat at once.</li>
 * </ul>
 * Every setting of {@link AmqpConnectionConfig} applies (failover, heartbeat, TLS, ...), and the broker's settings
 * are accepted so that one {@code broker_url} serves every area. Every value is read with
 * {@link io.celeriac.spi.SettingsReader}; an unknown setting is a problem, reported with the others.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows no password.
 */
public final class AmqpEventSourceConfig {

    private final BackendUrl url;
    private final EventSettings.Values values;

    private AmqpEventSourceConfig(BackendUrl url, EventSettings.Values values) {
        this.url = url;
        this.values = values;
    }

    /**
     * Reads the connection and the event settings.
     *
     * @param url an {@code amqp://}, {@code amqps://}, {@code pyamqp://} or {@code librabbitmq://} broker URL (a
     *            {@code ;}-separated failover list is allowed)
     * @param options properties; the URL's query parameters override them
     * @return the configuration
     * @throws io.celeriac.InvalidConfigurationException listing every problem, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static AmqpEventSourceConfig parse(BackendUrl url, EventSourceOptions options) {
        return new AmqpEventSourceConfig(url, EventSettings.parse(url, options));
    }

    /**
     * The broker URL. <b>It may hold a password: use {@link #masked()} in text.</b>
     *
     * @return the URL
     */
    public BackendUrl url() {
        return url;
    }

    /** @return how the broker is reached */
    public AmqpConnectionConfig connection() {
        return values.connection();
    }

    /** @return the settings of the broker connection the source works through */
    public AmqpBrokerConfig broker() {
        return values.broker();
    }

    /** @return the event exchange, {@code celeryev} by default */
    public String exchange() {
        return values.exchange();
    }

    /** @return the prefix of the receiver's queue name, {@code celeryev} by default */
    public String queuePrefix() {
        return values.queuePrefix();
    }

    /** @return the receiver queue's {@code x-message-ttl} */
    public Duration queueTtl() {
        return values.queueTtl();
    }

    /** @return the receiver queue's {@code x-expires} */
    public Duration queueExpires() {
        return values.queueExpires();
    }

    /** @return the binding keys, {@code [#]} by default */
    public List<String> routingKeys() {
        return values.routingKeys();
    }

    /** @return whether the source wakes the workers up once it receives */
    public boolean wakeup() {
        return values.wakeup();
    }

    /** @return the broker URI with the password masked, e.g. {@code amqp://guest:**@127.0.0.1:5672//} */
    public String masked() {
        return values.connection().masked();
    }

    @Override
    public String toString() {
        return "AmqpEventSourceConfig[" + values.connection() + ", exchange=" + exchange() + ", queue=" + queuePrefix()
                + ".<uuid>, ttl=" + queueTtl().toMillis() + "ms, expires=" + queueExpires().toMillis()
                + "ms, routingKeys=" + routingKeys() + ", wakeup=" + wakeup() + "]";
    }
}
