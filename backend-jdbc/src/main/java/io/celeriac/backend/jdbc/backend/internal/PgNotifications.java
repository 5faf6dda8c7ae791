package io.celeriac.backend.jdbc.backend.internal;

import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.jdbc.internal.SqlErrors;
import io.celeriac.backend.spi.PendingWaits;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * PostgreSQL push waits: one {@code LISTEN} connection per backend, shared by every waiter, and a reader
 * that fetches the notified rows in batches.
 *
 * <p>A wait registers in {@link PendingWaits}; once the listener is listening its row is read (so a write
 * committed before is not missed), and every notification on the channel (sent by the table's trigger, or
 * by celeriac's upsert) queues the notified ids that have waiters for one batched read. When the listening
 * connection fails (a restart, {@code pg_terminate_backend}, a network error) the listener reconnects with
 * a growing pause, listens again and re-reads every pending id, so nothing committed meanwhile is missed.
 * A slow safety sweep re-reads pending ids in batches too (every few seconds when no trigger is installed,
 * since Python's writes then send no notification). Nothing polls while nobody waits. Thread-safe.
 */
final class PgNotifications implements AutoCloseable {
    /** A listener that cannot connect says so at most this often. */
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final Logger LOG = LoggerFactory.getLogger(PgNotifications.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final int BATCH = 1000;
    private static final long POLL_MILLIS = 250;
    private static final long HEALTH_CHECK_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Opens a fresh connection for LISTEN. */
    interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    private final String name;
    private final ConnectionFactory factory;
    private final String channel;
    private final Function<List<String>, Map<String, TaskMeta>> reader;
    private final SqlErrors errors;
    private final String maskedUri;
    private final Duration sweepInterval;
    private final PendingWaits waits;
    private final Set<String> toRead = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean readScheduled = new AtomicBoolean();
    private final ExecutorService readerExecutor;
    private final AtomicInteger reconnects = new AtomicInteger();
    private volatile CompletableFuture<Void> listening = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile Thread thread;
    private volatile Connection current;

    PgNotifications(String maskedUri, ConnectionFactory factory, String channel,
                    Function<List<String>, Map<String, TaskMeta>> reader, SqlErrors errors, Duration sweepInterval) {
        this.name = "pg-" + IDS.incrementAndGet();
        this.maskedUri = maskedUri;
        this.factory = factory;
        this.channel = channel;
        this.reader = reader;
        this.errors = errors;
        this.sweepInterval = sweepInterval;
        this.waits = new PendingWaits(name, new PendingWaits.Subscriptions() {
            @Override
            public CompletionStage<Void> subscribe(String taskId) {
                start();
                return listening;
            }

            @Override
            public void unsubscribe(String taskId) {
                // one channel for the whole table: nothing to undo per id
            }
        });
        ThreadPoolExecutor ex = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "celeriac-" + name + "-reader");
            t.setDaemon(true);
            return t;
        });
        ex.allowCoreThreadTimeOut(true);
        this.readerExecutor = ex;
    }

    /** @return the waiters */
    PendingWaits waits() {
        return waits;
    }

    /** @return how many times the listener reconnected */
    int reconnects() {
        return reconnects.get();
    }

    /**
     * Waits for a task: registers, then reads its row once notifications are flowing.
     *
     * @param taskId the id
     * @return a future of the ready meta
     */
    CompletableFuture<TaskMeta> waitFor(String taskId) {
        PendingWaits.Waiter w = waits.register(taskId);
        w.subscribed().thenRun(() -> enqueue(List.of(taskId)));
        return w.result();
    }

    private synchronized void start() {
        if (thread != null || closed) {
            return;
        }
        Thread t = new Thread(this::listen, "celeriac-" + name + "-listener");
        t.setDaemon(true);
        thread = t;
        t.start();
        long sweep = sweepInterval.toNanos();
        waits.scheduler().scheduleWithFixedDelay(() -> {
            if (waits.pendingCount() > 0) {
                enqueue(waits.pendingIds());
            }
        }, sweep, sweep, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------------------------------
    // the listener

    private void listen() {
        long backoff = TimeUnit.MILLISECONDS.toNanos(50);
        long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;
        boolean first = true;
        while (!closed) {
            Connection c = null;
            try {
                c = factory.open();
                current = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + quote(channel));
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                if (!first) {
                    reconnects.incrementAndGet();
                    LOG.info("Listening again for results on {} after a lost connection; re-reading {} pending results",
                            maskedUri, waits.pendingCount());
                }
                listening.complete(null);
                waits.reachable();
                if (!first) {
                    enqueue(waits.pendingIds()); // anything committed while we were away
                }
                first = false;
                backoff = TimeUnit.MILLISECONDS.toNanos(50);
                long lastTraffic = System.nanoTime();
                while (!closed) {
                    PGNotification[] ns = pg.getNotifications((int) POLL_MILLIS);
                    if (ns != null && ns.length > 0) {
                        lastTraffic = System.nanoTime();
                        List<String> ids = new ArrayList<>(ns.length);
                        for (PGNotification n : ns) {
                            if (channel.equals(n.getName()) && waits.isPending(n.getParameter())) {
                                ids.add(n.getParameter());
                            }
                        }
                        if (!ids.isEmpty()) {
                            enqueue(ids);
                        }
                    } else if (System.nanoTime() - lastTraffic > HEALTH_CHECK_NANOS) {
                        try (Statement st = c.createStatement()) {
                            st.execute("SELECT 1"); // a dead connection fails here rather than staying silent
                        }
                        lastTraffic = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                synchronized (this) {
                    if (listening.isDone()) {
                        listening = new CompletableFuture<>();
                    }
                }
                if (errors.translate(e) instanceof ServiceUnavailableException u) {
                    waits.unreachable(u); // a wait that times out meanwhile says the database could not be reached
                }
                long now = System.nanoTime();
                if (now - lastWarning >= WARN_EVERY_NANOS) {
                    lastWarning = now;
                    LOG.warn("The connection listening for results on {} failed; reconnecting: {}", maskedUri,
                            errors.scrub(e.toString()));
                } else {
                    LOG.debug("The connection listening for results on {} failed again: {}", maskedUri,
                            errors.scrub(e.toString()));
                }
                LockSupport.parkNanos(backoff);
                backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
            } finally {
                current = null;
                if (c != null) {
                    try {
                        c.close();
                    } catch (SQLException | RuntimeException ignored) {
                        // already broken
                    }
                }
            }
        }
    }

    private static String quote(String channel) {
        return "\"" + channel.replace("\"", "\"\"") + "\"";
    }

    // ------------------------------------------------------------------------------------------
    // the reader

    private void enqueue(java.util.Collection<String> ids) {
        if (closed) {
            return;
        }
        toRead.addAll(ids);
        if (readScheduled.compareAndSet(false, true)) {
            try {
                readerExecutor.execute(this::drain);
            } catch (RuntimeException e) {
                readScheduled.set(false); // closed
            }
        }
    }

    private void drain() {
        while (!closed) {
            List<String> batch = new ArrayList<>(Math.min(BATCH, toRead.size()));
            Iterator<String> it = toRead.iterator();
            while (it.hasNext() && batch.size() < BATCH) {
                String id = it.next();
                it.remove();
                if (waits.isPending(id)) {
                    batch.add(id);
                }
            }
            if (batch.isEmpty()) {
                readScheduled.set(false);
                if (toRead.isEmpty() || !readScheduled.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                for (Map.Entry<String, TaskMeta> e : reader.apply(batch).entrySet()) {
                    waits.offer(e.getKey(), e.getValue());
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("Reading {} notified results from {} failed; retrying in a second: {}", batch.size(), maskedUri,
                        errors.scrub(e.toString()));
                Set<String> retry = new LinkedHashSet<>(batch);
                try {
                    waits.scheduler().schedule(() -> enqueue(retry), 1, TimeUnit.SECONDS);
                } catch (RuntimeException closedNow) {
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Fails pending waiters with {@code cause}, stops the listener and the reader.
     *
     * @param cause what to fail waiters with
     */
    void close(Throwable cause) {
        closed = true;
        waits.close(cause);
        readerExecutor.shutdownNow();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            readerExecutor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(new IllegalStateException("closed"));
    }
}
