package io.celeriac.backend.amqp.events;

import io.celeriac.backend.amqp.AmqpConnectionConfig;
import io.celeriac.backend.amqp.events.internal.AmqpEventSource;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.events.spi.EventSourceProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens RabbitMQ event sources on {@code amqp://}, {@code amqps://}, {@code pyamqp://} and {@code librabbitmq://}
 * broker URLs: Celery's events on the {@code celeryev} topic exchange, received as Celery's {@code EventReceiver}
 * does; the settings are those of {@link AmqpEventSourceConfig}.
 *
 * <p>Stateless and thread-safe; listed in {@code META-INF/services/io.celeriac.events.spi.EventSourceProvider}.
 */
public final class AmqpEventSourceProvider implements EventSourceProvider {

    /** Creates the provider; it does no I/O. */
    public AmqpEventSourceProvider() {
    }

    @Override
    public Set<String> schemes() {
        return AmqpConnectionConfig.SCHEMES;
    }

    @Override
    public String description() {
        return "Celery's events on a RabbitMQ broker (the celeryev topic exchange, a celeryev.<uuid> queue)";
    }

    /**
     * Opens a source; it connects when started.
     *
     * @param url the broker URL
     * @param options connection settings and Celery's event settings (see {@link AmqpEventSourceConfig})
     * @return the source; close it
     * @throws io.celeriac.InvalidConfigurationException listing every problem of the URL and options, or when the
     *         TLS files cannot be used
     */
    @Override
    public EventSource open(BackendUrl url, EventSourceOptions options) {
        return new AmqpEventSource(AmqpEventSourceConfig.parse(url, options));
    }
}
