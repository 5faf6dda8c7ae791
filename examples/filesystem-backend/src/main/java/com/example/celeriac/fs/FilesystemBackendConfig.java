package com.example.celeriac.fs;

import io.celeriac.backend.BackendOptions;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The configuration of the filesystem backend, parsed once from its URL and options by {@link #parse}: the
 * directory of {@code file:///dir} (also {@code file://localhost/dir}). It has no settings of its own; the
 * options' {@code result_expires} and {@code result_extended} are read by celeriac for every backend.
 *
 * <p>Immutable and thread-safe.
 */
public final class FilesystemBackendConfig {

    private final BackendUrl url;
    private final BackendOptions options;
    private final Path directory;

    private FilesystemBackendConfig(BackendUrl url, BackendOptions options, Path directory) {
        this.url = url;
        this.options = options;
        this.directory = directory;
    }

    /**
     * Parses {@code file:///dir}; every problem is collected and reported at once.
     *
     * @param url {@code file:///dir} or {@code file://localhost/dir}
     * @param options the backend options
     * @return the configuration
     * @throws InvalidUrlException when the URL names another host or no directory
     */
    public static FilesystemBackendConfig parse(BackendUrl url, BackendOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        SettingsReader r = url.settings();
        if (url.host() != null && !url.host().equals("localhost")) {
            r.problem("a file:// URL names a local directory: file:///path or file://localhost/path");
        }
        Path directory = null;
        if (url.path().isEmpty() || url.path().equals("/")) {
            r.problem("You need to configure a path for the file-system backend, as in file:///var/celery/results");
        } else {
            try {
                directory = Path.of(url.path());
            } catch (InvalidPathException e) {
                r.problem("the path is not a valid directory name: " + e.getReason());
            }
        }
        if (!r.problems().isEmpty()) {
            throw InvalidUrlException.of(url, r.problems());
        }
        return new FilesystemBackendConfig(url, options, directory);
    }

    /**
     * The URL.
     *
     * @return the URL
     */
    public BackendUrl url() {
        return url;
    }

    /**
     * The backend options.
     *
     * @return the options
     */
    public BackendOptions options() {
        return options;
    }

    /**
     * The directory results are stored in.
     *
     * @return the directory
     */
    public Path directory() {
        return directory;
    }

    @Override
    public String toString() {
        return "FilesystemBackendConfig[" + url.masked() + "]";
    }
}
