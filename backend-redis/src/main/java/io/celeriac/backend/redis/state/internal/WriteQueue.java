package io.celeriac.backend.redis.state.internal;

import io.celeriac.spi.GroupCommitQueue;
import io.celeriac.state.RevokedEntries;
import io.celeriac.state.StateStoreClosedException;
import io.celeriac.state.UnableToSaveStateException;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The changes of a worker's revoked set on their way to Redis, in the order they took effect, with group
 * commit ({@link GroupCommitQueue}): a change is queued (cheaply, while the set is locked), then the thread
 * that made it waits until it is stored. The first waiting thread becomes the writer: it takes every queued
 * change, its own and other threads', and stores them with as few calls of the write script as their size
 * allows (one for up to {@value #MAX_ENTRIES_PER_CALL} ids); threads that queue meanwhile are served by the
 * next call. So a revoke costs at most one round trip, and concurrent revokes share one. A failed call fails
 * the changes in it and after it; those before it are stored.
 *
 * <p>A sync captures the worker's set and queues it whole as a <em>snapshot</em>. A discard or clear that
 * took effect after the capture but was queued before the snapshot must not be undone by it, so between
 * {@link #openSnapshotWindow()} (just before the capture) and {@link #snapshot} the queue notes discarded
 * ids and clears, and the snapshot leaves those ids out (all of them after a clear: every id added since is
 * queued on its own). Adds need no such care: a newer timestamp always wins in Redis.
 *
 * <p>Thread-safe.
 */
public final class WriteQueue {

    /** The most ids one call of the write script carries. */
    public static final int MAX_ENTRIES_PER_CALL = 4096;

    private static final byte[] ADD = ascii("A");
    private static final byte[] DISCARD = ascii("D");
    private static final byte[] CLEAR = ascii("C");

    /** Stores the changes of one call: the write script's change arguments, in order. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Stores the changes durably (retrying as it sees fit) or throws.
         *
         * @param changes the write script's change arguments ({@code A n score id ...}, {@code D n id ...},
         *                {@code C}); possibly none (then only the limits are applied)
         * @throws RuntimeException when they could not be stored
         */
        void write(List<byte[]> changes);
    }

    private enum Kind { ADD, DISCARD, CLEAR }

    /** One queued change; its outcome is its ticket's. */
    public static final class Change {
        private final Kind kind;
        private final String[] ids;
        private final long[] micros;
        private final String what;
        /** The index of the last call that carries the change; set by the writer while it encodes. */
        private int lastCall;
        /** Set when the change is queued. */
        private GroupCommitQueue.Ticket<Change> ticket;

        private Change(Kind kind, String[] ids, long[] micros, String what) {
            this.kind = kind;
            this.ids = ids;
            this.micros = micros;
            this.what = what;
        }
    }

    /** Guards the snapshot window, and orders the changes that note it with the snapshot. */
    private final Object lock = new Object();
    private final GroupCommitQueue<Change> queue;
    private final String location;
    private final Function<RuntimeException, String> reasons;
    private Set<String> removedInWindow;
    private boolean clearedInWindow;

    /**
     * Creates the queue.
     *
     * @param sink what stores the changes
     * @param location the store's location, for messages
     * @param reasons describes a failure of the sink for a message that names the location already
     */
    public WriteQueue(Sink sink, String location, Function<RuntimeException, String> reasons) {
        this.queue = GroupCommitQueue.<Change>builder(batch -> write(sink, batch)).build();
        this.location = location;
        this.reasons = reasons;
    }

    /**
     * Queues an added (or refreshed) id.
     *
     * @param id the task id
     * @param timestamp its wall-clock epoch seconds
     * @return the change, to {@link #await}
     * @throws StateStoreClosedException once the queue is closed
     */
    public Change add(String id, double timestamp) {
        return enqueue(new Change(Kind.ADD, new String[] {id}, new long[] {micros(timestamp)}, "the revoke of " + id));
    }

    /**
     * Queues ids added together.
     *
     * @param entries ids to their wall-clock epoch seconds
     * @return the change, to {@link #await}
     * @throws StateStoreClosedException once the queue is closed
     */
    public Change addAll(Map<String, Double> entries) {
        return enqueue(addChange(entries, null, entries.size() + " revokes"));
    }

    /**
     * Queues a discarded id.
     *
     * @param id the task id
     * @return the change, to {@link #await}
     * @throws StateStoreClosedException once the queue is closed
     */
    public Change discard(String id) {
        synchronized (lock) {
            Change c = enqueue(new Change(Kind.DISCARD, new String[] {id}, null, "the discard of " + id));
            if (removedInWindow != null) {
                removedInWindow.add(id);
            }
            return c;
        }
    }

    /**
     * Queues the removal of every id.
     *
     * @return the change, to {@link #await}
     * @throws StateStoreClosedException once the queue is closed
     */
    public Change clear() {
        synchronized (lock) {
            Change c = enqueue(new Change(Kind.CLEAR, new String[0], null, "the clearing of the revoked ids"));
            if (removedInWindow != null) {
                clearedInWindow = true;
            }
            return c;
        }
    }

    /** Starts noting discards and clears, just before a sync captures the worker's set. */
    public void openSnapshotWindow() {
        synchronized (lock) {
            removedInWindow = new HashSet<>();
            clearedInWindow = false;
        }
    }

    /** Stops noting discards and clears without queueing a snapshot (the capture failed). */
    public void abandonSnapshotWindow() {
        synchronized (lock) {
            removedInWindow = null;
            clearedInWindow = false;
        }
    }

    /**
     * Queues the captured set, leaving out what was discarded or cleared since {@link #openSnapshotWindow()}.
     *
     * @param captured the worker's ids to their wall-clock epoch seconds
     * @return the change, to {@link #await}
     * @throws StateStoreClosedException once the queue is closed
     */
    public Change snapshot(Map<String, Double> captured) {
        synchronized (lock) {
            Set<String> removed = removedInWindow;
            boolean cleared = clearedInWindow;
            removedInWindow = null;
            clearedInWindow = false;
            Map<String, Double> entries = cleared ? Map.of() : captured;
            return enqueue(addChange(entries, removed, "the snapshot of " + captured.size() + " revoked ids"));
        }
    }

    private static Change addChange(Map<String, Double> entries, Set<String> leaveOut, String what) {
        int n = entries.size();
        String[] ids = new String[n];
        long[] micros = new long[n];
        int k = 0;
        if (entries instanceof RevokedEntries e) {
            for (int i = 0; i < n; i++) {
                String id = e.id(i);
                if (leaveOut == null || !leaveOut.contains(id)) {
                    ids[k] = id;
                    micros[k++] = e.micros(i);
                }
            }
        } else {
            for (Map.Entry<String, Double> e : entries.entrySet()) {
                if (leaveOut == null || !leaveOut.contains(e.getKey())) {
                    ids[k] = e.getKey();
                    micros[k++] = micros(e.getValue());
                }
            }
        }
        if (k < n) {
            ids = java.util.Arrays.copyOf(ids, k);
            micros = java.util.Arrays.copyOf(micros, k);
        }
        return new Change(Kind.ADD, ids, micros, what);
    }

    private Change enqueue(Change c) {
        try {
            c.ticket = queue.enqueue(c);
        } catch (GroupCommitQueue.ClosedException e) {
            throw new StateStoreClosedException(location);
        }
        return c;
    }

    /**
     * Waits until a change is stored, writing it (and whatever else is queued) when no other thread is
     * writing. An interrupt does not stop the wait (the outcome must be known); it is kept for the caller.
     *
     * @param change a change this queue returned
     * @throws UnableToSaveStateException when the change could not be stored
     */
    public void await(Change change) {
        try {
            queue.await(change.ticket);
        } catch (GroupCommitQueue.FlushFailedException e) {
            RuntimeException failure = e.getCause() instanceof RuntimeException r ? r
                    : new IllegalStateException("the write to Redis stopped with an error");
            throw new UnableToSaveStateException(location, change.what + " could not be stored in Redis: "
                    + reasons.apply(failure), failure);
        }
    }

    /**
     * Refuses new changes and writes those still queued; what fails is reported to the threads waiting for
     * it. Closing twice does nothing.
     */
    public void close() {
        try {
            queue.close();
        } catch (GroupCommitQueue.FlushFailedException e) {
            // reported to the threads waiting for those changes
        }
    }

    /**
     * Writes a batch (the queue's writer, one at a time): the changes split into calls; a call that fails
     * fails the changes it carries and those after it (a failure of the encoding fails them all).
     */
    private static void write(Sink sink, GroupCommitQueue.Batch<Change> batch) {
        List<Change> changes = batch.items();
        List<List<byte[]>> calls = encode(changes);
        for (int c = 0; c < calls.size(); c++) {
            try {
                sink.write(calls.get(c));
            } catch (RuntimeException e) {
                for (int i = 0; i < changes.size(); i++) {
                    if (changes.get(i).lastCall >= c) {
                        batch.fail(i, e);
                    }
                }
                return;
            }
        }
    }

    /** Splits a batch into calls of at most {@link #MAX_ENTRIES_PER_CALL} ids, in order. */
    private static List<List<byte[]>> encode(List<Change> batch) {
        List<List<byte[]>> calls = new ArrayList<>();
        List<byte[]> call = new ArrayList<>();
        int entries = 0;
        for (Change ch : batch) {
            if (ch.kind == Kind.CLEAR) {
                if (entries >= MAX_ENTRIES_PER_CALL) {
                    calls.add(call);
                    call = new ArrayList<>();
                    entries = 0;
                }
                call.add(CLEAR);
                entries++;
            } else {
                int n = ch.ids.length;
                int i = 0;
                while (i < n) {
                    if (entries >= MAX_ENTRIES_PER_CALL) {
                        calls.add(call);
                        call = new ArrayList<>();
                        entries = 0;
                    }
                    int k = Math.min(MAX_ENTRIES_PER_CALL - entries, n - i);
                    call.add(ch.kind == Kind.ADD ? ADD : DISCARD);
                    call.add(ascii(Integer.toString(k)));
                    for (int j = i; j < i + k; j++) {
                        if (ch.kind == Kind.ADD) {
                            call.add(score(ch.micros[j]));
                        }
                        call.add(ch.ids[j].getBytes(StandardCharsets.UTF_8));
                    }
                    i += k;
                    entries += k;
                }
            }
            ch.lastCall = calls.size();
        }
        calls.add(call);
        return calls;
    }

    /**
     * A timestamp as a sorted-set score: epoch seconds written exactly to the microsecond
     * ({@code 1763712000.123456}), which Redis parses to the same double as {@code micros / 1e6}.
     *
     * @param micros wall-clock epoch microseconds
     * @return the score's bytes
     */
    public static byte[] score(long micros) {
        return ascii(BigDecimal.valueOf(micros, 6).toPlainString());
    }

    /**
     * Epoch seconds to microseconds, as {@link io.celeriac.state.RevokedSet} rounds them.
     *
     * @param seconds epoch seconds
     * @return epoch microseconds
     */
    public static long micros(double seconds) {
        return Math.round(seconds * 1e6);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
