package io.celeriac.tck;

import io.celeriac.state.CorruptStateException;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.tck.StateStoreContract.Corruption;

import java.util.List;
import java.util.Set;

/**
 * What a plugin gives {@link StateStoreContract}: a fresh, isolated location for one worker's state (its own
 * file, key prefix or table), from which stores can be opened again and again, as a worker restarting.
 *
 * <p>The kit creates one fixture per test, opens one or more stores on it (closing and reopening them to
 * "restart the worker"), closes those stores and then the fixture, which should remove the location. The kit
 * calls a fixture from the test's thread only.
 */
public interface StateStoreFixture extends AutoCloseable {

    /**
     * Opens a new store on this fixture's location with default settings (its shutdown hook enabled).
     * Called again after a close to "restart the worker".
     *
     * @return the store; the kit closes it
     */
    StateStore open();

    /**
     * The capabilities the store is expected to declare.
     *
     * @return the capabilities
     */
    Set<StateStoreCapability> capabilities();

    /**
     * Opens a store with the option that keeps corrupt state aside and starts from what is valid; needed
     * when {@link StateStoreCapability#KEEP_CORRUPT_ASIDE} is declared.
     *
     * @return the store; the kit closes it
     * @throws UnsupportedOperationException by default
     */
    default StateStore openKeepingCorruptAside() {
        throw new UnsupportedOperationException("this fixture cannot open a store that keeps corrupt state aside");
    }

    /**
     * Damages the state a closed (saved) store left at this location, as the kind says, in the place the
     * store reads first (a file store's snapshot file, a server store's stored value). A store must then
     * refuse to open or merge with {@link CorruptStateException} naming its location.
     *
     * @param kind how to damage it
     * @return {@code true} when done; {@code false} when this store's storage cannot be damaged this way
     *         (the test is then skipped, with a message)
     * @throws Exception when the storage cannot be reached
     */
    default boolean corrupt(Corruption kind) throws Exception {
        return false;
    }

    /**
     * The copies of corrupt state kept aside at this location so far (file names, keys), in a stable
     * order; used with {@link StateStoreCapability#KEEP_CORRUPT_ASIDE}.
     *
     * @return descriptions of the copies
     * @throws Exception when the storage cannot be reached
     */
    default List<String> keptAside() throws Exception {
        return List.of();
    }

    /**
     * Removes the location. The default does nothing.
     *
     * @throws Exception on failure
     */
    @Override
    default void close() throws Exception {
    }
}
