package io.celeriac.backend.redis.internal;

import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Auto-pipelining: the commands of many threads share a few connections ("lanes"), so that calls arriving while
 * a round trip is in flight go out together in the next write, and Redis answers them in one read.
 *
 * <p>No thread of its own does the work of a blocking call. The caller appends its command to the lane's queue; a
 * caller that finds nobody writing becomes the writer and writes every queued command (its own and those that
 * arrived meanwhile) in one flush; then a caller that finds nobody reading becomes the reader and reads replies,
 * in order, completing each command's caller, until its own reply is in. When it leaves, it wakes the caller of
 * the next reply still due, which reads on. A single thread therefore pays one write and one read per call, as
 * with a plain connection; many threads pay one write and one read per batch.
 *
 * <p>An asynchronous call ({@link #submit}) never waits: its reply is read by whoever reads, or, when nobody
 * does, by a drain task on the given executor; its future is completed on that executor, never on a caller's
 * thread, so that stages chained to it cannot block a reader.
 *
 * <p>Each call keeps its own outcome: an error reply ({@link JedisDataException}) fails that call only. A broken
 * connection fails every call whose command was written on it (with {@link JedisConnectionException}, which
 * callers treat as transient and retry); the next write opens a new connection. A {@code READONLY} reply (the
 * server became a replica in a failover) drops the connection the same way, so that the next write reaches the
 * current master. Thread-safe.
 */
public final class SharedPipeline implements AutoCloseable {

    /** How long a waiting caller parks before it looks again whether the reply can be read. */
    private static final long PARK_NANOS = 2_000_000L;
    /** How many commands are written before a flush within one batch. */
    private static final int FLUSH_EVERY = 512;
    /** How many asynchronous calls one completing task takes at most. */
    private static final int COMPLETE_EVERY = 256;

    private final Supplier<PubSubConnection> connect;
    private final Executor executor;
    private final Lane[] lanes;
    private final AtomicInteger next = new AtomicInteger();
    private final LongAdder commands = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private volatile boolean closed;

    /**
     * Creates the pipeline; connections are opened on first use.
     *
     * @param connect opens an authenticated connection on the right database
     * @param lanes how many connections to share out the calls over (at least 1)
     * @param executor completes asynchronous calls and reads their replies when no caller does
     */
    public SharedPipeline(Supplier<PubSubConnection> connect, int lanes, Executor executor) {
        this.connect = Objects.requireNonNull(connect, "connect");
        this.executor = Objects.requireNonNull(executor, "executor");
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
        }
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane();
        }
    }

    private Lane lane() {
        if (lanes.length == 1) {
            return lanes[0];
        }
        return lanes[Math.floorMod(next.getAndIncrement(), lanes.length)];
    }

    /**
     * Sends a command and waits for its reply.
     *
     * @param args the command
     * @return the raw reply: {@code byte[]}, {@code Long}, {@code List<Object>} or {@code null}
     * @throws JedisDataException the error Redis replied with
     * @throws JedisConnectionException when the connection failed or the pipeline is closed
     */
    public Object call(CommandArguments args) {
        Op op = new Op(args, null);
        Lane lane = lane();
        lane.submit(op);
        lane.await(op);
        return op.outcome();
    }

    /**
     * Sends a command without waiting.
     *
     * @param args the command
     * @return the raw reply, or the failure; completed on the executor
     */
    public CompletableFuture<Object> submit(CommandArguments args) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        Lane lane = lane();
        lane.submit(new Op(args, f));
        return f;
    }

    /**
     * How many commands were written since the pipeline was created; for tests and monitoring.
     *
     * @return the count
     */
    public long commandsWritten() {
        return commands.sum();
    }

    /**
     * How many writes (flushes) carried them: fewer than {@link #commandsWritten()} when calls shared round trips.
     *
     * @return the count
     */
    public long flushes() {
        return flushes.sum();
    }

    /** Fails every call not yet answered and closes the connections. */
    @Override
    public void close() {
        closed = true;
        for (Lane l : lanes) {
            l.shutdown();
        }
    }

    private static JedisConnectionException closedError() {
        return new JedisConnectionException("the connection was closed");
    }

    /** One command and its outcome. */
    private final class Op {
        private final CommandArguments args;
        private final CompletableFuture<Object> future;
        private PubSubConnection connection;
        /** The write that carried it. */
        private long batch;
        private volatile Thread waiter;
        private volatile boolean done;
        private Object value;
        private RuntimeException error;

        Op(CommandArguments args, CompletableFuture<Object> future) {
            this.args = args;
            this.future = future;
        }

        void complete(Object v) {
            value = v;
            finish();
        }

        void fail(RuntimeException e) {
            error = e;
            finish();
        }

        private void finish() {
            done = true;
            if (future != null) {
                CompletableFuture<Object> f = future;
                Object v = value;
                RuntimeException e = error;
                try {
                    executor.execute(() -> {
                        if (e != null) {
                            f.completeExceptionally(e);
                        } else {
                            f.complete(v);
                        }
                    });
                } catch (RuntimeException rejected) {
                    if (e != null) {
                        f.completeExceptionally(e);
                    } else {
                        f.complete(v);
                    }
                }
                return;
            }
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        Object outcome() {
            if (error != null) {
                throw error;
            }
            return value;
        }
    }

    /** One connection, its queue of commands to write and its queue of replies due. */
    private final class Lane {
        private final ConcurrentLinkedQueue<Op> pending = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Op> inFlight = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean writing = new AtomicBoolean();
        private final AtomicBoolean reading = new AtomicBoolean();
        private final AtomicBoolean drainScheduled = new AtomicBoolean();
        /** Counts the writes; only the writer touches it. */
        private long batches;
        /**
         * Asynchronous calls whose replies the current reader has read, completed together by one task on the
         * executor when it stops reading (or every {@value #COMPLETE_EVERY}); only the reader touches it.
         */
        private List<Op> settled = new ArrayList<>();
        /** The write whose replies were settled last. */
        private long settledBatch;
        /** Written only by the writer. */
        private volatile PubSubConnection connection;
        private volatile boolean connectionAlive;

        void submit(Op op) {
            pending.add(op);
            if (op.future != null && reading.get()) {
                // a reader is at work: it writes what is queued before it waits for its next reply or stops, so
                // the asynchronous calls that arrive while a round trip is in flight go out together in the next
                return;
            }
            writeQueued();
        }

        /** Writes what is queued, unless another caller is writing (it then writes ours too). */
        private void writeQueued() {
            while (!pending.isEmpty() && writing.compareAndSet(false, true)) {
                boolean async;
                try {
                    async = writeBatch();
                } finally {
                    writing.set(false);
                }
                if (async && !reading.get()) {
                    scheduleDrain();
                }
            }
        }

        /** @return whether an asynchronous call was written (its reply needs a reader) */
        private boolean writeBatch() {
            boolean async = false;
            PubSubConnection c = null;
            int unflushed = 0;
            long batch = ++batches;
            Op op;
            while ((op = pending.poll()) != null) {
                if (closed) {
                    op.fail(closedError());
                    continue;
                }
                if (c == null) {
                    try {
                        c = connection();
                    } catch (RuntimeException e) {
                        op.fail(e);
                        failQueued(e);
                        return async;
                    }
                }
                op.connection = c;
                op.batch = batch;
                async |= op.future != null;
                inFlight.add(op);
                try {
                    c.write(op.args);
                    commands.increment();
                    if (++unflushed >= FLUSH_EVERY) {
                        c.flushOut();
                        flushes.increment();
                        unflushed = 0;
                        batch = ++batches;
                    }
                } catch (RuntimeException e) {
                    broken(c);
                    c = null; // the reader fails what was written on it; the next command opens a new one
                    unflushed = 0;
                }
            }
            if (c != null && unflushed > 0) {
                try {
                    c.flushOut();
                    flushes.increment();
                } catch (RuntimeException e) {
                    broken(c);
                }
            }
            return async;
        }

        private void failQueued(RuntimeException e) {
            Op op;
            while ((op = pending.poll()) != null) {
                op.fail(e);
            }
        }

        private PubSubConnection connection() {
            PubSubConnection c = connection;
            if (c != null && connectionAlive) {
                return c;
            }
            c = connect.get();
            connection = c;
            connectionAlive = true;
            if (closed) {
                c.shutdown();
                throw closedError();
            }
            return c;
        }

        private void broken(PubSubConnection c) {
            if (connection == c) {
                connectionAlive = false;
            }
            c.shutdown();
        }

        /**
         * Waits for a blocking call's reply, reading replies while nobody else does. An interrupt does not end the
         * wait (the reply is due in order, within the socket timeout); the thread's flag is set again after it.
         */
        void await(Op op) {
            boolean interrupted = false;
            while (!op.done) {
                if (Thread.interrupted()) {
                    interrupted = true;
                }
                if (reading.compareAndSet(false, true)) {
                    boolean mineInFlight;
                    try {
                        mineInFlight = readUntil(op);
                    } finally {
                        stopReading();
                    }
                    handOff();
                    if (!mineInFlight && !op.done) {
                        Thread.onSpinWait(); // another caller is still writing it
                        Thread.yield();
                    }
                } else {
                    op.waiter = Thread.currentThread();
                    if (!op.done && reading.get()) {
                        LockSupport.parkNanos(this, PARK_NANOS);
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Reads replies until the caller's own is in, and then the rest of the replies of the same write (they came
         * back together: reading them here spares their callers a hand-off each).
         *
         * @return false when the reply is not due yet (its command is still being written)
         */
        private boolean readUntil(Op mine) {
            while (true) {
                Op head = inFlight.peek();
                if (head == null) {
                    return mine.done;
                }
                if (mine.done && head.batch != mine.batch) {
                    return true;
                }
                readOne(head);
            }
        }

        private void readOne(Op head) {
            if (!pending.isEmpty()) {
                writeQueued();
            }
            if (!settled.isEmpty() && head.batch != settledBatch) {
                // the replies of another write may not be in yet: complete what is settled before waiting for them
                completeSettled();
            }
            PubSubConnection c = head.connection;
            Object reply;
            try {
                reply = c.readReply();
            } catch (JedisDataException e) {
                inFlight.poll();
                if (String.valueOf(e.getMessage()).startsWith("READONLY")) {
                    // the server is a replica now (a failover): the next write connects to the current master, and
                    // what was still due on this connection fails as a lost connection, to be retried there
                    broken(c);
                    failInFlight(c, e);
                }
                settle(head, null, e);
                return;
            } catch (RuntimeException e) {
                broken(c);
                failInFlight(c, closed ? closedError() : e);
                return;
            }
            inFlight.poll();
            settle(head, reply, null);
        }

        /**
         * Gives a call read by this reader its outcome: a blocking caller at once, an asynchronous one with the
         * others of this read pass (one task on the executor, rather than a hand-off per call).
         */
        private void settle(Op op, Object value, RuntimeException error) {
            if (op.future == null) {
                if (error != null) {
                    op.fail(error);
                } else {
                    op.complete(value);
                }
                return;
            }
            op.value = value;
            op.error = error;
            op.done = true;
            settled.add(op);
            settledBatch = op.batch;
            if (settled.size() >= COMPLETE_EVERY) {
                completeSettled();
            }
        }

        /** Completes the futures of the settled asynchronous calls; called by the reader before it stops reading. */
        private void completeSettled() {
            if (settled.isEmpty()) {
                return;
            }
            List<Op> batch = settled;
            settled = new ArrayList<>();
            Runnable complete = () -> {
                for (Op op : batch) {
                    if (op.error != null) {
                        op.future.completeExceptionally(op.error);
                    } else {
                        op.future.complete(op.value);
                    }
                }
            };
            try {
                executor.execute(complete);
            } catch (RuntimeException rejected) {
                complete.run();
            }
        }

        /** Fails every call due on a connection that is gone. */
        private void failInFlight(PubSubConnection c, RuntimeException cause) {
            RuntimeException failure = cause instanceof JedisConnectionException ? cause
                    : new JedisConnectionException("the connection was dropped: " + cause.getMessage(), cause);
            Op o;
            while ((o = inFlight.peek()) != null && o.connection == c) {
                inFlight.poll();
                settle(o, null, failure);
            }
        }

        /** After reading: the caller of the next reply due reads on, or a drain task for asynchronous calls. */
        private void handOff() {
            Op head = inFlight.peek();
            if (head == null) {
                return;
            }
            Thread w = head.waiter;
            if (w != null) {
                LockSupport.unpark(w);
            } else if (head.future != null) {
                scheduleDrain();
            }
        }

        private void scheduleDrain() {
            if (!drainScheduled.compareAndSet(false, true)) {
                return;
            }
            try {
                executor.execute(this::drain);
            } catch (RuntimeException e) {
                drainScheduled.set(false);
                throw e;
            }
        }

        /** Reads every reply due while nobody else reads. */
        private void drain() {
            drainScheduled.set(false);
            boolean read = false;
            while (!inFlight.isEmpty() && reading.compareAndSet(false, true)) {
                read = true;
                try {
                    Op head;
                    while ((head = inFlight.peek()) != null) {
                        readOne(head);
                    }
                } finally {
                    stopReading();
                }
            }
            if (read) {
                handOff(); // when another reader holds the replies, it hands them on as it stops
            }
        }

        /**
         * How a reader stops: it completes what it settled, gives up reading, then writes the asynchronous calls
         * that were queued for it while it read (or would be left unwritten).
         */
        private void stopReading() {
            try {
                completeSettled();
            } finally {
                reading.set(false);
            }
            if (!pending.isEmpty()) {
                writeQueued();
            }
        }

        void shutdown() {
            PubSubConnection c = connection;
            if (c != null) {
                connectionAlive = false;
                c.shutdown();
            }
            failQueued(closedError());
            if (reading.compareAndSet(false, true)) {
                try {
                    Op o;
                    while ((o = inFlight.poll()) != null) {
                        settle(o, null, closedError());
                    }
                } finally {
                    completeSettled();
                    reading.set(false);
                }
            }
        }
    }
}
