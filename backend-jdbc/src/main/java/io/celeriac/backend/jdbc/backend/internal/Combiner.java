package io.celeriac.backend.jdbc.backend.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Combines calls that arrive while one is in flight into the next batch, with no thread of its own: the first
 * caller that finds nothing in flight runs a batch of everything queued so far (at first, only its own call, so a
 * lone caller runs at once); callers that arrive meanwhile queue and wait; when a batch ends, its runner hands the
 * turn to the first call still queued, whose caller then runs the next batch with every call queued by then. A call
 * made without a waiting thread ({@link #submitAsync}) that gets the turn has its batch run on an executor.
 *
 * <p>The batch runner completes the {@link Call#outcome} of every call of its batch, each with its own value or
 * failure. Thread-safe.
 *
 * @param <C> the calls
 */
final class Combiner<C extends Combiner.Call<?>> {

    /**
     * One queued call: its outcome, and the signal that wakes its waiting caller (its outcome is ready, or it is
     * this caller's turn to run a batch).
     *
     * @param <T> its value
     */
    abstract static class Call<T> {
        final CompletableFuture<T> outcome = new CompletableFuture<>();
        final CompletableFuture<Void> turn = new CompletableFuture<>();
        boolean waiting;

        /**
         * Whether the call may join a batch that holds {@code first} and the calls already taken.
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
    private final Consumer<List<C>> runner;
    private final Executor executor;
    private boolean busy;

    /**
     * @param maxBatch the most calls a batch takes
     * @param runner runs a batch and completes the outcome of each of its calls; must not throw
     * @param executor runs the batch of a call made without a waiting thread
     */
    Combiner(int maxBatch, Consumer<List<C>> runner, Executor executor) {
        this.maxBatch = maxBatch;
        this.runner = runner;
        this.executor = executor;
    }

    /**
     * Queues a call and waits for its outcome, running batches when it is this caller's turn.
     *
     * @param call the call
     * @return its value
     */
    <T> T submit(Call<T> call) {
        @SuppressWarnings("unchecked") C c = (C) call;
        boolean lead;
        lock.lock();
        try {
            call.waiting = true;
            queue.addLast(c);
            lead = !busy;
            busy = true;
        } finally {
            lock.unlock();
        }
        if (lead) {
            runNext();
        }
        while (!call.outcome.isDone()) {
            call.turn.join();
            if (!call.outcome.isDone()) {
                runNext(); // our turn: the batch's first call is ours, so the loop ends after it
            }
        }
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
     * Queues a call without waiting: when it finds nothing in flight, its batch runs on the executor.
     *
     * @param call the call
     * @return its outcome
     */
    <T> CompletableFuture<T> submitAsync(Call<T> call) {
        @SuppressWarnings("unchecked") C c = (C) call;
        boolean lead;
        lock.lock();
        try {
            queue.addLast(c);
            lead = !busy;
            busy = true;
        } finally {
            lock.unlock();
        }
        if (lead) {
            startOnExecutor();
        }
        return call.outcome;
    }

    private void startOnExecutor() {
        try {
            executor.execute(this::runNext);
        } catch (RuntimeException e) {
            runNext(); // the executor refused: run it here rather than strand the queue
        }
    }

    /** Runs one batch of what is queued, then hands the turn on (or ends being busy). */
    private void runNext() {
        List<C> batch = new ArrayList<>();
        lock.lock();
        try {
            Iterator<C> it = queue.iterator();
            while (it.hasNext() && batch.size() < maxBatch) {
                C c = it.next();
                if (batch.isEmpty() || c.fits(batch)) {
                    batch.add(c);
                    it.remove();
                }
            }
        } finally {
            lock.unlock();
        }
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
                c.turn.complete(null);
            }
            handOn();
        }
    }

    private void handOn() {
        C next;
        lock.lock();
        try {
            next = queue.peekFirst();
            if (next == null) {
                busy = false;
                return;
            }
        } finally {
            lock.unlock();
        }
        if (next.waiting) {
            next.turn.complete(null);
        } else {
            startOnExecutor();
        }
    }
}
