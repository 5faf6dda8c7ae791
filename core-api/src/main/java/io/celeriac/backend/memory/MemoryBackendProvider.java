package io.celeriac.backend.memory;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens {@code memory://} backends (also {@code cache+memory://}, Celery's spelling).
 *
 * <p>{@code memory://} alone gives a private store; {@code memory://name} gives a store shared by every
 * backend of this JVM opened with the same name while at least one of them is open.
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

    @Override
    public Backend open(BackendUrl url, BackendOptions options) {
        return new MemoryBackend(url, options);
    }
}
