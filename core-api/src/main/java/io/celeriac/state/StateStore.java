package io.celeriac.state;

/**
 * Persists a worker's {@link WorkerState} between restarts, in the shape of Celery's
 * {@code celery.worker.state.Persistent}: open, {@link #merge} once at start, {@link #sync} when the
 * state should be written, {@link #save} (sync then close) at exit.
 *
 * <p>Implementations keep Celery's semantics and do better: revokes made between syncs are not lost when
 * the process is killed, timestamps are wall-clock, concurrent openers get a clear error rather than
 * corruption, and the format is documented. Thread-safe.
 */
public interface StateStore extends AutoCloseable {

    /**
     * Loads the stored state into {@code worker}, as Celery does at start: the stored revokes are merged
     * into the worker's set (then purged with its limits) and the worker's clock is adjusted with the
     * stored value ({@code max(local, stored) + 1}), which is written back. From then on the store
     * follows the worker's revokes (implementations may journal them at once).
     *
     * @param worker the worker's live state
     */
    void merge(WorkerState worker);

    /**
     * Writes the worker's current state durably: the purged revokes and the clock after {@code forward()}.
     *
     * @param worker the worker's live state
     */
    void sync(WorkerState worker);

    /**
     * Syncs and closes, Celery's {@code save()} at exit.
     *
     * @param worker the worker's live state
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

    /** Releases the store (locks, connections). Closing twice does nothing. */
    @Override
    void close();
}
