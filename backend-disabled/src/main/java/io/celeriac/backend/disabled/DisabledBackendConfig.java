package io.celeriac.backend.disabled;

import io.celeriac.backend.BackendOptions;
import io.celeriac.url.BackendUrl;

import java.util.Objects;

/**
 * The configuration of {@code disabled://}, parsed by {@link #parse}: the URL and the options, kept so that the
 * backend describes itself as every backend does. It has no settings of its own; the options'
 * {@code result_expires} and {@code result_extended} are read by {@link BackendOptions#withUrlOverrides(BackendUrl)}
 * as for every backend, and refused with the same messages.
 *
 * <p>Immutable and thread-safe.
 */
public final class DisabledBackendConfig {

    private final BackendUrl url;
    private final BackendOptions options;

    private DisabledBackendConfig(BackendUrl url, BackendOptions options) {
        this.url = url;
        this.options = options;
    }

    /**
     * Parses {@code disabled://}.
     *
     * @param url {@code disabled://}
     * @param options the backend options
     * @return the configuration
     * @throws NullPointerException when an argument is null
     */
    public static DisabledBackendConfig parse(BackendUrl url, BackendOptions options) {
        return new DisabledBackendConfig(Objects.requireNonNull(url, "url"), Objects.requireNonNull(options, "options"));
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

    @Override
    public String toString() {
        return "DisabledBackendConfig[" + url.masked() + "]";
    }
}
