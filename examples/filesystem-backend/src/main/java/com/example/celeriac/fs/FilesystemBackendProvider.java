package com.example.celeriac.fs;

import com.example.celeriac.fs.internal.FilesystemBackend;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens Celery's filesystem result backend: {@code file:///shared/dir} (also {@code file://localhost/dir}).
 * Stateless and thread-safe; opening checks the directory.
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

    /**
     * Opens the backend on a directory.
     *
     * @param url {@code file:///dir}
     * @param options the options
     * @return the backend; the caller closes it
     * @throws io.celeriac.url.InvalidUrlException when the URL names another host or no directory
     * @throws io.celeriac.backend.BackendUnavailableException when the directory is missing or not writable
     */
    @Override
    public Backend open(BackendUrl url, BackendOptions options) {
        return new FilesystemBackend(FilesystemBackendConfig.parse(url, options));
    }
}
