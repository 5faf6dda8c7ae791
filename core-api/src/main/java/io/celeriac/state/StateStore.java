package io.celeriac.state;

import java.util.Optional;
import java.util.Set;

/**
 * Keeps a worker's {@link WorkerState} (revoked ids and Lamport clock) between restarts, in the shape of
 * Celery's {@code celery.worker.state.Persistent} ({@code --statedb}): opened by a provider, then
 * {@link #merge} once at start, {@link #sync} whenever the state should be written in full,
 * {@link #save} (sync then close) at exit.
 *
 * <pre>{@code
 * WorkerState worker = WorkerState.withCeleryDefaults();
 * StateStore store = Celeriac.discover().openStateStore("/var/run/celery/%n.state", options);
 * store.merge(worker);                 // stored revokes merged, clock adjusted; a save at JVM exit is registered
 * worker.revoked().add(taskId);        // durable when add returns
 * ...
 * store.save(worker);                  // or let the shutdown hook do it
 * }</pre>
 *
 * <p><b>What every store guarantees</b> (the conformance kit checks it):
 * <ul>
 *   <li>Celery's semantics: merge adds the stored revokes to the worker's set, purges it with the worker's
 *       limits, and adjusts the worker's clock with the stored value ({@code max(local, stored) + 1}),
 *       which is written back; sync purges, forwards the clock and writes both.</li>
 *   <li>From merge until close, every change of the worker's revoked set is durable when the call that made
 *       it returns ({@link RevokedSet#add} blocks until then or throws {@link UnableToSaveStateException}),
 *       and every clock value handed out stays at or below a stored value, so a process killed at any
 *       moment loses no acknowledged revoke and restarts with a clock above every value it handed out.
 *       {@link #close} without {@link #sync} therefore loses nothing.</li>
 *   <li>Merge registers a JVM shutdown hook that saves on a normal exit, as Celery's {@code atexit}; close
 *       removes it.</li>
 *   <li>Corrupt stored state is refused with {@link CorruptStateException}, never silently overwritten.</li>
 * </ul>
 *
 * <p>Thread-safe: revokes and clock steps from any threads may run during {@link #sync}. One store follows
 * one worker: merge binds it, and sync and save accept only that worker.
 */
public interface StateStore extends AutoCloseable {

    /**
     * Loads the stored state into {@code worker}, as Celery does at start, and from then on follows it:
     * the stored revokes are merged into the worker's set (then purged with its limits), the worker's
     * clock is adjusted with the stored value ({@code max(local, stored) + 1}) and that value is written
     * back, and every later change of the set and the clock is persisted (see the class documentation).
     *
     * @param worker the worker's live state
     * @throws IllegalStateException when this store merged already, or the worker is followed by another store
     * @throws CorruptStateException when the stored state fails its checks (nothing is merged)
     * @throws StateStoreClosedException after {@link #close}
     * @throws UnableToSaveStateException when the adjusted clock cannot be written back
     */
    void merge(WorkerState worker);

    /**
     * Writes the worker's whole state durably, as Celery's {@code sync}: purges the revoked set, forwards
     * the clock and stores both. Revokes may continue on other threads meanwhile; none is lost.
     *
     * @param worker the worker this store merged
     * @throws IllegalStateException before {@link #merge}, or for a worker other than the merged one
     * @throws StateStoreClosedException after {@link #close}
     * @throws UnableToSaveStateException when the state cannot be written (what was durable stays so)
     */
    void sync(WorkerState worker);

    /**
     * Syncs and closes, Celery's {@code save()} at exit. The store stops following the worker first, so the
     * stored clock is exactly the value it synced.
     *
     * @param worker the worker this store merged
     * @throws IllegalStateException before {@link #merge}, or for a worker other than the merged one
     * @throws StateStoreClosedException after {@link #close}
     * @throws UnableToSaveStateException when the final sync fails; the store is closed anyway and what was
     *         durable stays so
     */
    default void save(WorkerState worker) {
        try {
            sync(worker);
        } finally {
            close();
        }
    }

    /**
     * Where the state is kept, with any password masked.
     *
     * @return a description such as a file path or masked URL
     */
    String location();

    /**
     * How this store behaves where stores differ.
     *
     * @return the declared capabilities, never null
     */
    Set<StateStoreCapability> capabilities();

    /**
     * Whether this store declares a capability.
     *
     * @param capability the capability
     * @return {@code true} when declared
     */
    default boolean supports(StateStoreCapability capability) {
        return capabilities().contains(capability);
    }

    /**
     * The action registered to run at JVM shutdown while this store follows a worker (Celery's
     * {@code atexit} save): running it saves the worker and closes the store. Empty before merge, after
     * close, or when the store was opened with its shutdown hook turned off. Exposed so that tests can
     * simulate a normal exit; applications need not call it.
     *
     * @return the registered action, if any
     */
    default Optional<Runnable> shutdownAction() {
        return Optional.empty();
    }

    /**
     * Stops following the worker and releases the store (locks, files, connections), removing the shutdown
     * hook. Nothing acknowledged is lost: the next merge sees every revoke and a clock above every value
     * handed out. Closing twice does nothing.
     *
     * @throws UnableToSaveStateException when the final bookkeeping write fails; the store is released anyway
     */
    @Override
    void close();
}
