package io.celeriac.backend.redis.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Acknowledgements of a {@link RedisBroker} as group commits: each {@link #ack} returns only once Redis removed its
 * tag from {@code unacked} and {@code unacked_index} (or throws), but tags acknowledged by other threads while a
 * removal is under way are removed together in the next one, one atomic script call for all of them. No thread of
 * its own: the first caller to find no removal under way sends the waiting tags and completes them; the others
 * wait for it. Thread-safe.
 */
final class Acknowledger {

    /** One tag waiting to be removed. */
    private static final class Pending {
        final byte[] tag;
        boolean done;
        RuntimeException failure;

        Pending(byte[] tag) {
            this.tag = tag;
        }
    }

    private final Consumer<List<byte[]>> remover;
    private final int maxBatch;
    private final Object lock = new Object();
    private List<Pending> waiting = new ArrayList<>();
    private boolean busy; // guarded by lock: a caller is sending a batch

    /**
     * @param remover removes the tags in one step (throws when it could not)
     * @param maxBatch the most tags in one removal
     */
    Acknowledger(Consumer<List<byte[]>> remover, int maxBatch) {
        this.remover = remover;
        this.maxBatch = maxBatch;
    }

    /**
     * Removes one tag, with whichever others wait meanwhile.
     *
     * @param tag the delivery tag (UTF-8)
     * @throws RuntimeException what the removal of its batch threw
     */
    void ack(byte[] tag) {
        Pending mine = new Pending(tag);
        boolean interrupted = false;
        try {
            synchronized (lock) {
                waiting.add(mine);
                while (busy && !mine.done) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // its batch may be under way: wait for the outcome all the same
                        interrupted = true;
                    }
                }
                if (mine.done) {
                    throwIfFailed(mine);
                    return;
                }
                busy = true;
            }
            while (true) {
                List<Pending> batch;
                synchronized (lock) {
                    batch = take();
                }
                RuntimeException failure = null;
                try {
                    List<byte[]> tags = new ArrayList<>(batch.size());
                    for (Pending p : batch) {
                        tags.add(p.tag);
                    }
                    remover.accept(tags);
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Error e) {
                    failure = new IllegalStateException("the acknowledgement failed: " + e, e);
                }
                synchronized (lock) {
                    for (Pending p : batch) {
                        p.failure = failure;
                        p.done = true;
                    }
                    if (mine.done) {
                        busy = false;
                    }
                    lock.notifyAll();
                }
                if (mine.done) {
                    throwIfFailed(mine);
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<Pending> take() {
        if (waiting.size() <= maxBatch) {
            List<Pending> b = waiting;
            waiting = new ArrayList<>();
            return b;
        }
        List<Pending> b = new ArrayList<>(waiting.subList(0, maxBatch));
        waiting = new ArrayList<>(waiting.subList(maxBatch, waiting.size()));
        return b;
    }

    private static void throwIfFailed(Pending p) {
        if (p.failure != null) {
            throw p.failure;
        }
    }
}
