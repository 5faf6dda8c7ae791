package io.celeriac.backend.amqp.broker;

import io.celeriac.backend.amqp.AmqpConnectionConfig;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.spi.BrokerProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens RabbitMQ brokers for {@code amqp://}, {@code amqps://}, {@code pyamqp://} and {@code librabbitmq://}
 * (kombu's pyamqp transport; librabbitmq is read as AMQP). Stateless and thread-safe; listed in
 * {@code META-INF/services/io.celeriac.broker.spi.BrokerProvider}.
 */
public final class AmqpBrokerProvider implements BrokerProvider {

    /** Creates the provider; no I/O. */
    public AmqpBrokerProvider() {
    }

    @Override
    public Set<String> schemes() {
        return AmqpConnectionConfig.SCHEMES;
    }

    @Override
    public String description() {
        return "RabbitMQ broker (kombu's pyamqp transport, publisher confirms)";
    }

    @Override
    public Broker open(BackendUrl url, BrokerOptions options) {
        return new io.celeriac.backend.amqp.broker.internal.AmqpBroker(AmqpBrokerConfig.parse(url, options));
    }
}
