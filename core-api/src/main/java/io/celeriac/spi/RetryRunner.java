package io.celeriac.spi;

import io.celeriac.backend.RetryPolicy;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs an operation under a {@link RetryPolicy} (kombu's {@code retry_policy}): a failure the
 * {@linkplain Builder#retryIf predicate} lets pass is retried after the policy's interval, up to its number of
 * retries (and, with a {@linkplain Builder#deadline deadline}, only while the retry would start within it);
 * any other failure, the last one, and a failure whose wait is interrupted end the run.
 *
 * <p>How a run ends is the caller's: {@link #call(String, Attempt)} throws the last failure as it is;
 * {@link #call(String, Attempt, GiveUp)} throws what the {@link GiveUp} makes of it (knowing the number of
 * attempts). Before each wait the {@linkplain Builder#onRetry listener} hears about the retry, so each caller
 * logs its own line. An interrupt during a wait ends the run at once and the thread's interrupt flag is set
 * again. Only {@link Exception}s are caught; an {@link Error} passes through untouched.
 *
 * <p>Attempt {@code n} (from 1) that fails is followed by the wait {@link RetryPolicy#intervalBefore(int)
 * intervalBefore(n)}; at most {@code maxRetries + 1} attempts are made.
 *
 * <p>Immutable and thread-safe (as thread-safe as the predicate and the listener it is given). Nulls are
 * refused with {@link NullPointerException}, except {@code what}, which is only handed on.
 */
public final class RetryRunner {

    /**
     * One attempt of the operation.
     *
     * @param <T> its result
     * @param <E> the checked exception it may throw ({@link RuntimeException} when none)
     */
    @FunctionalInterface
    public interface Attempt<T, E extends Exception> {
        /**
         * Makes the attempt.
         *
         * @return the result
         * @throws E when it failed
         */
        T run() throws E;
    }

    /** Hears about each retry before its wait, e.g. to log it. */
    @FunctionalInterface
    public interface RetryListener {
        /**
         * Called before the wait that precedes a retry.
         *
         * @param what what the caller said it does, as given to {@code call}
         * @param attempt the number of the attempt that failed, from 1
         * @param attempts the most attempts the policy allows ({@code maxRetries + 1})
         * @param wait the wait before the next attempt
         * @param failure the failure of the attempt
         */
        void retrying(String what, int attempt, int attempts, Duration wait, Exception failure);
    }

    /**
     * Makes the exception a run ends with.
     *
     * @param <X> the exception
     */
    @FunctionalInterface
    public interface GiveUp<X extends Exception> {
        /**
         * The exception to throw.
         *
         * @param what what the caller said it does, as given to {@code call}
         * @param failure the last failure
         * @param attempts how many attempts were made, from 1
         * @return the exception to throw (may be {@code failure} itself)
         */
        X giveUp(String what, Exception failure, int attempts);
    }

    /** Configures a runner. */
    public static final class Builder {
        private final RetryPolicy policy;
        private Predicate<? super Exception> retryIf = e -> false;
        private RetryListener listener = (what, attempt, attempts, wait, failure) -> { };
        private long deadlineNanos = -1;

        private Builder(RetryPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
        }

        /**
         * Which failures may be retried (transient ones: a lost connection, a serialization failure). Asked once
         * per failure. By default none is.
         *
         * @param mayRetry {@code true} for a failure that may be retried
         * @return this builder
         */
        public Builder retryIf(Predicate<? super Exception> mayRetry) {
            this.retryIf = Objects.requireNonNull(mayRetry, "mayRetry");
            return this;
        }

        /**
         * A bound on the whole run: no retry starts later than this after the first attempt began (a retry
         * whose wait would end later is not made). By default only the number of retries bounds a run.
         *
         * @param timeout the bound, not negative
         * @return this builder
         * @throws IllegalArgumentException when it is negative
         */
        public Builder deadline(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("a retry deadline cannot be negative: " + timeout);
            }
            this.deadlineNanos = timeout.compareTo(Duration.ofDays(365 * 100L)) > 0 ? -1 : timeout.toNanos();
            return this;
        }

        /**
         * What hears about each retry. By default nothing does.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder onRetry(RetryListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Builds the runner.
         *
         * @return the runner
         */
        public RetryRunner build() {
            return new RetryRunner(this);
        }
    }

    /**
     * Starts configuring a runner.
     *
     * @param policy how often and how long apart to retry
     * @return a builder
     */
    public static Builder builder(RetryPolicy policy) {
        return new Builder(policy);
    }

    private final RetryPolicy policy;
    private final Predicate<? super Exception> retryIf;
    private final RetryListener listener;
    private final long deadlineNanos;

    private RetryRunner(Builder b) {
        this.policy = b.policy;
        this.retryIf = b.retryIf;
        this.listener = b.listener;
        this.deadlineNanos = b.deadlineNanos;
    }

    /**
     * The policy the runner follows.
     *
     * @return the policy
     */
    public RetryPolicy policy() {
        return policy;
    }

    /**
     * Runs an operation, retrying the failures the predicate lets pass; the run ends with the last failure,
     * thrown as it is.
     *
     * @param what what the operation does, for the listener; may be {@code null}
     * @param op the operation
     * @param <T> its result
     * @param <E> the checked exception it may throw
     * @return its result
     * @throws E the last failure (or an unchecked one)
     */
    public <T, E extends Exception> T call(String what, Attempt<T, E> op) throws E {
        return run(what, op, null);
    }

    /**
     * Runs an operation, retrying the failures the predicate lets pass; the run ends with what {@code giveUp}
     * makes of the last failure, whatever that failure was.
     *
     * @param what what the operation does, for the listener and {@code giveUp}; may be {@code null}
     * @param op the operation
     * @param giveUp makes the exception the run ends with
     * @param <T> its result
     * @param <X> the exception the run ends with
     * @return its result
     * @throws X what {@code giveUp} made of the last failure
     */
    public <T, X extends Exception> T call(String what, Attempt<T, ? extends Exception> op, GiveUp<X> giveUp) throws X {
        return run(what, op, Objects.requireNonNull(giveUp, "giveUp"));
    }

    /**
     * Runs an asynchronous operation with the same rules, without blocking a thread between attempts: a failed
     * attempt that may be retried starts again after the policy's interval on {@code executor} (delayed with
     * {@link CompletableFuture#delayedExecutor}); the returned future ends with the operation's value, or with
     * what {@code giveUp} makes of the last failure. An exception thrown by {@code op} itself counts as a failed
     * attempt. The deadline, if any, counts from this call.
     *
     * @param what what the operation does, for the listener and {@code giveUp}; may be {@code null}
     * @param op starts one attempt
     * @param giveUp makes the exception the future fails with
     * @param executor where retries start
     * @param <T> its result
     * @return the future
     */
    public <T> CompletableFuture<T> callAsync(String what, Supplier<CompletableFuture<T>> op,
                                              GiveUp<? extends RuntimeException> giveUp, Executor executor) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(giveUp, "giveUp");
        Objects.requireNonNull(executor, "executor");
        CompletableFuture<T> out = new CompletableFuture<>();
        long deadline = deadlineNanos >= 0 ? System.nanoTime() + deadlineNanos : 0;
        attemptAsync(what, op, giveUp, executor, out, 1, deadline);
        return out;
    }

    private <T> void attemptAsync(String what, Supplier<CompletableFuture<T>> op, GiveUp<? extends RuntimeException> giveUp,
                                  Executor executor, CompletableFuture<T> out, int attempt, long deadline) {
        CompletableFuture<T> f;
        try {
            f = op.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, t) -> {
            if (t == null) {
                out.complete(v);
                return;
            }
            Throwable cause = t;
            while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (!(cause instanceof Exception failure)) {
                out.completeExceptionally(cause);
                return;
            }
            boolean retry = retryIf.test(failure) && attempt <= policy.maxRetries();
            Duration wait = retry ? policy.intervalBefore(attempt) : Duration.ZERO;
            if (retry && deadlineNanos >= 0 && System.nanoTime() + wait.toNanos() - deadline > 0) {
                retry = false;
            }
            if (!retry) {
                RuntimeException end;
                try {
                    end = giveUp.giveUp(what, failure, attempt);
                } catch (RuntimeException e) {
                    end = e;
                }
                out.completeExceptionally(end);
                return;
            }
            listener.retrying(what, attempt, policy.maxRetries() + 1, wait, failure);
            Executor next = wait.isZero() ? executor
                    : CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS, executor);
            try {
                next.execute(() -> attemptAsync(what, op, giveUp, executor, out, attempt + 1, deadline));
            } catch (RuntimeException e) {
                out.completeExceptionally(giveUp.giveUp(what, failure, attempt));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private <T, X extends Exception> T run(String what, Attempt<T, ? extends Exception> op, GiveUp<?> giveUp) throws X {
        Objects.requireNonNull(op, "op");
        long deadline = deadlineNanos >= 0 ? System.nanoTime() + deadlineNanos : 0;
        int attempt = 0;
        while (true) {
            attempt++;
            Exception failure;
            try {
                return op.run();
            } catch (Exception e) {
                failure = e;
            }
            boolean retry = retryIf.test(failure) && attempt <= policy.maxRetries();
            Duration wait = retry ? policy.intervalBefore(attempt) : Duration.ZERO;
            if (retry && deadlineNanos >= 0 && System.nanoTime() + wait.toNanos() - deadline > 0) {
                retry = false;
            }
            if (retry) {
                listener.retrying(what, attempt, policy.maxRetries() + 1, wait, failure);
                if (!wait.isZero()) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait.toNanos());
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        retry = false;
                    }
                }
            }
            if (!retry) {
                throw (X) (giveUp == null ? failure : giveUp.giveUp(what, failure, attempt));
            }
        }
    }
}
