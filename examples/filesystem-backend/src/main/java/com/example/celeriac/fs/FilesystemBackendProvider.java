package com.example.celeriac.fs;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens Celery's filesystem result backend: {@code file:///shared/dir} (also {@code file://localhost/dir}).
 */
public final class FilesystemBackendProvider implements BackendProvider {

    /** Creates the provider (no I/O). */
    public FilesystemBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public String description() {
        return "Celery's filesystem result backend: one file per result in a shared directory";
    }

    @Override
    public Backend open(BackendUrl url, BackendOptions options) {
        return new FilesystemBackend(url, options);
    }
}
