package io.celeriac.state.spi;

import io.celeriac.state.LamportClock;
import io.celeriac.state.Registration;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.StateStoreClosedException;
import io.celeriac.state.UnableToSaveStateException;
import io.celeriac.state.WorkerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lifecycle every {@link StateStore} shares, so that a plugin implements only its storage: merge,
 * sync, save and close with Celery's semantics; following the worker's revoked set (a
 * {@link RevokedSet.OrderedListener}) and clock (a {@link LamportClock.Guard}); the JVM shutdown hook; the checks
 * that one store follows one worker.
 *
 * <p>A subclass implements (and may override {@link #enqueueAdded} and its siblings to store concurrent
 * changes in the exact order they took effect, as the file store's journal does):
 * <ul>
 *   <li>{@link #load()}: what is stored, read once by merge;</li>
 *   <li>{@link #persistAdded}, {@link #persistAddedAll}, {@link #persistDiscarded}, {@link #persistCleared}:
 *       make one change durable before returning. They run on the threads that revoke, many at once, and
 *       may batch (group commit) across them;</li>
 *   <li>{@link #persistClock(long)}: durably store a clock ceiling. The clock calls it (serialized) only
 *       when a step passes the last ceiling, which this class sets {@link #clockReserve()} above the step,
 *       so one clock step in that many pays for a write;</li>
 *   <li>{@link #writeSnapshot(SnapshotRequest)}: write the whole state (sync and save);</li>
 *   <li>{@link #release()}: free locks, files and connections.</li>
 * </ul>
 *
 * <p>Lifecycle: merge, sync, save and close are serialized by one lock and may be called from any thread.
 * After close every operation but {@code close} throws {@link StateStoreClosedException}. The shutdown hook
 * (enabled by the constructor) is registered by merge and removed by close; it calls {@link #save}.
 */
public abstract class AbstractStateStore implements StateStore {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractStateStore.class);

    private enum Phase { OPEN, MERGED, CLOSED }

    private final String location;
    private final Set<StateStoreCapability> capabilities;
    private final boolean shutdownHookEnabled;
    private final long clockReserve;
    private final ReentrantLock lifecycle = new ReentrantLock();
    private volatile Phase phase = Phase.OPEN;
    private volatile WorkerState worker;
    private Registration listenerRegistration;
    private Registration guardRegistration;
    private volatile Thread hook;

    private final RevokedSet.OrderedListener listener = new RevokedSet.OrderedListener() {
        @Override
        public Runnable added(String id, double timestamp) {
            ensureNotClosed();
            return enqueueAdded(id, timestamp);
        }

        @Override
        public Runnable addedAll(io.celeriac.state.RevokedEntries entries) {
            ensureNotClosed();
            return enqueueAddedAll(entries);
        }

        @Override
        public Runnable discarded(String id) {
            ensureNotClosed();
            return enqueueDiscarded(id);
        }

        @Override
        public Runnable cleared() {
            ensureNotClosed();
            return enqueueCleared();
        }
    };

    /**
     * Creates the store's lifecycle.
     *
     * @param location where the state is kept, with any password masked (for messages)
     * @param capabilities what the store declares
     * @param shutdownHook whether merge registers a JVM shutdown hook that saves (Celery's atexit)
     * @param clockReserve how far above a clock step the stored ceiling is put (at least 0; 0 writes on
     *                     every clock step)
     * @throws IllegalArgumentException when {@code clockReserve} is negative
     * @throws NullPointerException when an argument is null
     */
    protected AbstractStateStore(String location, Set<StateStoreCapability> capabilities, boolean shutdownHook, long clockReserve) {
        this.location = Objects.requireNonNull(location, "location");
        this.capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
        if (clockReserve < 0) {
            throw new IllegalArgumentException("clockReserve cannot be negative: " + clockReserve);
        }
        this.shutdownHookEnabled = shutdownHook;
        this.clockReserve = clockReserve;
    }

    // ------------------------------------------------------------------------------------------
    // what a store implements

    /**
     * Reads what is stored; called by {@link #merge}, under the lifecycle lock (again if a merge failed).
     *
     * @return the stored revokes and clock ({@link StoredState#empty()} when nothing is stored)
     * @throws io.celeriac.state.CorruptStateException when the stored state fails its checks
     */
    protected abstract StoredState load();

    /**
     * Makes one added (or refreshed) id durable before returning.
     *
     * @param id the task id
     * @param timestamp its wall-clock epoch seconds
     * @throws UnableToSaveStateException when it cannot be made durable
     */
    protected abstract void persistAdded(String id, double timestamp);

    /**
     * Makes several added ids durable before returning ({@link RevokedSet#update}, and ids a worker held
     * before merge). The default calls {@link #persistAdded} for each.
     *
     * @param entries ids to their wall-clock epoch seconds, oldest first
     * @throws UnableToSaveStateException when they cannot be made durable
     */
    protected void persistAddedAll(Map<String, Double> entries) {
        entries.forEach(this::persistAdded);
    }

    /**
     * The first step of persisting an added id, called while the worker's revoked set is locked, in the order
     * the changes took effect; it must not block for long (queue a record, say). The step it returns runs
     * once the lock is released, before {@link RevokedSet#add} returns, and makes the change durable. The
     * default queues nothing and returns a step that calls {@link #persistAdded}: durable, but concurrent
     * changes of one id may then be stored in another order than they took effect.
     *
     * @param id the task id
     * @param timestamp its wall-clock epoch seconds
     * @return the step that makes it durable
     * @throws UnableToSaveStateException when the change cannot be queued
     */
    protected Runnable enqueueAdded(String id, double timestamp) {
        return () -> persistAdded(id, timestamp);
    }

    /**
     * The first step of persisting ids added together (see {@link #enqueueAdded}); the default returns a
     * step that calls {@link #persistAddedAll}.
     *
     * @param entries ids to their wall-clock epoch seconds, oldest first
     * @return the step that makes them durable
     * @throws UnableToSaveStateException when the change cannot be queued
     */
    protected Runnable enqueueAddedAll(Map<String, Double> entries) {
        return () -> persistAddedAll(entries);
    }

    /**
     * The first step of persisting a discard (see {@link #enqueueAdded}); the default returns a step that
     * calls {@link #persistDiscarded}.
     *
     * @param id the task id
     * @return the step that makes it durable
     * @throws UnableToSaveStateException when the change cannot be queued
     */
    protected Runnable enqueueDiscarded(String id) {
        return () -> persistDiscarded(id);
    }

    /**
     * The first step of persisting a clear (see {@link #enqueueAdded}); the default returns a step that
     * calls {@link #persistCleared}.
     *
     * @return the step that makes it durable
     * @throws UnableToSaveStateException when the change cannot be queued
     */
    protected Runnable enqueueCleared() {
        return this::persistCleared;
    }

    /**
     * Makes the removal of one id durable before returning.
     *
     * @param id the task id
     * @throws UnableToSaveStateException when it cannot be made durable
     */
    protected abstract void persistDiscarded(String id);

    /**
     * Makes the removal of every id durable before returning.
     *
     * @throws UnableToSaveStateException when it cannot be made durable
     */
    protected abstract void persistCleared();

    /**
     * Durably stores a clock value that the next merge adjusts with: a ceiling at or above every value the
     * clock has handed out. Calls are serialized (by the clock, and by the lifecycle lock at close).
     *
     * @param ceiling the value to store
     * @throws UnableToSaveStateException when it cannot be stored
     */
    protected abstract void persistClock(long ceiling);

    /**
     * Writes the worker's whole state (sync, save, compaction). Called under the lifecycle lock while
     * revokes may go on; call {@link SnapshotRequest#capture()} once, at the point from which the snapshot
     * must cover every change.
     *
     * @param request the request
     * @throws UnableToSaveStateException when the state cannot be written (what was durable must stay so)
     */
    protected abstract void writeSnapshot(SnapshotRequest request);

    /**
     * Frees locks, files and connections; called once, by close or save, after the last write.
     */
    protected abstract void release();

    /**
     * Called once a merge succeeded, under the lifecycle lock; a store may drop what {@link #load()} kept.
     * The default does nothing.
     */
    protected void afterMerge() {
    }

    /**
     * Stores the exact clock value when the store is closed without a save, after it stopped following the
     * worker. The default calls {@link #persistClock(long)}.
     *
     * @param value the clock's value
     * @throws UnableToSaveStateException when it cannot be stored
     */
    protected void persistFinalClock(long value) {
        persistClock(value);
    }

    // ------------------------------------------------------------------------------------------
    // the contract

    @Override
    public final void merge(WorkerState w) {
        Objects.requireNonNull(w, "worker");
        lifecycle.lock();
        try {
            ensureNotClosed();
            if (phase == Phase.MERGED) {
                throw new IllegalStateException("The state store " + location + " merged a worker already; open a new store for another worker");
            }
            StoredState stored = load();
            Registration guard = w.clock().attachGuard(this::raiseCeiling, w.clock().value());
            Registration revokes = null;
            try {
                revokes = w.revoked().addOrderedListener(listener);
                Map<String, Double> local = w.revoked().asMap();
                if (!local.isEmpty()) {
                    persistAddedAll(local); // revoked before merge: stored too, as Celery's next sync would
                }
                w.revoked().restore(stored.revoked());
                w.clock().adjust(stored.clock()); // passes the ceiling: the guard writes it back
            } catch (RuntimeException e) {
                if (revokes != null) {
                    revokes.close();
                }
                guard.close();
                throw e;
            }
            this.worker = w;
            this.listenerRegistration = revokes;
            this.guardRegistration = guard;
            this.phase = Phase.MERGED;
            afterMerge();
            registerHook();
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public final void sync(WorkerState w) {
        lifecycle.lock();
        try {
            ensureMerged(w);
            writeSnapshot(new Request(w, false, false));
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public final void save(WorkerState w) {
        lifecycle.lock();
        try {
            ensureMerged(w);
            unregisterHook();
            detach();
            Request request = new Request(w, true, false);
            try {
                writeSnapshot(request);
            } catch (RuntimeException e) {
                try {
                    persistFinalClock(request.captured ? request.clock : w.clock().value());
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
                throw e;
            } finally {
                phase = Phase.CLOSED;
                release();
            }
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * Writes the whole state now if no merge, sync, save or close is running and a worker is merged: what a
     * journaling store calls when its journal has grown large. The clock is not forwarded.
     *
     * @return whether a snapshot was written
     * @throws UnableToSaveStateException when the snapshot cannot be written
     */
    protected final boolean tryCompact() {
        if (!lifecycle.tryLock()) {
            return false;
        }
        try {
            if (phase != Phase.MERGED) {
                return false;
            }
            writeSnapshot(new Request(worker, false, true));
            return true;
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public final void close() {
        lifecycle.lock();
        try {
            if (phase == Phase.CLOSED) {
                return;
            }
            boolean merged = phase == Phase.MERGED;
            phase = Phase.CLOSED;
            try {
                unregisterHook();
                if (merged) {
                    detach();
                    persistFinalClock(worker.clock().value());
                }
            } finally {
                release();
            }
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public final String location() {
        return location;
    }

    @Override
    public final Set<StateStoreCapability> capabilities() {
        return capabilities;
    }

    @Override
    public final Optional<Runnable> shutdownAction() {
        Thread h = hook;
        return h == null ? Optional.empty() : Optional.of(h::run);
    }

    /**
     * How far above a clock step the stored ceiling is put.
     *
     * @return the reserve, at least 0
     */
    protected final long clockReserve() {
        return clockReserve;
    }

    /**
     * The worker this store follows: the one merged, from the end of a successful {@link #merge} (so already
     * in {@link #afterMerge()}) until save or close. A store may read the worker's settings from it, such as
     * the revoked set's limits (to apply them to storage shared with other workers), or its revoked set (to
     * capture a consistent snapshot under the set's own lock).
     *
     * @return the followed worker, or empty before a successful merge and after save or close
     */
    protected final Optional<WorkerState> followedWorker() {
        WorkerState w = worker;
        return phase == Phase.MERGED ? Optional.ofNullable(w) : Optional.empty();
    }

    /**
     * Whether the store is closed (by close or save).
     *
     * @return {@code true} once closed
     */
    protected final boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    /**
     * Throws when the store is closed; for subclasses' own operations.
     *
     * @throws StateStoreClosedException when closed
     */
    protected final void ensureNotClosed() {
        if (phase == Phase.CLOSED) {
            throw new StateStoreClosedException(location);
        }
    }

    // ------------------------------------------------------------------------------------------

    private long raiseCeiling(long value) {
        long ceiling = value > Long.MAX_VALUE - clockReserve ? Long.MAX_VALUE : value + clockReserve;
        ensureNotClosed();
        persistClock(ceiling);
        return ceiling;
    }

    private void ensureMerged(WorkerState w) {
        Objects.requireNonNull(w, "worker");
        ensureNotClosed();
        if (phase != Phase.MERGED) {
            throw new IllegalStateException("merge(worker) must come before sync or save on " + location
                    + ": writing before merging would overwrite the stored state");
        }
        if (w != worker) {
            throw new IllegalStateException("The state store " + location + " follows another WorkerState; sync and save the one it merged");
        }
    }

    private void detach() {
        if (listenerRegistration != null) {
            listenerRegistration.close();
            listenerRegistration = null;
        }
        if (guardRegistration != null) {
            guardRegistration.close();
            guardRegistration = null;
        }
    }

    private void registerHook() {
        if (!shutdownHookEnabled) {
            return;
        }
        WorkerState w = worker;
        Thread h = new Thread(() -> saveAtExit(w), "celeriac-state-save-at-exit");
        try {
            Runtime.getRuntime().addShutdownHook(h);
            hook = h;
        } catch (IllegalStateException e) {
            LOG.warn("The JVM is shutting down; the worker state {} is not saved at exit unless saved explicitly", location);
        }
    }

    private void unregisterHook() {
        Thread h = hook;
        hook = null;
        if (h != null && Thread.currentThread() != h) {
            try {
                Runtime.getRuntime().removeShutdownHook(h);
            } catch (IllegalStateException e) {
                // the JVM is shutting down and the hook may be running; save() serializes with it
            }
        }
    }

    private void saveAtExit(WorkerState w) {
        try {
            save(w);
        } catch (StateStoreClosedException e) {
            // closed meanwhile: nothing to do
        } catch (RuntimeException e) {
            LOG.error("Could not save the worker state {} at exit (every acknowledged revoke is still stored): {}", location, e.toString());
        }
    }

    private final class Request implements SnapshotRequest {
        private final WorkerState w;
        private final boolean last;
        private final boolean compaction;
        private boolean captured;
        private long clock;

        Request(WorkerState w, boolean last, boolean compaction) {
            this.w = w;
            this.last = last;
            this.compaction = compaction;
        }

        @Override
        public StateSnapshot capture() {
            if (captured) {
                throw new IllegalStateException("capture() was called twice");
            }
            w.revoked().purge();
            Map<String, Double> revoked = w.revoked().asMap();
            clock = compaction ? w.clock().value() : w.clock().forward();
            captured = true;
            return new StateSnapshot(revoked, clock);
        }

        @Override
        public boolean isFinal() {
            return last;
        }

        @Override
        public boolean isCompaction() {
            return compaction;
        }
    }
}
