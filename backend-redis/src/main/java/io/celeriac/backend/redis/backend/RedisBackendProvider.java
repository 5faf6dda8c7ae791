package io.celeriac.backend.redis.backend;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.redis.backend.internal.RedisBackend;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens Celery's Redis result backend for {@code redis://}, {@code rediss://} (TLS), {@code socket://} (unix
 * socket) and {@code sentinel://} URLs, exactly as Celery reads them; see {@link RedisBackendConfig} and
 * {@link io.celeriac.backend.redis.RedisConnectionConfig}.
 *
 * <p>Stateless and thread-safe; listed in {@code META-INF/services/io.celeriac.backend.spi.BackendProvider}.
 */
public final class RedisBackendProvider implements BackendProvider {

    /** Creates the provider; it does no I/O. */
    public RedisBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss", "socket", "sentinel");
    }

    @Override
    public String description() {
        return "Celery's Redis result backend (Jedis): TCP, TLS, unix socket and sentinel";
    }

    /**
     * Opens a backend.
     *
     * @param url the URL
     * @param options the options, with the URL's overrides applied
     * @return the backend; close it
     * @throws io.celeriac.url.InvalidUrlException listing every problem of the URL
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     * @throws io.celeriac.backend.BackendUnavailableException when no sentinel answers
     */
    @Override
    public Backend open(BackendUrl url, BackendOptions options) {
        return new RedisBackend(RedisBackendConfig.parse(url, options));
    }
}
