package io.celeriac.backend.redis.backend.internal;

import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.BackendClosedException;
import io.celeriac.backend.CorruptResultException;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.redis.internal.Pauses;
import io.celeriac.backend.redis.internal.PubSubConnection;
import io.celeriac.backend.redis.internal.RedisErrors;
import io.celeriac.backend.spi.PendingWaits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Waits for results over Redis pub/sub: one subscriber connection per backend multiplexes every waiter.
 *
 * <p>The first waiter of a task subscribes to its channel (the task's key); once Redis confirms the
 * subscription, the current value is read (MGET, batched across waiters) so that a result stored before
 * the subscription is not missed. Every message on a channel with waiters is decoded and offered to them.
 * When the last waiter of a task is gone (its result arrived, it timed out or was cancelled, the task was
 * forgotten) the channel is unsubscribed. After a lost connection the listener reconnects with the retry
 * policy's intervals, re-subscribes every pending task and, once Redis confirms, reads them all again, so
 * that a result published while it was away still wakes its waiters; when the policy is exhausted (or the
 * failure is permanent, such as a TLS or authentication error) pending waiters fail with a
 * {@link io.celeriac.backend.BackendUnavailableException}, and the listener keeps trying for later ones.
 *
 * <p>Threads (started on the first wait, stopped by {@link #close}): a reader of the subscriber
 * connection, a writer that sends SUBSCRIBE, UNSUBSCRIBE and periodic PINGs (a connection silent for three
 * ping intervals is replaced), a dispatcher that decodes messages and reads current values, and the timer of
 * {@link PendingWaits}. Waiters' futures are completed (with a result, a timeout or an error) on the common
 * {@link ForkJoinPool}, so that their callbacks (the application's code) may block, even on another wait,
 * without stalling delivery or other timeouts. Thousands
 * of waits cost a future each. Thread-safe.
 */
public final class ResultListener implements PendingWaits.Subscriptions {

    /** What the listener needs from its backend. */
    public interface Source {
        /**
         * Opens a new subscriber connection.
         *
         * @param readTimeout the read timeout after which a silent connection is dead
         * @return the connection
         */
        PubSubConnection connect(Duration readTimeout);

        /**
         * Reads the current values of the tasks' keys in one round trip.
         *
         * @param taskIds the ids
         * @return the values in the same order, {@code null} where absent
         */
        List<byte[]> fetch(List<String> taskIds);

        /**
         * Decodes a stored or published value.
         *
         * @param taskId the task
         * @param value the bytes
         * @return the meta
         * @throws CorruptResultException when the value is not a Celery result
         */
        TaskMeta decode(String taskId, byte[] value);

        /**
         * The channel of a task (its key).
         *
         * @param taskId the task
         * @return the channel's bytes
         */
        byte[] channel(String taskId);

        /**
         * The task a channel belongs to.
         *
         * @param channel the channel's bytes
         * @return the task id, or {@code null} for a channel that is not a task key of this backend
         */
        String taskId(byte[] channel);

        /**
         * Translates a failure to celeriac's types.
         *
         * @param e the failure
         * @return the translated failure
         */
        RuntimeException translate(RuntimeException e);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ResultListener.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final int CHUNK = 500;
    /** A subscriber that cannot connect says so at most this often while it retries. */
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String name;
    private final String maskedUri;
    private final Source source;
    private final RetryPolicy retryPolicy;
    private final long pingNanos;
    private final Duration readTimeout;
    private final PendingWaits waits;
    private final Predicate<Throwable> failsFast;

    private final Object lock = new Object();
    private final Set<String> desired = new HashSet<>();
    private final Map<String, ArrayDeque<Confirmation>> expected = new HashMap<>();
    private final ArrayDeque<Op> outbox = new ArrayDeque<>();
    private PubSubConnection connection;
    private boolean connected;
    private boolean closed;
    private boolean started;
    private long lastWriteNanos;
    private long connects;
    private long connectAttempts;
    /** Counts {@link #subscribe} calls: after a fast failure the reader waits for a new wait before it tries again. */
    private long subscribes;
    private Thread reader;
    private Thread writer;
    private ExecutorService dispatcher;
    private volatile Thread dispatcherThread;

    private final Object checkLock = new Object();
    private final LinkedHashSet<String> toCheck = new LinkedHashSet<>();
    private boolean checkRunning;
    private int checkFailures;

    /** A SUBSCRIBE whose confirmation someone waits for; after a reconnect it also re-reads the task. */
    private static final class Confirmation {
        final List<CompletableFuture<Void>> futures = new ArrayList<>(1);
        final boolean recheck;

        Confirmation(boolean recheck) {
            this.recheck = recheck;
        }
    }

    private record Op(boolean subscribe, String taskId) {
    }

    /**
     * Creates the listener; no thread or connection exists until the first wait.
     *
     * @param maskedUri the backend's masked URI, for messages
     * @param source the backend's side
     * @param retryPolicy how reconnections are paced, and when pending waiters give up
     * @param pingInterval how often the subscriber connection is pinged
     * @param failsFast which connection failures fail the pending waits at once, without retrying (a server never
     *                  reached, credentials refused, TLS)
     */
    public ResultListener(String maskedUri, Source source, RetryPolicy retryPolicy, Duration pingInterval,
                          Predicate<Throwable> failsFast) {
        this.name = "redis-" + SEQUENCE.incrementAndGet();
        this.maskedUri = maskedUri;
        this.source = source;
        this.retryPolicy = retryPolicy;
        this.pingNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), pingInterval.toNanos());
        this.readTimeout = Duration.ofNanos(pingNanos * 3);
        this.waits = new PendingWaits(name, this);
        this.failsFast = failsFast;
    }

    // ------------------------------------------------------------------------------------------
    // the backend's side

    /**
     * Waits for a task: subscribes (the first waiter of the id), then reads the current value once Redis
     * confirms.
     *
     * @param taskId the task
     * @return the future of its ready meta; cancel it to stop waiting
     * @throws BackendClosedException after {@link #close}
     */
    public CompletableFuture<TaskMeta> waitFor(String taskId) {
        PendingWaits.Waiter w;
        try {
            w = waits.register(taskId);
        } catch (IllegalStateException e) {
            throw new BackendClosedException(maskedUri);
        }
        w.subscribed().whenComplete((v, err) -> {
            if (err != null) {
                w.result().completeExceptionally(err);
            } else {
                check(taskId);
            }
        });
        return w.result();
    }

    /**
     * Fails {@code future} with a timeout error after {@code timeout}, on the listener's timer.
     *
     * @param future the wait
     * @param taskId the task
     * @param timeout the timeout
     * @return {@code future}
     * @throws BackendClosedException after {@link #close}
     */
    public CompletableFuture<TaskMeta> withTimeout(CompletableFuture<TaskMeta> future, String taskId, Duration timeout) {
        if (future.isDone()) {
            return future;
        }
        ScheduledFuture<?> timer;
        try {
            timer = waits.scheduler().schedule(
                    () -> {
                        RuntimeException error = waits.timeoutError(taskId, timeout);
                        complete(() -> future.completeExceptionally(error));
                    },
                    Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (IllegalStateException | RejectedExecutionException e) {
            throw new BackendClosedException(maskedUri);
        }
        future.whenComplete((r, e) -> timer.cancel(false));
        return future;
    }

    /**
     * Fails the waiters of one task (it was forgotten); their channel is then unsubscribed.
     *
     * @param taskId the task
     * @param cause what to fail them with
     */
    public void fail(String taskId, RuntimeException cause) {
        waits.fail(taskId, cause);
    }

    /** @return how many tasks have waiters */
    public int pendingCount() {
        return waits.pendingCount();
    }

    /** @return how many times the subscriber connection was (re)established */
    public long connectCount() {
        synchronized (lock) {
            return connects;
        }
    }

    /** @return how many times a subscriber connection was tried, made or not */
    public long connectAttempts() {
        synchronized (lock) {
            return connectAttempts;
        }
    }

    /** @return whether the subscriber connection is up */
    public boolean isConnected() {
        synchronized (lock) {
            return connected;
        }
    }

    // ------------------------------------------------------------------------------------------
    // PendingWaits.Subscriptions (called under the PendingWaits lock: never block)

    @Override
    public CompletionStage<Void> subscribe(String taskId) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                f.completeExceptionally(new BackendClosedException(maskedUri));
                return f;
            }
            start();
            subscribes++;
            desired.add(taskId);
            Confirmation c = new Confirmation(false);
            c.futures.add(f);
            expected.computeIfAbsent(taskId, k -> new ArrayDeque<>(1)).add(c);
            if (connected) {
                outbox.add(new Op(true, taskId));
            }
            lock.notifyAll();
        }
        return f;
    }

    @Override
    public void unsubscribe(String taskId) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            desired.remove(taskId);
            if (connected) {
                outbox.add(new Op(false, taskId));
                lock.notifyAll();
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // threads

    private void start() {
        if (started) {
            return;
        }
        started = true;
        dispatcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = daemon(r, "celeriac-" + name + "-dispatch");
            dispatcherThread = t;
            return t;
        });
        reader = daemon(this::readLoop, "celeriac-" + name + "-reader");
        writer = daemon(this::writeLoop, "celeriac-" + name + "-writer");
        reader.start();
        writer.start();
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }

    private void readLoop() {
        int failures = 0;
        long failedFastAt = -1;
        long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;
        while (true) {
            synchronized (lock) {
                while (!closed && (desired.isEmpty() || subscribes == failedFastAt)) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                connectAttempts++;
            }
            PubSubConnection c;
            try {
                c = source.connect(readTimeout);
            } catch (RuntimeException e) {
                failures++;
                RuntimeException t = source.translate(e);
                if (t instanceof ServiceUnavailableException u) {
                    waits.unreachable(u);
                }
                boolean fast = failsFast.test(e);
                long now = System.nanoTime();
                if (fast) {
                    LOG.debug("The result subscriber of {} cannot connect ({}); pending waits fail", maskedUri, t.getMessage());
                } else if (now - lastWarning >= WARN_EVERY_NANOS) {
                    lastWarning = now;
                    LOG.warn("The result subscriber of {} cannot connect ({}); retrying (attempt {})", maskedUri,
                            t.getMessage(), failures);
                }
                if (fast) {
                    synchronized (lock) {
                        failedFastAt = subscribes; // no retry until someone waits again
                    }
                    failPending(t);
                    failures = 0;
                    continue;
                }
                if (failures > retryPolicy.maxRetries()) {
                    failPending(t);
                }
                if (!pause(retryPolicy.intervalBefore(Math.min(failures, retryPolicy.maxRetries() + 1)))) {
                    return;
                }
                continue;
            }
            failedFastAt = -1;
            waits.reachable();
            if (!onConnected(c)) {
                c.shutdown();
                return;
            }
            if (failures > 0) {
                LOG.info("The result subscriber of {} is connected again after {} failed attempts", maskedUri, failures);
            }
            failures = 0;
            try {
                while (true) {
                    Object reply;
                    try {
                        reply = c.readReply();
                    } catch (JedisDataException e) {
                        RuntimeException t = source.translate(e);
                        LOG.error("Redis refused a subscription of {}: {}", maskedUri, t.getMessage());
                        if (RedisErrors.isPermanent(e)) {
                            // no retry can help (an ACL user without SUBSCRIBE or the channel): fail the waiters now
                            failPending(t);
                        }
                        continue;
                    }
                    handle(reply);
                }
            } catch (RuntimeException e) {
                int pending;
                synchronized (lock) {
                    if (connection == c) {
                        connection = null;
                        connected = false;
                    }
                    if (closed) {
                        c.shutdown();
                        return;
                    }
                    pending = desired.size();
                }
                c.shutdown();
                RuntimeException t = source.translate(e);
                if (t instanceof ServiceUnavailableException u) {
                    waits.unreachable(u);
                }
                LOG.warn("The result subscriber of {} lost its connection ({}); reconnecting and re-reading {} pending results",
                        maskedUri, t.getMessage(), pending);
            }
        }
    }

    /** Waits for {@code d} unless closed first; returns whether still open. */
    private boolean pause(Duration d) {
        return Pauses.await(lock, () -> closed, d.toNanos());
    }

    private boolean onConnected(PubSubConnection c) {
        List<CompletableFuture<Void>> orphans = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return false;
            }
            connection = c;
            connected = true;
            connects++;
            outbox.clear();
            Map<String, ArrayDeque<Confirmation>> old = new HashMap<>(expected);
            expected.clear();
            for (Map.Entry<String, ArrayDeque<Confirmation>> e : old.entrySet()) {
                if (!desired.contains(e.getKey())) {
                    e.getValue().forEach(conf -> orphans.addAll(conf.futures));
                }
            }
            for (String id : desired) {
                Confirmation merged = new Confirmation(true);
                ArrayDeque<Confirmation> prev = old.get(id);
                if (prev != null) {
                    prev.forEach(conf -> merged.futures.addAll(conf.futures));
                }
                ArrayDeque<Confirmation> q = new ArrayDeque<>(1);
                q.add(merged);
                expected.put(id, q);
                outbox.add(new Op(true, id));
            }
            lastWriteNanos = System.nanoTime();
            lock.notifyAll();
        }
        orphans.forEach(f -> f.complete(null));
        return true;
    }

    @SuppressWarnings("unchecked")
    private void handle(Object reply) {
        if (!(reply instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof byte[] kindBytes)) {
            return;
        }
        String kind = new String(kindBytes, StandardCharsets.US_ASCII);
        switch (kind) {
            case "message": {
                if (list.size() < 3 || !(list.get(1) instanceof byte[] channel) || !(list.get(2) instanceof byte[] data)) {
                    return;
                }
                String id = source.taskId(channel);
                if (id != null && waits.isPending(id)) {
                    dispatch(() -> deliver(id, data));
                }
                return;
            }
            case "subscribe": {
                if (list.size() < 2 || !(list.get(1) instanceof byte[] channel)) {
                    return;
                }
                String id = source.taskId(channel);
                if (id == null) {
                    return;
                }
                Confirmation conf;
                synchronized (lock) {
                    ArrayDeque<Confirmation> q = expected.get(id);
                    conf = q == null ? null : q.poll();
                    if (q != null && q.isEmpty()) {
                        expected.remove(id);
                    }
                }
                if (conf != null) {
                    conf.futures.forEach(f -> f.complete(null));
                    if (conf.recheck) {
                        check(id);
                    }
                }
                return;
            }
            default:
                // unsubscribe confirmations and pongs need nothing
        }
    }

    private void writeLoop() {
        while (true) {
            List<Op> batch;
            PubSubConnection c;
            boolean ping = false;
            synchronized (lock) {
                while (true) {
                    if (closed) {
                        return;
                    }
                    if (connected && !outbox.isEmpty()) {
                        break;
                    }
                    try {
                        if (connected) {
                            long due = lastWriteNanos + pingNanos - System.nanoTime();
                            if (due <= 0) {
                                ping = true;
                                break;
                            }
                            TimeUnit.NANOSECONDS.timedWait(lock, due);
                        } else {
                            lock.wait();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                batch = new ArrayList<>(outbox);
                outbox.clear();
                c = connection;
                lastWriteNanos = System.nanoTime();
            }
            try {
                write(c, batch);
                if (ping) {
                    c.write(Protocol.Command.PING);
                }
                c.flushOut();
            } catch (RuntimeException e) {
                LOG.debug("Writing to the result subscriber of {} failed: {}", maskedUri, e.toString());
                c.shutdown(); // the reader notices and reconnects
            }
        }
    }

    private void write(PubSubConnection c, List<Op> batch) {
        int i = 0;
        while (i < batch.size()) {
            boolean subscribe = batch.get(i).subscribe();
            List<byte[]> channels = new ArrayList<>();
            while (i < batch.size() && batch.get(i).subscribe() == subscribe && channels.size() < CHUNK) {
                channels.add(source.channel(batch.get(i).taskId()));
                i++;
            }
            c.write(subscribe ? Protocol.Command.SUBSCRIBE : Protocol.Command.UNSUBSCRIBE, channels.toArray(new byte[0][]));
        }
    }

    // ------------------------------------------------------------------------------------------
    // dispatcher

    private void dispatch(Runnable r) {
        ExecutorService d;
        synchronized (lock) {
            d = dispatcher;
        }
        if (d == null) {
            return;
        }
        try {
            d.execute(r);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    private void deliver(String taskId, byte[] value) {
        TaskMeta meta;
        try {
            meta = source.decode(taskId, value);
        } catch (CorruptResultException e) {
            complete(() -> waits.fail(taskId, e));
            return;
        } catch (RuntimeException e) {
            LOG.warn("Could not deliver the result of task {} from {}: {}", taskId, maskedUri, e.toString());
            return;
        }
        if (meta.isReady()) {
            complete(() -> waits.offer(taskId, meta));
        } else {
            waits.offer(taskId, meta); // remembered as the last state seen, named if the wait times out
        }
    }

    /**
     * Completes waiters off the dispatcher: their callbacks are the application's code and may block (even
     * on another wait, which only this dispatcher can deliver), so they run on the common pool, whose
     * blocking {@code get()} and {@code join()} are compensated with extra threads.
     */
    private static void complete(Runnable completion) {
        ForkJoinPool.commonPool().execute(completion);
    }

    private void check(String taskId) {
        synchronized (checkLock) {
            toCheck.add(taskId);
            if (checkRunning) {
                return;
            }
            checkRunning = true;
        }
        dispatch(this::drainChecks);
    }

    private void drainChecks() {
        while (true) {
            List<String> batch = new ArrayList<>();
            synchronized (checkLock) {
                Iterator<String> it = toCheck.iterator();
                while (it.hasNext() && batch.size() < CHUNK) {
                    batch.add(it.next());
                    it.remove();
                }
                if (batch.isEmpty()) {
                    checkRunning = false;
                    checkFailures = 0;
                    return;
                }
            }
            batch.removeIf(id -> !waits.isPending(id));
            if (batch.isEmpty()) {
                continue;
            }
            List<byte[]> values;
            try {
                values = source.fetch(batch);
            } catch (RuntimeException e) {
                RuntimeException t = source.translate(e);
                if (failsFast.test(e)) {
                    List<String> failed = batch;
                    complete(() -> failed.forEach(id -> waits.fail(id, t)));
                    continue;
                }
                int failures;
                synchronized (checkLock) {
                    toCheck.addAll(batch);
                    failures = ++checkFailures;
                }
                LOG.debug("Reading {} pending results from {} failed, retrying: {}", batch.size(), maskedUri, t.getMessage());
                long delay = Math.min(1000, 50L << Math.min(5, failures));
                try {
                    waits.scheduler().schedule(() -> dispatch(this::drainChecks), delay, TimeUnit.MILLISECONDS);
                } catch (RuntimeException closedNow) {
                    // closed: nothing left to do
                }
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                byte[] v = values.get(i);
                if (v != null) {
                    deliver(batch.get(i), v);
                }
            }
        }
    }

    private void failPending(RuntimeException cause) {
        Set<String> ids = waits.pendingIds();
        complete(() -> ids.forEach(id -> waits.fail(id, cause)));
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Fails every pending waiter with {@code cause}, closes the subscriber connection and stops the threads.
     *
     * @param cause what to fail the waiters with
     */
    public void close(RuntimeException cause) {
        Thread r;
        Thread w;
        PubSubConnection c;
        ExecutorService d;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = connection;
            connection = null;
            connected = false;
            r = reader;
            w = writer;
            d = dispatcher;
            lock.notifyAll();
        }
        waits.close(cause);
        if (c != null) {
            c.shutdown();
        }
        if (d != null) {
            d.shutdownNow();
        }
        Thread self = Thread.currentThread();
        try {
            if (d != null && self != dispatcherThread) {
                d.awaitTermination(5, TimeUnit.SECONDS);
            }
            if (w != null && w != self) {
                w.join(5000);
            }
            if (r != null && r != self) {
                r.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
