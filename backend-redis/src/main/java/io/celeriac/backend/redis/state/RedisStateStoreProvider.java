package io.celeriac.backend.redis.state;

import io.celeriac.backend.redis.state.internal.RedisStateStore;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.spi.StateStoreProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens worker state stores in Redis for {@code redis://}, {@code rediss://} (TLS), {@code socket://} (unix
 * socket) and {@code sentinel://} URLs: Celery's {@code --statedb} kept in Redis and shared by the workers
 * (Celery issue #4886).
 *
 * <pre>{@code
 * StateStore store = Celeriac.discover().openStateStore("redis://redis:6379/0?state_name=billing&socket_timeout=5",
 *         StateStoreOptions.defaults());
 * }</pre>
 *
 * <p>The URL is read as every area of this module reads it ({@link io.celeriac.backend.redis.RedisConnectionConfig}),
 * plus the settings of {@link RedisStateStoreConfig}; {@link RedisStateStore} documents the keys and the
 * behaviour. Stateless and thread-safe; listed in
 * {@code META-INF/services/io.celeriac.state.spi.StateStoreProvider}; opening does the I/O.
 */
public final class RedisStateStoreProvider implements StateStoreProvider {

    /** Creates the provider; it does no I/O. */
    public RedisStateStoreProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss", "socket", "sentinel");
    }

    @Override
    public String description() {
        return "worker state (revoked ids, clock) in Redis, shared by the workers: TCP, TLS, unix socket and sentinel";
    }

    /**
     * Opens a store: connects and checks the stored state.
     *
     * @param url the Redis URL
     * @param options the worker's options; their properties may hold {@link RedisStateStoreConfig}'s settings
     *                and the Redis connection's
     * @return the store; the caller closes it
     * @throws io.celeriac.url.InvalidUrlException listing every problem of the URL and the settings
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     * @throws io.celeriac.state.UnableToOpenStateStoreException when Redis cannot be reached
     * @throws io.celeriac.state.CorruptStateException when a key of the state holds something else
     */
    @Override
    public StateStore open(BackendUrl url, StateStoreOptions options) {
        return new RedisStateStore(RedisStateStoreConfig.parse(url, options));
    }
}
