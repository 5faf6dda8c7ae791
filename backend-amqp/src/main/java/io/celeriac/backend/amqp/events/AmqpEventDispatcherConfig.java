package io.celeriac.backend.amqp.events;

import io.celeriac.backend.amqp.AmqpConnectionConfig;
import io.celeriac.backend.amqp.broker.AmqpBrokerConfig;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.url.BackendUrl;

/**
 * The configuration of an {@link AmqpEventDispatcher}, parsed once by {@link #parse}: how to reach the broker (the
 * module's shared {@link AmqpConnectionConfig}, with the broker's own settings of {@link AmqpBrokerConfig}, such
 * as {@code confirm_timeout}) and the event exchange ({@code event_exchange}, Celery's setting, {@code celeryev}).
 * The source's settings of {@link AmqpEventSourceConfig} are accepted and checked, so that one URL means the same
 * to a source and a dispatcher. Every value is read with {@link io.celeriac.spi.SettingsReader}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows no password.
 */
public final class AmqpEventDispatcherConfig {

    private final BackendUrl url;
    private final EventSettings.Values values;

    private AmqpEventDispatcherConfig(BackendUrl url, EventSettings.Values values) {
        this.url = url;
        this.values = values;
    }

    /**
     * Reads the connection and the event settings.
     *
     * @param url an {@code amqp://}, {@code amqps://}, {@code pyamqp://} or {@code librabbitmq://} broker URL
     * @param options properties; the URL's query parameters override them
     * @return the configuration
     * @throws io.celeriac.InvalidConfigurationException listing every problem, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static AmqpEventDispatcherConfig parse(BackendUrl url, EventSourceOptions options) {
        return new AmqpEventDispatcherConfig(url, EventSettings.parse(url, options));
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

    /** @return the settings of the broker connection the dispatcher publishes through */
    public AmqpBrokerConfig broker() {
        return values.broker();
    }

    /** @return the event exchange, {@code celeryev} by default */
    public String exchange() {
        return values.exchange();
    }

    /** @return the broker URI with the password masked */
    public String masked() {
        return values.connection().masked();
    }

    @Override
    public String toString() {
        return "AmqpEventDispatcherConfig[" + values.connection() + ", exchange=" + exchange() + "]";
    }
}
