package io.celeriac.backend.memory;

import io.celeriac.backend.BackendOptions;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.util.Objects;
import java.util.Optional;

/**
 * The configuration of a {@code memory://} backend, parsed once from its URL and options by {@link #parse}.
 *
 * <p>{@code memory://} alone names a private store; {@code memory://name} (host and path) a store shared by
 * every backend of this JVM opened with the same name. Setting, as a query parameter:
 * {@code global_keyprefix} (any text; Celery 5.3's prefix of every key). The options' {@code result_expires}
 * and {@code result_extended} are read by {@link BackendOptions#withUrlOverrides(BackendUrl)}, as for every
 * backend.
 *
 * <p>Immutable and thread-safe.
 */
public final class MemoryBackendConfig {

    /** Query parameter: Celery 5.3's {@code global_keyprefix}. */
    public static final String GLOBAL_KEYPREFIX = "global_keyprefix";

    private final BackendUrl url;
    private final BackendOptions options;
    private final String storeName;
    private final String globalKeyprefix;

    private MemoryBackendConfig(BackendUrl url, BackendOptions options, String storeName, String globalKeyprefix) {
        this.url = url;
        this.options = options;
        this.storeName = storeName;
        this.globalKeyprefix = globalKeyprefix;
    }

    /**
     * Parses a {@code memory://} URL.
     *
     * @param url {@code memory://}, {@code memory://name} or {@code cache+memory://}, with optional settings
     * @param options the backend options (the caller has applied the URL's overrides)
     * @return the configuration
     * @throws InvalidUrlException listing every problem (none today: every value of its one setting is valid)
     * @throws NullPointerException when an argument is null
     */
    public static MemoryBackendConfig parse(BackendUrl url, BackendOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        SettingsReader r = url.settings();
        String prefix = r.string(GLOBAL_KEYPREFIX, null);
        if (!r.problems().isEmpty()) {
            throw InvalidUrlException.of(url, r.problems());
        }
        String name = url.host() == null ? "" : url.host() + url.path();
        return new MemoryBackendConfig(url, options, name.isEmpty() ? null : name, prefix);
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
     * The name of the shared store: host and path of {@code memory://name}.
     *
     * @return the name, or empty for a private store
     */
    public Optional<String> storeName() {
        return Optional.ofNullable(storeName);
    }

    /**
     * Celery 5.3's {@code global_keyprefix}, as written.
     *
     * @return the prefix, or empty for none
     */
    public Optional<String> globalKeyprefix() {
        return Optional.ofNullable(globalKeyprefix);
    }

    @Override
    public String toString() {
        return "MemoryBackendConfig[" + url.masked() + "]";
    }
}
