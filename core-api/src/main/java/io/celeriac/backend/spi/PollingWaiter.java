package io.celeriac.backend.spi;

import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.TaskMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Waits for results on a store that cannot push: one poller per backend reads every pending id in one
 * batch ({@code getMany}), never a thread or a query per waiter, and never a busy loop.
 *
 * <p>The interval starts at {@code minInterval} when a wait begins or a result arrives and doubles on
 * every poll that finds nothing new, up to {@code maxInterval}; with no waiters there is no polling at
 * all. A failing read is logged and retried at the next interval; each wait's own timeout bounds it.
 * Thread-safe.
 */
public final class PollingWaiter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PollingWaiter.class);
    private static final int BATCH = 1000;
    /** A failing poll is logged as a warning at most this often. */
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final PendingWaits waits;
    private final Function<List<String>, Map<String, TaskMeta>> fetch;
    private final long minNanos;
    private final long maxNanos;
    private long intervalNanos;
    private ScheduledFuture<?> next;
    private boolean polling;
    private boolean woken;
    private long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;

    /**
     * Creates a poller.
     *
     * @param name for the timer thread's name
     * @param fetch reads the current metas of a batch of ids (missing ids may be absent or PENDING)
     * @param minInterval the first interval after a wait begins
     * @param maxInterval the longest interval
     */
    public PollingWaiter(String name, Function<List<String>, Map<String, TaskMeta>> fetch,
                         Duration minInterval, Duration maxInterval) {
        this.waits = new PendingWaits(name, PendingWaits.Subscriptions.NONE);
        this.fetch = Objects.requireNonNull(fetch, "fetch");
        this.minNanos = Math.max(1, minInterval.toNanos());
        this.maxNanos = Math.max(minNanos, maxInterval.toNanos());
        this.intervalNanos = minNanos;
    }

    /**
     * Waits for a task: the first poll runs at once.
     *
     * @param taskId the id
     * @return a future of the ready meta; cancel it to stop waiting
     */
    public CompletableFuture<TaskMeta> waitFor(String taskId) {
        CompletableFuture<TaskMeta> f = waits.register(taskId).result();
        wake();
        return f;
    }

    /**
     * The registry of waiters, e.g. for {@link PendingWaits#withTimeout}.
     *
     * @return the pending waits
     */
    public PendingWaits waits() {
        return waits;
    }

    private synchronized void wake() {
        intervalNanos = minNanos;
        if (polling) {
            woken = true; // the running poll reschedules at the minimum interval
            return;
        }
        if (next != null && next.getDelay(TimeUnit.NANOSECONDS) <= 0) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        next = schedule(0);
    }

    private ScheduledFuture<?> schedule(long delayNanos) {
        try {
            return waits.scheduler().schedule(this::poll, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            return null; // closed
        }
    }

    private void poll() {
        synchronized (this) {
            polling = true;
            next = null;
        }
        boolean progressed = false;
        try {
            List<String> ids = new ArrayList<>(waits.pendingIds());
            for (int i = 0; i < ids.size(); i += BATCH) {
                List<String> batch = ids.subList(i, Math.min(ids.size(), i + BATCH));
                Map<String, TaskMeta> metas = fetch.apply(batch);
                for (Map.Entry<String, TaskMeta> e : metas.entrySet()) {
                    progressed |= waits.offer(e.getKey(), e.getValue());
                }
            }
            waits.reachable();
        } catch (RuntimeException e) {
            if (e instanceof ServiceUnavailableException u) {
                waits.unreachable(u);
            }
            long now = System.nanoTime();
            if (now - lastWarning >= WARN_EVERY_NANOS) {
                lastWarning = now;
                LOG.warn("Polling for {} pending results failed; retrying every {} ms at most: {}", waits.pendingCount(),
                        TimeUnit.NANOSECONDS.toMillis(maxNanos), e.toString());
            } else {
                LOG.debug("Polling for {} pending results failed again: {}", waits.pendingCount(), e.toString());
            }
        } finally {
            synchronized (this) {
                polling = false;
                boolean wasWoken = woken;
                woken = false;
                if (waits.pendingCount() > 0) {
                    intervalNanos = progressed || wasWoken ? minNanos : Math.min(maxNanos, intervalNanos * 2);
                    next = schedule(intervalNanos);
                }
            }
        }
    }

    /**
     * Stops polling and fails pending waiters with {@code cause}.
     *
     * @param cause what to fail them with
     */
    public void close(Throwable cause) {
        waits.close(cause);
    }

    /** Stops polling. */
    @Override
    public void close() {
        waits.close();
    }
}
