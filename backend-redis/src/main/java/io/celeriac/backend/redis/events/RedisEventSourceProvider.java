package io.celeriac.backend.redis.events;

import io.celeriac.backend.redis.events.internal.RedisEventSource;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.events.spi.EventSourceProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens Redis event sources on {@code redis://}, {@code rediss://} (TLS), {@code socket://} (unix socket) and
 * {@code sentinel://} broker URLs: Celery's events on kombu's Redis transport; the settings are those of
 * {@link RedisEventSourceConfig}.
 *
 * <p>Stateless and thread-safe; listed in {@code META-INF/services/io.celeriac.events.spi.EventSourceProvider}.
 */
public final class RedisEventSourceProvider implements EventSourceProvider {

    /** Creates the provider; it does no I/O. */
    public RedisEventSourceProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss", "socket", "sentinel");
    }

    @Override
    public String description() {
        return "Celery's events on a Redis broker (kombu's fanout pub/sub): TCP, TLS, unix socket and sentinel";
    }

    /**
     * Opens a source; it connects when started.
     *
     * @param url the broker URL
     * @param options connection settings and kombu's transport options ({@code fanout_prefix},
     *                {@code fanout_patterns}, {@code global_keyprefix})
     * @return the source; close it
     * @throws io.celeriac.url.InvalidUrlException listing every problem of the URL and options
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     * @throws io.celeriac.ServiceUnavailableException when no sentinel answers
     */
    @Override
    public EventSource open(BackendUrl url, EventSourceOptions options) {
        return new RedisEventSource(RedisEventSourceConfig.parse(url, options));
    }
}
