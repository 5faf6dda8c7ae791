package io.celeriac.state.spi;

/**
 * A request to write the worker's whole state, handed to {@link AbstractStateStore#writeSnapshot}.
 *
 * <p>The store calls {@link #capture()} exactly once, at the moment from which its snapshot must cover
 * every change: a journaling store first switches new changes to a fresh journal, then captures, so every
 * change is in the snapshot or in the new journal. Not thread-safe; used by one thread.
 */
public interface SnapshotRequest {

    /**
     * Purges the worker's revoked set, steps its clock as the kind of write requires (Celery's
     * {@code forward()} on a sync) and copies both.
     *
     * @return the captured state
     * @throws IllegalStateException when called twice
     */
    StateSnapshot capture();

    /**
     * Whether this is the final write of {@link io.celeriac.state.StateStore#save}: the store no longer
     * follows the worker, nothing will be journaled after it, and the captured clock is exactly the value
     * to store (no ceiling above it is needed).
     *
     * @return {@code true} for a save
     */
    boolean isFinal();

    /**
     * Whether this is a compaction the store asked for itself (see
     * {@link AbstractStateStore#tryCompact()}) rather than a user's sync; the clock is then not forwarded.
     *
     * @return {@code true} for a compaction
     */
    boolean isCompaction();
}
