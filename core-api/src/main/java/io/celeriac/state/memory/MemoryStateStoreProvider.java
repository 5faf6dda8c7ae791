package io.celeriac.state.memory;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.memory.internal.MemoryStateStore;
import io.celeriac.state.spi.StateStoreProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens {@code memory://name} state stores: the in-process reference implementation of the
 * {@link StateStore} contract, for tests and examples.
 *
 * <p>The state of {@code memory://name} lives for the JVM's lifetime (or until {@link #forget}), shared by
 * every store opened with that name, so closing a store and opening another is a "restart". Several stores
 * may follow workers on one name at once ({@link io.celeriac.state.StateStoreCapability#SHARED}). Nothing
 * survives the JVM: use {@code file:} for a real worker. Settings: see {@link MemoryStateStoreConfig}.
 * Stateless and thread-safe.
 */
public final class MemoryStateStoreProvider implements StateStoreProvider {

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
     * @param options the options; the setting {@code shutdown_hook} ({@code true} by default) turns the
     *                save at JVM exit off when {@code false}
     * @return the store
     * @throws InvalidConfigurationException when the URL names no store or a setting has a bad value
     */
    @Override
    public StateStore open(BackendUrl url, StateStoreOptions options) {
        return new MemoryStateStore(MemoryStateStoreConfig.parse(url, options));
    }

    /**
     * Drops the state kept under a name.
     *
     * @param name the name of {@code memory://name}
     */
    public static void forget(String name) {
        MemoryStateStore.forget(name);
    }
}
