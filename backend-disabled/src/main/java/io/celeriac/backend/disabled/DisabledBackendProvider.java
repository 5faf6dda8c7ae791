package io.celeriac.backend.disabled;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.disabled.internal.DisabledBackend;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens {@code disabled://}, Celery's backend for applications that keep no results: storing a result is a
 * silent no-op; every read, wait, group, chord, forget, cleanup or scan raises {@link DisabledBackendException},
 * which says how to configure a backend. Stateless and thread-safe.
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

    /**
     * Opens {@code disabled://}.
     *
     * @param url {@code disabled://}
     * @param options the options (kept, not used)
     * @return the backend; the caller closes it
     */
    @Override
    public Backend open(BackendUrl url, BackendOptions options) {
        return new DisabledBackend(DisabledBackendConfig.parse(url, options));
    }
}
