package io.celeriac.statedb.file;

import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.spi.StateStoreProvider;
import io.celeriac.statedb.file.internal.FileStateStore;
import io.celeriac.url.BackendUrl;

import java.util.Objects;
import java.util.Set;

/**
 * Opens {@code file:} state stores, Celery's {@code --statedb} made crash-safe: {@code file:///path} and
 * plain paths, with Celery's placeholders {@code %h %n %d %p %i %I %%} expanded from the options' node name
 * and pool index.
 *
 * <pre>{@code
 * StateStore store = Celeriac.discover().openStateStore("/var/run/celery/%n.state",
 *         StateStoreOptions.builder().nodeName("worker1@example.com").build());
 * }</pre>
 *
 * <p>The store keeps a checksummed snapshot at the path, a journal beside it ({@code path.journal.N}) that
 * makes every revoke durable before {@code add} returns, and an exclusive lock ({@code path.lock}). See
 * {@link FileStateStoreConfig} for the settings and {@code FORMAT.md} for the files. Stateless and
 * thread-safe; opening does the I/O.
 */
public final class FileStateStoreProvider implements StateStoreProvider {

    /** Creates the provider; it does no I/O. */
    public FileStateStoreProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of(BackendUrl.FILE_SCHEME);
    }

    @Override
    public String description() {
        return "worker state in a journaled, checksummed local file (Celery's --statedb, crash-safe)";
    }

    /**
     * Opens a state file.
     *
     * @param url {@code file:///path} or a plain path
     * @param options the worker's node name, pool index and {@link FileStateStoreConfig} properties
     * @return the store, locked and recovered; the caller closes it
     * @throws io.celeriac.InvalidConfigurationException for a bad placeholder, parameter or value
     * @throws io.celeriac.state.StateStoreLockedException when another store or process holds the file
     * @throws io.celeriac.state.CorruptStateException when the stored state fails its checks
     * @throws io.celeriac.state.UnableToOpenStateStoreException for a missing directory, no permission or an I/O error
     */
    @Override
    public StateStore open(BackendUrl url, StateStoreOptions options) {
        return new FileStateStore(FileStateStoreConfig.parse(url, options));
    }

    /**
     * Opens a state file from a configuration built in code.
     *
     * @param config the configuration
     * @return the store, locked and recovered; the caller closes it
     * @throws io.celeriac.state.StateStoreLockedException when another store or process holds the file
     * @throws io.celeriac.state.CorruptStateException when the stored state fails its checks
     * @throws io.celeriac.state.UnableToOpenStateStoreException for a missing directory, no permission or an I/O error
     */
    public static StateStore open(FileStateStoreConfig config) {
        return new FileStateStore(Objects.requireNonNull(config, "config"));
    }
}
