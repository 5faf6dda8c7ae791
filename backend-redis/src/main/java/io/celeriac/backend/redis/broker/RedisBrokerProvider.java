package io.celeriac.backend.redis.broker;

import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.spi.BrokerProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens Redis brokers on {@code redis://}, {@code rediss://} (TLS), {@code socket://} (unix socket) and
 * {@code sentinel://} broker URLs: kombu's Redis transport (lists, {@code _kombu.binding.*} sets, fanout pub/sub,
 * {@code unacked} with the visibility timeout); the settings are those of {@link RedisBrokerConfig}.
 *
 * <p>Stateless and thread-safe; listed in {@code META-INF/services/io.celeriac.broker.spi.BrokerProvider}.
 */
public final class RedisBrokerProvider implements BrokerProvider {

    /** Creates the provider; it does no I/O. */
    public RedisBrokerProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss", "socket", "sentinel");
    }

    @Override
    public String description() {
        return "Redis broker (kombu's Redis transport): TCP, TLS, unix socket and sentinel";
    }

    /**
     * Opens a broker; it connects now.
     *
     * @param url the broker URL
     * @param options connection settings and kombu's broker transport options
     * @return the broker; close it
     * @throws io.celeriac.InvalidConfigurationException listing every problem of the URL and options
     * @throws io.celeriac.broker.BrokerUnavailableException when Redis cannot be reached
     */
    @Override
    public Broker open(BackendUrl url, BrokerOptions options) {
        return new io.celeriac.backend.redis.broker.internal.RedisBroker(RedisBrokerConfig.parse(url, options));
    }
}
