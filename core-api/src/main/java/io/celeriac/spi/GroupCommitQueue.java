package io.celeriac.spi;

import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;

/**
 * Group commit for a store that makes changes durable in batches, with no thread of its own: a caller
 * {@link #enqueue queues} an item (cheap, no I/O, so it may be called while the caller holds its own lock),
 * then {@link #await awaits} it. The first waiting caller that finds no flush running becomes the
 * <em>leader</em>: it takes the queued items, oldest first, hands them to the {@link Flusher} in one call, and
 * when that call ends every caller whose item was in the batch returns, or throws the failure of its item.
 * Items queued meanwhile form the next batch. Under load one flush therefore carries many items; alone, an
 * item costs one flush.
 *
 * <p>The invariants:
 * <ul>
 *   <li>At most one flush runs at a time, and the flusher is called with no lock of the queue held.</li>
 *   <li>Every item is flushed exactly once; a batch is a run of consecutive items in the order they were
 *       queued, and batches are flushed in that order.</li>
 *   <li>{@link #await} returns only after the flush that carried the item ended, and throws
 *       {@link FlushFailedException} exactly when that flush failed the item: the flusher
 *       {@linkplain Batch#fail marked} it, or the flusher threw (which fails every item of the batch it did
 *       not mark). A failure never reaches items of other batches.</li>
 *   <li>A batch holds at most {@link Builder#maxBatchWeight the batch weight} (a single heavier item is a batch
 *       of its own); by default it holds everything queued.</li>
 *   <li>With a {@linkplain Builder#linger linger}, the leader waits up to that long for the queued weight to
 *       reach the given amount before it takes the batch (a commit delay: fewer, larger flushes).</li>
 * </ul>
 *
 * <p>Waiting is not interruptible: the outcome of an item must be known before its caller goes on (the
 * flusher bounds its own time, e.g. by a retry policy). An interrupt is kept: the thread's interrupt flag is
 * set when {@link #await} or {@link #close} returns. An interrupt does end a leader's linger early.
 *
 * <p>An {@link Error} thrown by the flusher fails every item of its batch (with the error as the failure) and
 * is then thrown on in the leader's thread; the queue stays usable.
 *
 * <p>Thread-safe. Nulls are refused with {@link NullPointerException}.
 *
 * @param <T> the items, immutable or not touched by their caller once queued
 */
public final class GroupCommitQueue<T> {

    /**
     * Makes a batch durable; called by one thread at a time, with no lock of the queue held.
     *
     * @param <T> the items
     */
    @FunctionalInterface
    public interface Flusher<T> {
        /**
         * Makes the items of a batch durable, in order. An item that could not be made durable is marked with
         * {@link Batch#fail}; throwing fails every item not marked.
         *
         * @param batch the items, in the order they were queued; never empty
         * @throws Exception when the batch, or the rest of it, could not be made durable
         */
        void flush(Batch<T> batch) throws Exception;
    }

    /**
     * The items of one flush, and the way to fail some of them alone. Used only by the flusher's thread during
     * {@link Flusher#flush}.
     *
     * @param <T> the items
     */
    public static final class Batch<T> {
        private final List<Ticket<T>> tickets;
        private final List<T> items;
        private boolean ended;

        private Batch(List<Ticket<T>> tickets) {
            this.tickets = tickets;
            this.items = new AbstractList<>() {
                @Override
                public T get(int index) {
                    return tickets.get(index).item;
                }

                @Override
                public int size() {
                    return tickets.size();
                }
            };
        }

        /**
         * The items, in the order they were queued.
         *
         * @return an unmodifiable list, never empty
         */
        public List<T> items() {
            return items;
        }

        /**
         * How many items the batch holds.
         *
         * @return at least one
         */
        public int size() {
            return tickets.size();
        }

        /**
         * Marks one item as not durable: its caller's {@link #await} throws {@link FlushFailedException} with
         * this failure as the cause. A later mark of the same item replaces an earlier one.
         *
         * @param index the item's position in {@link #items()}
         * @param failure why it could not be made durable
         * @throws IndexOutOfBoundsException when there is no such item
         * @throws IllegalStateException after the flush returned
         */
        public void fail(int index, Throwable failure) {
            Objects.requireNonNull(failure, "failure");
            if (ended) {
                throw new IllegalStateException("the flush of this batch has ended");
            }
            tickets.get(index).failure = failure;
        }
    }

    /**
     * A queued item, to {@link #await}. Its outcome is set once, by the flush that carries it.
     *
     * @param <T> the item
     */
    public static final class Ticket<T> {
        private final GroupCommitQueue<T> queue;
        private final T item;
        private final int weight;
        /** Written by the leader before {@link #done}; read after {@link #done} was seen. */
        private Throwable failure;
        private volatile boolean done;

