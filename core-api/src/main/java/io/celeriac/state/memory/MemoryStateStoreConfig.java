package io.celeriac.state.memory;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.spi.SettingsReader;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.url.BackendUrl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of a {@code memory://name} state store, parsed once from its URL and options by
 * {@link #parse}.
 *
 * <p>Setting, given as a {@link StateStoreOptions} property or as a query parameter (which wins), read as
 * every celeriac setting is ({@link SettingsReader}): {@value #SHUTDOWN_HOOK} ({@code true} by default; save
 * at JVM exit, as Celery's atexit). Other properties and parameters are ignored.
 *
 * <p>Immutable and thread-safe.
 */
public final class MemoryStateStoreConfig {

    /** Setting: {@code true} or {@code false}. */
    public static final String SHUTDOWN_HOOK = "shutdown_hook";

    private final String name;
    private final boolean shutdownHook;

    private MemoryStateStoreConfig(String name, boolean shutdownHook) {
        this.name = name;
        this.shutdownHook = shutdownHook;
    }

    /**
     * Parses {@code memory://name}.
     *
     * @param url {@code memory://name}, optionally with settings
     * @param options the options; their properties give settings the URL does not
     * @return the configuration
     * @throws InvalidConfigurationException listing every problem: no name, a bad value
     * @throws NullPointerException when an argument is null
     */
    public static MemoryStateStoreConfig parse(BackendUrl url, StateStoreOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        Map<String, String> settings = new LinkedHashMap<>();
        options.property(SHUTDOWN_HOOK).ifPresent(v -> settings.put(SHUTDOWN_HOOK, v));
        url.param(SHUTDOWN_HOOK).ifPresent(v -> settings.put(SHUTDOWN_HOOK, v));
        SettingsReader r = new SettingsReader(settings);
        String name = url.host();
        if (name == null || name.isBlank()) {
            r.problem("memory:// needs a name, as in memory://worker1, so that a restarted store finds the state");
        }
        boolean hook = r.bool(SHUTDOWN_HOOK, true);
        r.validate("Invalid state store URL " + url.masked());
        return new MemoryStateStoreConfig(name, hook);
    }

    /**
     * The name the state is kept under: the host of {@code memory://name}.
     *
     * @return the name, never blank
     */
    public String name() {
        return name;
    }

    /**
     * Whether the store saves at JVM exit.
     *
     * @return {@code true} by default
     */
    public boolean shutdownHook() {
        return shutdownHook;
    }

    @Override
    public String toString() {
        return "MemoryStateStoreConfig[name=" + name + ", shutdownHook=" + shutdownHook + "]";
    }
}
