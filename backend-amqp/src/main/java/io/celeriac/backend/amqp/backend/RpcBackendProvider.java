package io.celeriac.backend.amqp.backend;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.amqp.backend.internal.RpcBackend;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens Celery's {@code rpc://} result backend: results travel as messages through RabbitMQ to the reply queue of
 * the process that sent the task (see {@link RpcBackendConfig} for the URL forms and settings).
 *
 * <p>Stateless and thread-safe; listed in {@code META-INF/services/io.celeriac.backend.spi.BackendProvider}.
 */
public final class RpcBackendProvider implements BackendProvider {

    /** Creates the provider; it does no I/O. */
    public RpcBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("rpc");
    }

    @Override
    public String description() {
        return "Celery's rpc:// result backend (results as messages to the client's reply queue on RabbitMQ)";
    }

    /**
     * Opens a backend: connects, declares this process's reply queue and starts consuming it.
     *
     * @param url the URL
     * @param options the options, with the URL's overrides applied
     * @return the backend; close it
     * @throws io.celeriac.url.InvalidUrlException listing every problem of the URL and settings
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     * @throws io.celeriac.backend.BackendUnavailableException when RabbitMQ cannot be reached
     */
    @Override
    public Backend open(BackendUrl url, BackendOptions options) {
        return new RpcBackend(RpcBackendConfig.parse(url, options));
    }
}
