package io.celeriac.backend.jdbc.state.internal;

import io.celeriac.spi.GroupCommitQueue;
import io.celeriac.state.RevokedEntries;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The changes of a worker's revoked set on their way to the database, in the order they took effect, with
 * group commit ({@link GroupCommitQueue}) and no thread of its own: a thread that waits for its change to be
 * durable and finds no write running becomes the writer, takes every queued change (up to a batch limit in
 * rows) and writes them in one transaction; the threads whose changes were in that batch return (or throw)
 * when it ends. Under load one transaction therefore carries many revokes; alone, a revoke costs one
 * transaction.
 *
 * <p>Changes are queued while the revoked set is locked (see {@code RevokedSet.OrderedListener}), so the
 * queue's order is the order the changes took effect, and batches are written in that order. Thread-safe.
 */
final class ChangeQueue {

    /** What changed. */
    enum Kind {
        /** One id added or refreshed. */
        ADD,
        /** Several ids added or refreshed (an update from a peer, the ids held before merge, a sync). */
        ADD_ALL,
        /** One id removed. */
        DISCARD,
        /** Every id removed. */
        CLEAR,
        /**
         * A sync's captured set: written in full only when an earlier change failed (every other change is
         * durable already), at its place in the order.
         */
        SNAPSHOT
    }

    /** One queued change; the writer marks it with {@link #fail} when it could not be made durable. */
    static final class Change {
        final Kind kind;
        final String id;
        final long micros;
        final RevokedEntries entries;
        /** Set and read by the writer only; the waiting thread learns it through the queue. */
        private RuntimeException failure;
        /** Set by {@link ChangeQueue#enqueue}. */
        private GroupCommitQueue.Ticket<Change> ticket;

        private Change(Kind kind, String id, long micros, RevokedEntries entries) {
            this.kind = kind;
            this.id = id;
            this.micros = micros;
            this.entries = entries;
        }

        static Change add(String id, long micros) {
            return new Change(Kind.ADD, Objects.requireNonNull(id, "id"), micros, null);
        }

        static Change addAll(RevokedEntries entries) {
            return new Change(Kind.ADD_ALL, null, 0, Objects.requireNonNull(entries, "entries"));
        }

        static Change snapshot(RevokedEntries entries) {
            return new Change(Kind.SNAPSHOT, null, 0, Objects.requireNonNull(entries, "entries"));
        }

        static Change discard(String id) {
            return new Change(Kind.DISCARD, Objects.requireNonNull(id, "id"), 0, null);
        }

        static Change clear() {
            return new Change(Kind.CLEAR, null, 0, null);
        }

        /** How many rows the change writes. */
        int rows() {
            return entries != null ? Math.max(1, entries.size()) : 1;
        }

        /** Records why this change could not be made durable; called by the writer before the batch ends. */
        void fail(RuntimeException e) {
            failure = e;
        }

        RuntimeException failure() {
            return failure;
        }
    }

    /** Writes a batch; marks each change it could not make durable with {@link Change#fail}. */
    interface Writer {
        /**
         * Writes the changes, in order.
         *
         * @param batch the changes, in the order they took effect
         */
        void write(List<Change> batch);
    }

    private final GroupCommitQueue<Change> queue;
    private final Supplier<RuntimeException> closedError;

    /**
     * Creates a queue.
     *
     * @param writer writes batches
     * @param maxRows the most rows one batch carries (a single larger change is a batch of its own)
     * @param closedError what {@link #enqueue} throws once the queue is closed
     */
    ChangeQueue(Writer writer, int maxRows, Supplier<RuntimeException> closedError) {
        this.queue = GroupCommitQueue.<Change>builder(batch -> write(writer, batch))
                .weigher(Change::rows).maxBatchWeight(maxRows).build();
        this.closedError = closedError;
    }

    /** Hands a batch to the writer and the changes it marked to the queue (a throw fails the unmarked ones). */
    private static void write(Writer writer, GroupCommitQueue.Batch<Change> batch) {
        List<Change> changes = batch.items();
        try {
            writer.write(changes);
        } finally {
            for (int i = 0; i < changes.size(); i++) {
                RuntimeException f = changes.get(i).failure;
                if (f != null) {
                    batch.fail(i, f);
                }
            }
        }
    }

    /**
     * Queues a change; it does not block (it is called while the revoked set is locked).
     *
     * @param c the change
     * @return the change, to {@link #await}
     * @throws RuntimeException from {@code closedError} when the queue is closed
     */
    Change enqueue(Change c) {
        try {
            c.ticket = queue.enqueue(c);
        } catch (GroupCommitQueue.ClosedException e) {
            throw closedError.get();
        }
        return c;
    }

    /**
     * Waits until a queued change is durable, writing a batch when no other thread is; interruption does not
     * end the wait (a write is bounded by the store's retry policy), it is kept for the caller.
     *
     * @param c a change from {@link #enqueue}
     * @throws RuntimeException the change's failure
     */
    void await(Change c) {
        try {
            queue.await(c.ticket);
        } catch (GroupCommitQueue.FlushFailedException e) {
            Throwable f = e.getCause();
            throw f instanceof RuntimeException r ? r : new IllegalStateException("the write failed: " + f, f);
        }
    }

    /**
     * Refuses further changes and writes what is queued (failures go to the threads that wait for those
     * changes); returns once no write is running.
     */
    void close() {
        try {
            queue.close();
        } catch (GroupCommitQueue.FlushFailedException e) {
            // reported to the threads that made the changes
        }
    }
}
