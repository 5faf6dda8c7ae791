package io.celeriac.backend.spi;

import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.WaitTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The waiters of a backend, multiplexed by task id: what push-based backends (and the polling fallback)
 * build their waits on. Thousands of waits cost a future each, not a thread.
 *
 * <p>The first waiter of an id calls {@link Subscriptions#subscribe}; when the last waiter of an id is
 * gone (its result arrived, it timed out or was cancelled, or the id was forgotten)
 * {@link Subscriptions#unsubscribe} is called. Both are called under this object's lock, in order, so a
 * subscription for an id is never overtaken by a stale unsubscribe: they must not block (enqueue the work).
 *
 * <p>A typical push backend:
 * <pre>{@code
 * PendingWaits.Waiter w = waits.register(taskId);          // subscribes first
 * w.subscribed().thenRunAsync(() -> waits.offer(readCurrent(taskId)), executor); // then reads: nothing missed
 * return w.result();
 * }</pre>
 * and calls {@link #offer(TaskMeta)} for every meta the store pushes. Thread-safe.
 */
public final class PendingWaits implements AutoCloseable {

    /** Subscribes to and unsubscribes from the store's change notifications for a task id. */
    public interface Subscriptions {
        /**
         * Starts listening for changes of {@code taskId}. Must not block.
         *
         * @param taskId the id
         * @return a stage completed once changes of the id will be delivered (completed at once for
         *         stores that need no subscription)
         */
        CompletionStage<Void> subscribe(String taskId);

        /**
         * Stops listening for changes of {@code taskId}. Must not block.
         *
         * @param taskId the id
         */
        void unsubscribe(String taskId);

        /** Subscriptions for stores that push every change to everyone: nothing to do. */
        Subscriptions NONE = new Subscriptions() {
            @Override
            public CompletionStage<Void> subscribe(String taskId) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void unsubscribe(String taskId) {
            }
        };
    }

    /**
     * A registered wait.
     *
     * @param result completes with the ready meta; cancel it to stop waiting
     * @param subscribed completes once the store delivers changes of the id (read the current value then)
     */
    public record Waiter(CompletableFuture<TaskMeta> result, CompletionStage<Void> subscribed) {
    }

    private final String name;
    private final Subscriptions subscriptions;
    private final Map<String, Entry> entries = new HashMap<>();
    private volatile ScheduledThreadPoolExecutor scheduler;
    private boolean closed;

    private volatile ServiceUnavailableException unreachable;

    private static final class Entry {
        final List<CompletableFuture<TaskMeta>> futures = new ArrayList<>(1);
        CompletionStage<Void> subscribed;
        TaskMeta lastSeen;
    }

    /**
     * Creates the registry.
     *
     * @param name used in the timer thread's name
     * @param subscriptions the store's subscription hooks
     */
    public PendingWaits(String name, Subscriptions subscriptions) {
        this.name = Objects.requireNonNull(name, "name");
        this.subscriptions = Objects.requireNonNull(subscriptions, "subscriptions");
    }

    /**
     * Registers a waiter for {@code taskId}, subscribing if it is the first.
     *
     * @param taskId the id
     * @return the waiter
     * @throws IllegalStateException after {@link #close}
     */
    public Waiter register(String taskId) {
        Objects.requireNonNull(taskId, "taskId");
        CompletableFuture<TaskMeta> f = new CompletableFuture<>();
        CompletionStage<Void> subscribed;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            Entry e = entries.get(taskId);
            if (e == null) {
                e = new Entry();
                entries.put(taskId, e);
                e.futures.add(f);
                try {
                    e.subscribed = subscriptions.subscribe(taskId);
                } catch (RuntimeException ex) {
                    entries.remove(taskId);
                    throw ex;
                }
            } else {
                e.futures.add(f);
            }
            subscribed = e.subscribed;
        }
        f.whenComplete((meta, err) -> remove(taskId, f));
        return new Waiter(f, subscribed);
    }

    private void remove(String taskId, CompletableFuture<TaskMeta> f) {
        synchronized (this) {
            Entry e = entries.get(taskId);
            if (e == null || !e.futures.remove(f) || !e.futures.isEmpty()) {
                return;
            }
            entries.remove(taskId);
            if (!closed) {
                subscriptions.unsubscribe(taskId);
            }
        }
    }

    /**
     * Completes the waiters of {@code meta.taskId()} when the meta is ready; does nothing otherwise.
     *
     * @param meta a meta the store delivered or that was read
     * @return whether any waiter was completed
     */
    public boolean offer(TaskMeta meta) {
        if (meta == null || meta.taskId() == null) {
            return false;
        }
        return offer(meta.taskId(), meta);
    }

    /**
     * Completes the waiters of {@code taskId} with {@code meta} when it is ready.
     *
     * @param taskId the id the meta belongs to
     * @param meta the meta
     * @return whether any waiter was completed
     */
    public boolean offer(String taskId, TaskMeta meta) {
        if (meta == null) {
            return false;
        }
        if (!meta.isReady()) {
            synchronized (this) {
                Entry e = entries.get(taskId);
                if (e != null) {
                    e.lastSeen = meta;
                }
            }
            return false;
        }
        return complete(taskId, meta);
    }

    /**
     * The last meta offered for an id that was not ready (a {@code STARTED}, a {@code PROGRESS}, a
     * {@code PENDING} read), while someone waits for it.
     *
     * @param taskId the id
     * @return the meta, or {@code null} when none was offered or nobody waits for the id
     */
    public synchronized TaskMeta lastSeen(String taskId) {
        Entry e = entries.get(taskId);
        return e == null ? null : e.lastSeen;
    }

    /**
     * Records that the store cannot be reached right now (the listener's connection is down, a poll failed):
     * a wait that times out meanwhile ends with a {@link BackendUnavailableException} instead of a
     * {@link WaitTimeoutException}.
     *
     * @param cause why, with the store's masked URI
     */
    public void unreachable(ServiceUnavailableException cause) {
        unreachable = Objects.requireNonNull(cause, "cause");
    }

    /** Records that the store can be reached again (a connection was made, a poll succeeded). */
    public void reachable() {
        unreachable = null;
    }

    /**
     * The error a wait for {@code taskId} that ran out of time ends with: a {@link BackendUnavailableException}
     * when the store cannot be reached right now (a server that is down is not a slow task), else a
     * {@link WaitTimeoutException} naming the last state seen.
     *
     * @param taskId the id waited for
     * @param timeout how long the caller waited
     * @return the error
     */
    public RuntimeException timeoutError(String taskId, Duration timeout) {
        ServiceUnavailableException u = unreachable;
        if (u != null) {
            return new BackendUnavailableException(u.serviceUri(), "task " + taskId + " was not ready after "
                    + seconds(timeout) + ", and the store could not be reached: " + u.reason(), u);
        }
        return new WaitTimeoutException(taskId, timeout, lastSeen(taskId));
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    private boolean complete(String taskId, TaskMeta meta) {
        List<CompletableFuture<TaskMeta>> toComplete;
        synchronized (this) {
            Entry e = entries.get(taskId);
            if (e == null) {
                return false;
            }
            toComplete = new ArrayList<>(e.futures);
        }
        for (CompletableFuture<TaskMeta> f : toComplete) {
            f.complete(meta);
        }
        return !toComplete.isEmpty();
    }

    /**
     * Fails every waiter of one id (e.g. when the id is forgotten or its stored value is corrupt).
     *
     * @param taskId the id
     * @param cause what to fail them with
     */
    public void fail(String taskId, Throwable cause) {
        List<CompletableFuture<TaskMeta>> toFail;
        synchronized (this) {
            Entry e = entries.get(taskId);
            if (e == null) {
                return;
            }
            toFail = new ArrayList<>(e.futures);
        }
        for (CompletableFuture<TaskMeta> f : toFail) {
            f.completeExceptionally(cause);
        }
    }

    /**
     * The ids with at least one waiter.
     *
     * @return a snapshot of the ids
     */
    public synchronized Set<String> pendingIds() {
        return Set.copyOf(entries.keySet());
    }

    /**
     * Whether an id has at least one waiter.
     *
     * @param taskId the id
     * @return {@code true} when someone waits for it
     */
    public synchronized boolean isPending(String taskId) {
        return entries.containsKey(taskId);
    }

    /**
     * How many ids have at least one waiter.
     *
     * @return the count
     */
    public synchronized int pendingCount() {
        return entries.size();
    }

    /**
     * Fails {@code future} with {@link #timeoutError} if it is not done after {@code timeout}; the
     * timer is cancelled when the future completes first.
     *
     * @param future the wait
     * @param taskId the id waited for, for the message
     * @param timeout how long
     * @param <T> the future's type
     * @return {@code future}
     */
    public <T> CompletableFuture<T> withTimeout(CompletableFuture<T> future, String taskId, Duration timeout) {
        if (future.isDone()) {
            return future;
        }
        ScheduledFuture<?> timer = scheduler().schedule(
                () -> future.completeExceptionally(timeoutError(taskId, timeout)),
                Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        future.whenComplete((r, e) -> timer.cancel(false));
        return future;
    }

    /**
     * A single daemon thread for timers and polls, created on first use and stopped by {@link #close}.
     *
     * @return the scheduler
     */
    public ScheduledExecutorService scheduler() {
        ScheduledThreadPoolExecutor s = scheduler;
        if (s == null) {
            synchronized (this) {
                s = scheduler;
                if (s == null) {
                    if (closed) {
                        throw new IllegalStateException("closed");
                    }
                    s = new ScheduledThreadPoolExecutor(1, r -> {
                        Thread t = new Thread(r, "celeriac-waits-" + name);
                        t.setDaemon(true);
                        return t;
                    });
                    s.setRemoveOnCancelPolicy(true);
                    s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
                    scheduler = s;
                }
            }
        }
        return s;
    }

    /**
     * Fails every pending waiter with {@code cause} and stops the timer thread.
     *
     * @param cause what to fail them with
     */
    public void close(Throwable cause) {
        List<CompletableFuture<TaskMeta>> all = new ArrayList<>();
        ScheduledThreadPoolExecutor s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Entry e : entries.values()) {
                all.addAll(e.futures);
            }
            entries.clear();
            s = scheduler;
        }
        for (CompletableFuture<TaskMeta> f : all) {
            f.completeExceptionally(cause);
        }
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the timer thread, failing pending waiters with an {@link IllegalStateException}. */
    @Override
    public void close() {
        close(new IllegalStateException("the waits of " + name + " were closed"));
    }
}
