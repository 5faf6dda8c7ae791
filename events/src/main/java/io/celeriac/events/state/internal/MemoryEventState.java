package io.celeriac.events.state.internal;

import io.celeriac.events.Event;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateClosedException;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;
import io.celeriac.events.state.MemoryEventStateConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The in-memory {@link EventState} ({@code memory://}): Celery's {@code State} semantics, with the fixes
 * listed in the README's "Differences from Celery".
 *
 * <p><b>Threads.</b> Events are applied under the write lock of a fair read-write lock; reads take the read
 * lock, so any number of readers run together and see the state between two events, and a reader waits for
 * the event being applied, not for a stream of them. The writer does no
 * copying: it updates mutable records and drops their cached views; a reader builds the immutable
 * {@link TaskInfo}/{@link WorkerInfo} of a record the first time it is read after a change and every later
 * reader gets the same instance, so reading what did not change costs no allocation and holds the writer
 * back only for as long as it takes to collect the references. Node listeners run on the applying thread
 * after the lock is released.
 *
 * <p>Open it with {@code Celeriac.discover().openEventState("memory://", options)} (or
 * {@link io.celeriac.events.state.MemoryEventStateProvider}); tests and benchmarks may create it directly. Close
 * it to release its memory; every call but {@code close} then raises {@link EventStateClosedException}.
 */
public final class MemoryEventState implements EventState {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryEventState.class);

    private final EventStateOptions options;
    private final String name;
    private final ClusterModel model;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final ReentrantReadWriteLock.ReadLock readLock = lock.readLock();
    private final ReentrantReadWriteLock.WriteLock writeLock = lock.writeLock();
    private final CopyOnWriteArrayList<Consumer<WorkerInfo>> joinListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<WorkerInfo>> leaveListeners = new CopyOnWriteArrayList<>();
    private final List<WorkerInfo> pendingJoins = new ArrayList<>();
    private final List<WorkerInfo> pendingLeaves = new ArrayList<>();
    private volatile boolean closed;

    /**
     * Creates an empty state from a parsed configuration.
     *
     * @param config the options and the name for messages
     */
    public MemoryEventState(MemoryEventStateConfig config) {
        this(config.options(), config.name());
    }

    /**
     * Creates an empty state.
     *
     * @param options limits, clock and offline policy
     */
    public MemoryEventState(EventStateOptions options) {
        this(options, "memory://");
    }

    /**
     * Creates an empty state with a name for messages.
     *
     * @param options limits, clock and offline policy
     * @param name what {@link EventStateClosedException} calls it, e.g. its URL
     */
    public MemoryEventState(EventStateOptions options, String name) {
        this.options = Objects.requireNonNull(options, "options");
        this.name = Objects.requireNonNull(name, "name");
        this.model = new ClusterModel(options);
    }

    private void ensureOpen() {
        if (closed) {
            throw new EventStateClosedException(name);
        }
    }

    @Override
    public void event(Event event) {
        Objects.requireNonNull(event, "event");
        ensureOpen();
        writeLock.lock();
        try {
            ensureOpen();
            model.apply(event);
        } finally {
            unlockAndNotify();
        }
    }

    /**
     * Releases the write lock; when this thread no longer holds it, tells the node listeners what the
     * applied events changed.
     */
    private void unlockAndNotify() {
        List<WorkerInfo> joins = null;
        List<WorkerInfo> leaves = null;
        try {
            if (model.hasNotifications() || !pendingJoins.isEmpty() || !pendingLeaves.isEmpty()) {
                model.drainNotifications(pendingJoins, pendingLeaves);
                if (writeLock.getHoldCount() == 1) {
                    joins = new ArrayList<>(pendingJoins);
                    leaves = new ArrayList<>(pendingLeaves);
                    pendingJoins.clear();
                    pendingLeaves.clear();
                }
            }
        } finally {
            writeLock.unlock();
        }
        if (joins != null) {
            fire(joinListeners, joins, "join");
            fire(leaveListeners, leaves, "leave");
        }
    }

    private static void fire(List<Consumer<WorkerInfo>> listeners, List<WorkerInfo> workers, String what) {
        for (WorkerInfo w : workers) {
            for (Consumer<WorkerInfo> l : listeners) {
                try {
                    l.accept(w);
                } catch (RuntimeException e) {
                    LOG.warn("A node {} listener failed for {}", what, w.hostname(), e);
                }
            }
        }
    }

    private <T> T read(Supplier<T> fn) {
        ensureOpen();
        readLock.lock();
        try {
            ensureOpen();
            return fn.get();
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long eventCount() {
        return read(model::eventCount);
    }

    @Override
    public long taskCount() {
        return read(model::taskCount);
    }

    @Override
    public Optional<WorkerInfo> worker(String hostname) {
        Objects.requireNonNull(hostname, "hostname");
        return Optional.ofNullable(read(() -> model.workerView(hostname)));
    }

    @Override
    public List<WorkerInfo> workers() {
        return read(() -> model.workerViews(false));
    }

    @Override
    public List<WorkerInfo> aliveWorkers() {
        return read(() -> model.workerViews(true));
    }

    @Override
    public Optional<TaskInfo> task(String uuid) {
        Objects.requireNonNull(uuid, "uuid");
        return Optional.ofNullable(read(() -> model.taskView(uuid)));
    }

    @Override
    public List<TaskInfo> tasks() {
        return read(model::taskViews);
    }

    @Override
    public List<TaskInfo> tasksByTime(int limit) {
        checkLimit(limit);
        return read(() -> model.byTime(limit, null));
    }

    @Override
    public List<TaskInfo> tasksByType(String name, int limit) {
        Objects.requireNonNull(name, "name");
        checkLimit(limit);
        return read(() -> model.byTime(limit, ClusterModel.named(name)));
    }

    @Override
    public List<TaskInfo> tasksByWorker(String hostname, int limit) {
        Objects.requireNonNull(hostname, "hostname");
        checkLimit(limit);
        return read(() -> model.byTime(limit, ClusterModel.onWorker(hostname)));
    }

    private static void checkLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 (no limit) or positive, not " + limit);
        }
    }

    @Override
    public SortedSet<String> taskTypes() {
        return read(model::taskTypes);
    }

    @Override
    public void clear(boolean ready) {
        ensureOpen();
        writeLock.lock();
        try {
            ensureOpen();
            model.clear(ready);
        } finally {
            unlockAndNotify();
        }
    }

    @Override
    public void clearTasks(boolean ready) {
        ensureOpen();
        writeLock.lock();
        try {
            ensureOpen();
            model.clearTasks(ready);
        } finally {
            unlockAndNotify();
        }
    }

    @Override
    public EventStateSnapshot snapshot() {
        return read(model::snapshot);
    }

    @Override
    public <T> T freezeWhile(Function<EventState, T> fn) {
        Objects.requireNonNull(fn, "fn");
        ensureOpen();
        writeLock.lock();
        try {
            ensureOpen();
            return fn.apply(this);
        } finally {
            unlockAndNotify();
        }
    }

    @Override
    public Subscription onNodeJoin(Consumer<WorkerInfo> listener) {
        return subscribe(joinListeners, listener);
    }

    @Override
    public Subscription onNodeLeave(Consumer<WorkerInfo> listener) {
        return subscribe(leaveListeners, listener);
    }

    private Subscription subscribe(CopyOnWriteArrayList<Consumer<WorkerInfo>> list, Consumer<WorkerInfo> listener) {
        Objects.requireNonNull(listener, "listener");
        ensureOpen();
        // a wrapper, so that registering one listener twice gives two independent subscriptions
        Consumer<WorkerInfo> entry = listener::accept;
        list.add(entry);
        return () -> list.remove(entry);
    }

    @Override
    public EventStateOptions options() {
        return options;
    }

    /**
     * How many tasks the time index ({@link #tasksByTime}) holds entries for, at most 4 ×
     * {@link EventStateOptions#maxTasksInMemory()} entries; for monitoring and tests.
     *
     * @return the number of entries
     */
    public int timeIndexSize() {
        return read(model::timeIndexSize);
    }

    /**
     * How many tasks wait for a parent that was not seen yet; at most the tasks in memory.
     *
     * @return the number of waiting children
     */
    public int pendingChildren() {
        return read(model::pendingChildrenSize);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            model.release();
            pendingJoins.clear();
            pendingLeaves.clear();
        } finally {
            writeLock.unlock();
        }
        joinListeners.clear();
        leaveListeners.clear();
    }

    @Override
    public String toString() {
        if (closed) {
            return "MemoryEventState[" + name + ", closed]";
        }
        readLock.lock();
        try {
            return "MemoryEventState[" + name + ", events=" + model.eventCount() + ", tasks=" + model.taskSize() + "]";
        } finally {
            readLock.unlock();
        }
    }
}
