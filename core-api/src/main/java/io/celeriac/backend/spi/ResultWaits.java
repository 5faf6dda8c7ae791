package io.celeriac.backend.spi;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendClosedException;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.WaitInterruptedException;
import io.celeriac.backend.WaitTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The waits of one {@link AbstractBackend}: the {@link PollingWaiter} of a backend that polls (started by the first
 * wait, closed with the backend), and the blocking waits built on {@link Backend#waitForAsync}: one result with a
 * timeout, many results under one deadline. Thread-safe.
 */
final class ResultWaits {

    private final Object lock = new Object();
    private volatile PollingWaiter poller;

    /**
     * The backend's poller, started on first use; reads pending ids in batches through {@code doGetMany}.
     *
     * @throws BackendClosedException when the backend is closed
     */
    PollingWaiter poller(AbstractBackend backend) {
        PollingWaiter p = poller;
        if (p == null) {
            synchronized (lock) {
                p = poller;
                if (p == null) {
                    backend.checkOpen();
                    p = new PollingWaiter(backend.getClass().getSimpleName(), backend::doGetMany,
                            Duration.ofMillis(5), backend.options.pollInterval());
                    poller = p;
                }
            }
        }
        return p;
    }

    /** Closes the poller, if one was started, failing its waits with {@link BackendClosedException}. */
    void close(String maskedUri) {
        PollingWaiter p;
        synchronized (lock) {
            p = poller;
        }
        if (p != null) {
            p.close(new BackendClosedException(maskedUri));
        }
    }

    /** See {@link Backend#waitFor(String, Duration)}: blocks on the wait's future, cancelling it on timeout. */
    static TaskMeta await(CompletableFuture<TaskMeta> f, String taskId, Duration timeout) {
        return await(f, taskId, timeout, timeout);
    }

    /** As {@link #await(CompletableFuture, String, Duration)}, blocking up to {@code bound}; the error names {@code timeout}. */
    static TaskMeta await(CompletableFuture<TaskMeta> f, String taskId, Duration bound, Duration timeout) {
        try {
            return f.get(Math.max(0, bound.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new WaitTimeoutException(taskId, timeout);
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException(taskId, e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (CancellationException e) {
            throw new WaitTimeoutException(taskId, timeout);
        }
    }

    /** See {@link Backend#waitForAll}: one read of every id, then a wait for each one not ready, one deadline. */
    static Map<String, TaskMeta> waitForAll(Backend backend, Collection<String> taskIds, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(taskIds));
        Map<String, TaskMeta> out = new LinkedHashMap<>();
        Map<String, TaskMeta> current = backend.getMany(unique);
        Map<String, CompletableFuture<TaskMeta>> futures = new LinkedHashMap<>();
        try {
            for (String id : unique) {
                TaskMeta m = current.get(id);
                if (m == null || !m.isReady()) {
                    futures.put(id, backend.waitForAsync(id));
                }
            }
            for (String id : unique) {
                CompletableFuture<TaskMeta> f = futures.get(id);
                if (f == null) {
                    out.put(id, current.get(id));
                    continue;
                }
                long left = deadline - System.nanoTime();
                try {
                    out.put(id, f.get(Math.max(0, left), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    throw new WaitTimeoutException(id, timeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WaitInterruptedException(id, e);
                } catch (ExecutionException e) {
                    throw rethrow(e.getCause());
                }
            }
            return out;
        } finally {
            futures.values().forEach(f -> f.cancel(false));
        }
    }

    /** The failure of a wait as the caller sees it: the cause of a completion, an {@link Error} thrown on. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new CompletionException(t);
    }
}
