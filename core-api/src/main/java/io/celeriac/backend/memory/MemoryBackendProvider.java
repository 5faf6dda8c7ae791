package io.celeriac.backend.memory;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.memory.internal.MemoryBackend;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens {@code memory://} backends (also {@code cache+memory://}, Celery's spelling).
 *
 * <p>{@code memory://} alone gives a private store; {@code memory://name} gives a store shared by every
 * backend of this JVM opened with the same name while at least one of them is open. Settings: see
 * {@link MemoryBackendConfig}. Stateless and thread-safe.
 */
public final class MemoryBackendProvider implements BackendProvider {

    /** Creates the provider. */
    public MemoryBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("memory", "cache+memory");
    }

    @Override
    public String description() {
        return "in-process reference backend (results vanish with the JVM)";
    }

    /**
     * Opens a memory backend.
     *
     * @param url {@code memory://} or {@code memory://name}
     * @param options the options
     * @return the backend; the caller closes it
     * @throws io.celeriac.url.InvalidUrlException when a setting has a bad value
     */
    @Override
    public Backend open(BackendUrl url, BackendOptions options) {
        return new MemoryBackend(MemoryBackendConfig.parse(url, options));
    }
}
