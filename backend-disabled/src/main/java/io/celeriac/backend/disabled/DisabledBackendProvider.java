package io.celeriac.backend.disabled;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens {@code disabled://}, Celery's backend for applications that keep no results.
 */
public final class DisabledBackendProvider implements BackendProvider {

    /** Creates the provider. */
    public DisabledBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("disabled");
    }

    @Override
    public String description() {
        return "no result backend: stores nothing, refuses reads (Celery's DisabledBackend)";
    }

    @Override
    public Backend open(BackendUrl url, BackendOptions options) {
        return new DisabledBackend(url, options);
    }
}
