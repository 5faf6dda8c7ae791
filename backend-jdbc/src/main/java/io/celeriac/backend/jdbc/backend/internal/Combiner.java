package io.celeriac.backend.jdbc.backend.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Combines calls that arrive while others are in flight into the next batch, with no thread of its own: a caller
 * that finds a free slot (at most {@code maxInFlight} batches run at once) runs a batch of everything queued so far
 * (at first, only its own call, so a lone caller runs at once); callers that arrive meanwhile queue and wait; when a
 * batch ends, its runner hands its slot to the first call still queued, whose caller then runs the next batch with
 * every call queued by then. A call made without a waiting thread ({@link #submitAsync}) that gets the slot has its
 * batch run on an executor. With one slot, batches run one after the other, in the order of their calls.
 *
 * <p>The batch runner completes the {@link Call#outcome} of every call of its batch, each with its own value or
 * failure. Thread-safe.
 *
 * @param <C> the calls
 */
final class Combiner<C extends Combiner.Call<?>> {

    /**
     * One queued call: its outcome, and the caller's thread waiting for it (woken when its outcome is ready, or
     * when a slot is handed to it).
     *
     * @param <T> its value
     */
    abstract static class Call<T> {
        final CompletableFuture<T> outcome = new CompletableFuture<>();
        Thread waiter;
        volatile boolean slot;

        /**
         * Whether the call may join a batch that holds the calls already taken; the first call that may not ends the
         * batch (the calls after it wait too, so that none overtakes it).
         *
         * @param batch the calls taken so far, the first one first
         * @return {@code true} to take it now, {@code false} to leave it for a later batch
         */
        boolean fits(List<? extends Call<?>> batch) {
            return true;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<C> queue = new ArrayDeque<>();
    private final int maxBatch;
    private final int maxInFlight;
    private final Consumer<List<C>> runner;
    private final Executor executor;
    private int inFlight;
    /** How many batches of this combiner the current thread is running (a callback of a call it completes may call again). */
    private final ThreadLocal<int[]> running = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * @param maxBatch the most calls a batch takes
     * @param maxInFlight the most batches run at once (1 keeps the calls' order across batches)
     * @param runner runs a batch and completes the outcome of each of its calls; must not throw
     * @param executor runs the batch of a call made without a waiting thread
     */
    Combiner(int maxBatch, int maxInFlight, Consumer<List<C>> runner, Executor executor) {
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.runner = runner;
        this.executor = executor;
    }

    /**
     * Queues a call and waits for its outcome, running batches when a slot is handed to this caller.
     *
     * @param call the call
     * @return its value
     */
    <T> T submit(Call<T> call) {
        @SuppressWarnings("unchecked") C c = (C) call;
        if (running.get()[0] > 0) {
            // called from within a batch this thread runs (a callback of a completed call): waiting for a slot here
            // would wait for ourselves, so the call runs alone, at once
            runner.accept(List.of(c));
            return result(call);
        }
        call.waiter = Thread.currentThread();
        if (takeSlotOrQueue(c)) {
            runNext(c);
        }
        boolean interrupted = false;
        while (!call.outcome.isDone()) {
            if (call.slot) {
                call.slot = false;
                runNext(c); // handed the slot, and out of the queue: the batch is ours and holds our call
            } else {
                LockSupport.park(this);
                interrupted |= Thread.interrupted(); // the call itself is not interruptible, as a lone statement is not
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result(call);
    }

    private static <T> T result(Call<T> call) {
        try {
            return call.outcome.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r; // the call's own failure, as a lone call throws it
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * Queues a call without waiting: when it finds a free slot, its batch runs on the executor.
     *
     * @param call the call
     * @return its outcome
     */
    <T> CompletableFuture<T> submitAsync(Call<T> call) {
        @SuppressWarnings("unchecked") C c = (C) call;
        if (takeSlotOrQueue(c)) {
            startOnExecutor(c);
        }
        return call.outcome;
    }

    private void startOnExecutor(C first) {
        try {
            executor.execute(() -> runNext(first));
        } catch (RuntimeException e) {
            runNext(first); // the executor refused: run it here rather than strand the queue
        }
    }

    /**
     * Holding a slot: runs one batch of {@code first} (a call no longer queued) and what is queued, then hands the
     * slot on to the first call still queued (taking it out of the queue), or frees it.
     */
    private void runNext(C first) {
        List<C> batch = new ArrayList<>();
        batch.add(first);
        lock.lock();
        try {
            Iterator<C> it = queue.iterator();
            while (it.hasNext() && batch.size() < maxBatch) {
                C c = it.next();
                if (!c.fits(batch)) {
                    break; // strictly in order: a later call (maybe of the same id) never overtakes one left queued
                }
                batch.add(c);
                it.remove();
            }
        } finally {
            lock.unlock();
        }
        int[] depth = running.get();
        depth[0]++;
        try {
            runner.accept(batch);
        } catch (RuntimeException | Error e) {
            for (C c : batch) {
                c.outcome.completeExceptionally(e);
            }
            throw e;
        } finally {
            for (C c : batch) {
                if (!c.outcome.isDone()) {
                    c.outcome.completeExceptionally(new IllegalStateException("a batched call was left without an outcome"));
                }
                if (c.waiter != null) {
                    LockSupport.unpark(c.waiter);
                }
            }
            depth[0]--;
            handOn();
        }
    }

    private void handOn() {
        C next;
        lock.lock();
        try {
            next = queue.pollFirst();
            if (next == null) {
                inFlight--;
                return;
            }
        } finally {
            lock.unlock();
        }
        if (next.waiter != null) {
            next.slot = true;
            LockSupport.unpark(next.waiter);
        } else {
            startOnExecutor(next);
        }
    }

    /** @return {@code true} when the call took a free slot (its caller leads a batch), {@code false} when it queued */
    private boolean takeSlotOrQueue(C c) {
        lock.lock();
        try {
            if (inFlight < maxInFlight) {
                inFlight++;
                return true;
            }
            queue.addLast(c);
            return false;
        } finally {
            lock.unlock();
        }
    }
}
