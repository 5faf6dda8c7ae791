package io.celeriac.tck;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;

import java.util.Set;

/**
 * What a plugin gives {@link BackendContract}: a fresh, isolated place to store results (its own key
 * prefix, database number, schema or directory) for one test, and the capabilities its backends declare.
 *
 * <p>The kit creates one fixture per test, opens one or more backends on it (all of them must see the
 * same results, as separate processes on one store would), closes those backends and then the fixture,
 * which should remove what the test stored.
 */
public interface BackendFixture extends AutoCloseable {

    /**
     * Opens a new backend on this fixture's isolated store.
     *
     * @param options the options the test needs (expiry, extended results, chord callback, ...)
     * @return a new backend; the kit closes it
     */
    Backend open(BackendOptions options);

    /**
     * The capabilities the backend is expected to declare. The kit checks the backend declares exactly
     * these, runs the tests of each, and checks every undeclared operation fails with the standard message.
     *
     * @return the expected capabilities
     */
    Set<BackendCapability> capabilities();

    /**
     * Removes what the test stored. The default does nothing.
     *
     * @throws Exception on failure
     */
    @Override
    default void close() throws Exception {
    }
}
