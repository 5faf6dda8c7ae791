package io.celeriac.state.memory;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.spi.StateStoreProvider;
import io.celeriac.url.BackendUrl;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Opens {@code memory://name} state stores: the in-process reference implementation of the
 * {@link StateStore} contract, for tests and examples.
 *
 * <p>The state of {@code memory://name} lives for the JVM's lifetime (or until {@link #forget}), shared by
 * every store opened with that name, so closing a store and opening another is a "restart". Several stores
 * may follow workers on one name at once ({@link io.celeriac.state.StateStoreCapability#SHARED}). Nothing
 * survives the JVM: use {@code file:} for a real worker. Thread-safe.
 */
public final class MemoryStateStoreProvider implements StateStoreProvider {

    private static final ConcurrentMap<String, MemoryStateStore.Area> AREAS = new ConcurrentHashMap<>();

    /** Creates the provider. */
    public MemoryStateStoreProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public String description() {
        return "in-process reference state store (the state vanishes with the JVM)";
    }

    /**
     * Opens a store on {@code memory://name}.
     *
     * @param url {@code memory://name}
     * @param options the options; the property {@code shutdown_hook} ({@code true} by default) turns the
     *                save at JVM exit off when {@code false}
     * @return the store
     * @throws InvalidConfigurationException when the URL names no store
     */
    @Override
    public StateStore open(BackendUrl url, StateStoreOptions options) {
        String name = url.host();
        if (name == null || name.isBlank()) {
            throw new InvalidConfigurationException("Invalid state store URL " + url.masked(),
                    List.of("memory:// needs a name, as in memory://worker1, so that a restarted store finds the state"));
        }
        boolean hook = !"false".equalsIgnoreCase(options.property("shutdown_hook").orElse("true").strip());
        return new MemoryStateStore("memory://" + name, AREAS.computeIfAbsent(name, n -> new MemoryStateStore.Area()), hook);
    }

    /**
     * Drops the state kept under a name.
     *
     * @param name the name of {@code memory://name}
     */
    public static void forget(String name) {
        AREAS.remove(name);
    }
}