        private Ticket(GroupCommitQueue<T> queue, T item, int weight) {
            this.queue = queue;
            this.item = item;
            this.weight = weight;
        }

        /**
         * The item.
         *
         * @return the item as queued
         */
        public T item() {
            return item;
        }

        /**
         * Whether the flush that carried the item has ended (successfully or not).
         *
         * @return {@code true} once {@link #await} would not wait
         */
        public boolean isDone() {
            return done;
        }
    }

    /**
     * Thrown by {@link #enqueue} once the queue is closed. Checked, so that every caller says what closed
     * means to its own users; it has no stack trace (it is a signal, translated at once).
     */
    public static final class ClosedException extends Exception {
        private static final long serialVersionUID = 1L;

        ClosedException() {
            super("the group-commit queue is closed", null, false, false);
        }
    }

    /**
     * Thrown by {@link #await} when the flush that carried the item failed it, and by {@link #close} when a
     * batch it waited for failed. The {@linkplain #getCause() cause} is the failure the flusher gave (never
     * {@code null}). Checked, so that every caller translates it into its own exception; it has no stack trace
     * of its own (the cause has the flusher's).
     */
    public static final class FlushFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        FlushFailedException(Throwable cause) {
            super("the flush failed: " + cause, cause, false, false);
        }
    }

    /**
     * Configures a queue.
     *
     * @param <T> the items
     */
    public static final class Builder<T> {
        private final Flusher<T> flusher;
        private ToIntFunction<? super T> weigher;
        private long maxBatchWeight = Long.MAX_VALUE;
        private long lingerNanos;
        private long lingerWeight;

        private Builder(Flusher<T> flusher) {
            this.flusher = Objects.requireNonNull(flusher, "flusher");
        }

        /**
         * How much an item weighs (rows, records, bytes) for {@link #maxBatchWeight} and {@link #linger};
         * called once per item, under the queue's lock, so it must be cheap. By default every item weighs 1.
         *
         * @param weigher the weight of an item, 0 or more
         * @return this builder
         */
        public Builder<T> weigher(ToIntFunction<? super T> weigher) {
            this.weigher = Objects.requireNonNull(weigher, "weigher");
            return this;
        }

        /**
         * The most weight one batch carries; a single heavier item is a batch of its own. By default a batch
         * takes everything queued.
         *
         * @param maxWeight at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code maxWeight} is less than 1
         */
        public Builder<T> maxBatchWeight(long maxWeight) {
            if (maxWeight < 1) {
                throw new IllegalArgumentException("the batch weight must be at least 1, not " + maxWeight);
            }
            this.maxBatchWeight = maxWeight;
            return this;
        }

        /**
         * Lets the leader wait up to {@code delay} for the queued weight to reach {@code weight} before it takes
         * the batch (a commit delay). A zero delay, the default, flushes as soon as the previous flush ended.
         *
         * @param delay how long the leader may wait, not negative
         * @param weight the queued weight that ends the wait early, at least 1
         * @return this builder
         * @throws IllegalArgumentException on a negative delay or a weight less than 1
         */
        public Builder<T> linger(Duration delay, long weight) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative() || weight < 1) {
                throw new IllegalArgumentException("a linger needs a delay of 0 or more and a weight of at least 1, not "
                        + delay + " and " + weight);
            }
            this.lingerNanos = delay.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : delay.toNanos();
            this.lingerWeight = weight;
            return this;
        }

        /**
         * Builds the queue.
         *
         * @return a new, open queue
         */
        public GroupCommitQueue<T> build() {
            return new GroupCommitQueue<>(this);
        }
    }

    /**
     * Starts configuring a queue.
     *
     * @param flusher makes batches durable
     * @param <T> the items
     * @return a builder
     */
    public static <T> Builder<T> builder(Flusher<T> flusher) {
        return new Builder<>(flusher);
    }

    private final Flusher<T> flusher;
    private final ToIntFunction<? super T> weigher;
    private final long maxBatchWeight;
    private final long lingerNanos;
    private final long lingerWeight;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a flush ends. */
    private final Condition settled = lock.newCondition();
    /** Signalled to a lingering leader when the queued weight reached the linger weight, or on close. */
    private final Condition filled = lock.newCondition();
    private final ArrayDeque<Ticket<T>> pending = new ArrayDeque<>();
    private long pendingWeight;
    private boolean flushing;
    private boolean closed;
    /** The failure of a batch taken after close, reported by the first {@link #close}. */
    private Throwable closeFailure;

    private GroupCommitQueue(Builder<T> b) {
        this.flusher = b.flusher;
        this.weigher = b.weigher;
        this.maxBatchWeight = b.maxBatchWeight;
        this.lingerNanos = b.lingerNanos;
        this.lingerWeight = b.lingerWeight;
    }

    /**
     * Queues an item for the next batch; never waits for a flush. The order of calls is the order of flushing.
     *
     * @param item the item
     * @return its ticket, to {@link #await}
     * @throws ClosedException once {@link #close} was called
     */
    public Ticket<T> enqueue(T item) throws ClosedException {
        Objects.requireNonNull(item, "item");
        lock.lock();
        try {
            if (closed) {
                throw new ClosedException();
            }
            int weight = weigher == null ? 1 : weigher.applyAsInt(item);
            if (weight < 0) {
                throw new IllegalArgumentException("an item cannot weigh less than 0: " + weight);
            }
            Ticket<T> t = new Ticket<>(this, item, weight);
            pending.add(t);
            pendingWeight += weight;
            if (lingerNanos > 0 && flushing && pendingWeight >= lingerWeight) {
                filled.signal();
            }
            return t;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues an item and waits until it is durable: {@link #enqueue} then {@link #await}.
     *
     * @param item the item
     * @throws ClosedException once {@link #close} was called
     * @throws FlushFailedException when the flush that carried it failed it
     */
    public void submit(T item) throws ClosedException, FlushFailedException {
        await(enqueue(item));
    }

    /**
     * Returns once the flush that carries the item has ended, leading flushes while none is running and the item
     * is still queued. Not interruptible (see the class comment).
     *
     * @param ticket a ticket this queue gave
     * @throws FlushFailedException when that flush failed the item; the cause is the flusher's failure
     * @throws IllegalArgumentException when the ticket is another queue's
     */
    public void await(Ticket<T> ticket) throws FlushFailedException {
        if (ticket.queue != this) {
            throw new IllegalArgumentException("the ticket belongs to another queue");
        }
        if (!ticket.done) {
            boolean interrupted = false;
            lock.lock();
            try {
                while (!ticket.done) {
                    if (!flushing) {
                        interrupted |= lead(); // the ticket is still queued: nothing is in flight
                    } else {
                        settled.awaitUninterruptibly();
                    }
                }
            } finally {
                lock.unlock();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        Throwable failure = ticket.failure;
        if (failure != null) {
            throw new FlushFailedException(failure);
        }
    }

    /**
     * Refuses further items, then returns once every item queued before is flushed (flushing them in the calling
     * thread while no other thread does) and no flush runs. Calling it again, or concurrently, waits the same
     * way and reports nothing.
     *
     * @throws FlushFailedException when a batch taken after this call began failed (its callers got the failure
     *         too); the cause is the last such failure
     */
    public void close() throws FlushFailedException {
        boolean interrupted = false;
        Throwable failure = null;
        lock.lock();
        try {
            boolean first = !closed;
            closed = true;
            filled.signalAll(); // a lingering leader stops waiting for more
            while (flushing || !pending.isEmpty()) {
                if (!flushing) {
                    interrupted |= lead();
                } else {
                    settled.awaitUninterruptibly();
                }
            }
            if (first) {
                failure = closeFailure;
                closeFailure = null;
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure != null) {
            throw new FlushFailedException(failure);
        }
    }

    /**
     * Whether {@link #close} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Leads one flush: called and returns with the lock held, while no flush runs and something is queued.
     *
     * @return whether the thread was interrupted during the linger
     */
    private boolean lead() {
        flushing = true;
        boolean interrupted = false;
        if (lingerNanos > 0) {
            long deadline = System.nanoTime() + lingerNanos;
            while (pendingWeight < lingerWeight && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    filled.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        }
        boolean afterClose = closed;
        List<Ticket<T>> taken = drain();
        Batch<T> batch = new Batch<>(taken);
        Throwable thrown = null;
        lock.unlock();
        try {
            flusher.flush(batch);
        } catch (Throwable e) { // an Error too: never leave the leader's role taken
            thrown = e;
        } finally {
            batch.ended = true;
            lock.lock();
        }
        for (Ticket<T> t : taken) {
            if (thrown != null && t.failure == null) {
                t.failure = thrown;
            }
            if (afterClose && t.failure != null) {
                closeFailure = t.failure;
            }
            t.done = true;
        }
        flushing = false;
        settled.signalAll();
        if (thrown instanceof Error e) {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        return interrupted;
    }

    /** Under the lock: takes the oldest queued items, up to the batch weight (at least one). */
    private List<Ticket<T>> drain() {
        List<Ticket<T>> batch;
        if (pendingWeight <= maxBatchWeight) {
            batch = new ArrayList<>(pending);
            pending.clear();
            pendingWeight = 0;
            return batch;
        }
        batch = new ArrayList<>();
        long weight = 0;
        while (!pending.isEmpty() && (batch.isEmpty() || weight + pending.peek().weight <= maxBatchWeight)) {
            Ticket<T> next = pending.poll();
            weight += next.weight;
            batch.add(next);
        }
        pendingWeight -= weight;
        return batch;
    }
}
