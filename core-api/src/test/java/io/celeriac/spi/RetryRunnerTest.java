package io.celeriac.spi;

import io.celeriac.backend.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The retry runner on its own: which failures are retried, how often and how long apart, how a run ends. */
class RetryRunnerTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    /** 3 retries, 0 ms then 1 ms then 2 ms (at most 2 ms). */
    private static final RetryPolicy QUICK = new RetryPolicy(3, Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(2));

    private record Retry(String what, int attempt, int attempts, Duration pause, String failure) { }

    private final List<Retry> retries = new ArrayList<>();

    private RetryRunner.Builder quick() {
        return RetryRunner.builder(QUICK)
                .retryIf(e -> e instanceof IOException)
                .onRetry((what, attempt, attempts, wait, failure) -> retries.add(new Retry(what, attempt, attempts, wait, failure.getMessage())));
    }

    /** Fails with the given exceptions in turn, then returns "ok". */
    private static RetryRunner.Attempt<String, IOException> failing(AtomicInteger calls, Exception... failures) {
        return () -> {
            int n = calls.getAndIncrement();
            if (n < failures.length) {
                Exception e = failures[n];
                if (e instanceof IOException io) {
                    throw io;
                }
                throw (RuntimeException) e;
            }
            return "ok";
        };
    }

    @Test
    void aSuccessIsReturnedWithoutRetry() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        assertThat(quick().build().call("reading", failing(calls))).isEqualTo("ok");
        assertThat(calls.get()).isEqualTo(1);
        assertThat(retries).isEmpty();
    }

    @Test
    void retryableFailuresAreRetriedAfterThePolicysIntervals() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        String r = quick().build().call("reading", failing(calls, new IOException("one"), new IOException("two"), new IOException("three")));
        assertThat(r).isEqualTo("ok");
        assertThat(calls.get()).isEqualTo(4);
        assertThat(retries).containsExactly(
                new Retry("reading", 1, 4, Duration.ZERO, "one"),
                new Retry("reading", 2, 4, Duration.ofMillis(1), "two"),
                new Retry("reading", 3, 4, Duration.ofMillis(2), "three"));
    }

    @Test
    void theLastFailureEndsTheRunAsItIsAfterMaxRetries() {
        AtomicInteger calls = new AtomicInteger();
        IOException last = new IOException("four");
        assertThatThrownBy(() -> quick().build().call("x", failing(calls,
                new IOException("one"), new IOException("two"), new IOException("three"), last))).isSameAs(last);
        assertThat(calls.get()).as("maxRetries + 1 attempts").isEqualTo(4);
        assertThat(retries).hasSize(3);
    }

    @Test
    void aFailureThePredicateRefusesEndsTheRunAtOnceWhateverItsType() {
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException bug = new IllegalStateException("not transient");
        assertThatThrownBy(() -> quick().build().call("x", failing(calls, new IOException("one"), bug))).isSameAs(bug);
        assertThat(calls.get()).isEqualTo(2);

        AtomicInteger checked = new AtomicInteger();
        SQLTransientException sql = new SQLTransientException("refused by the predicate");
        RetryRunner.Attempt<String, SQLTransientException> op = () -> {
            checked.incrementAndGet();
            throw sql;
        };
        assertThatThrownBy(() -> quick().build().call("x", op)).isSameAs(sql);
        assertThat(checked.get()).isEqualTo(1);
    }

    @Test
    void giveUpMakesTheFinalExceptionKnowingTheAttempts() {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<String> seen = new AtomicReference<>();
        RetryRunner.GiveUp<IllegalStateException> giveUp = (what, failure, attempts) -> {
            seen.set(what + "/" + failure.getMessage() + "/" + attempts);
            return new IllegalStateException("gave up " + what + " after " + attempts);
        };
        assertThatThrownBy(() -> quick().build().call("storing t1", failing(calls, new IOException("a"), new IOException("b"),
                new IOException("c"), new IOException("d")), giveUp)).isInstanceOf(IllegalStateException.class)
                .hasMessage("gave up storing t1 after 4");
        assertThat(seen.get()).isEqualTo("storing t1/d/4");

        calls.set(0);
        assertThatThrownBy(() -> quick().build().call("storing t2", failing(calls, new IllegalArgumentException("bad")), giveUp))
                .hasMessage("gave up storing t2 after 1");
    }

    @Test
    void aRetryIsNotMadeWhenItsWaitWouldEndAfterTheDeadline() {
        RetryPolicy slow = new RetryPolicy(5, Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(5));
        AtomicInteger calls = new AtomicInteger();
        IOException first = new IOException("first");
        long start = System.nanoTime();
        assertThatThrownBy(() -> RetryRunner.builder(slow).retryIf(e -> true).deadline(Duration.ofSeconds(1)).build()
                .call("x", failing(calls, first))).isSameAs(first);
        assertThat(calls.get()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

        calls.set(0);
        assertThat(catchingCall(RetryRunner.builder(QUICK).retryIf(e -> true).deadline(LONG).build(), calls,
                new IOException("a"), new IOException("b"))).as("within the deadline").isEqualTo("ok");
        assertThat(calls.get()).isEqualTo(3);
    }

    private static String catchingCall(RetryRunner runner, AtomicInteger calls, Exception... failures) {
        try {
            return runner.call("x", failing(calls, failures));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anInterruptDuringAWaitEndsTheRunWithTheLastFailureAndIsKept() throws Exception {
        RetryPolicy hourly = new RetryPolicy(5, Duration.ofHours(1), Duration.ZERO, Duration.ofHours(1));
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        IOException first = new IOException("first");
        AtomicReference<Thread> runnerThread = new AtomicReference<>();
        CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
            runnerThread.set(Thread.currentThread());
            RetryRunner r = RetryRunner.builder(hourly).retryIf(e -> true)
                    .onRetry((what, attempt, attempts, wait, failure) -> waiting.countDown()).build();
            try {
                r.call("x", failing(calls, first, new IOException("second")), (what, failure, attempts) ->
                        new IllegalStateException(failure.getMessage() + " after " + attempts));
                return "no failure";
            } catch (IllegalStateException e) {
                return e.getMessage() + ", interrupted " + Thread.currentThread().isInterrupted();
            }
        });
        assertThat(waiting.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        runnerThread.get().interrupt();
        assertThat(outcome.get(LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo("first after 1, interrupted true");
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void anErrorPassesThroughUntouched() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger asked = new AtomicInteger();
        RetryRunner r = RetryRunner.builder(QUICK).retryIf(e -> asked.incrementAndGet() > 0).build();
        assertThatThrownBy(() -> r.call("x", () -> {
            calls.incrementAndGet();
            throw new StackOverflowError("deep");
        })).isInstanceOf(StackOverflowError.class);
        assertThat(calls.get()).isEqualTo(1);
        assertThat(asked.get()).isZero();
    }

    @Test
    void noRetriesMeansOneAttemptAndByDefaultNothingIsRetried() {
        AtomicInteger calls = new AtomicInteger();
        IOException e = new IOException("once");
        assertThatThrownBy(() -> RetryRunner.builder(RetryPolicy.NONE).retryIf(x -> true).build().call("x", failing(calls, e)))
                .isSameAs(e);
        assertThat(calls.get()).isEqualTo(1);
        calls.set(0);
        assertThatThrownBy(() -> RetryRunner.builder(QUICK).build().call("x", failing(calls, e))).isSameAs(e);
        assertThat(calls.get()).isEqualTo(1);
        assertThat(RetryRunner.builder(QUICK).build().policy()).isEqualTo(QUICK);
        assertThatThrownBy(() -> RetryRunner.builder(QUICK).deadline(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------ asynchronous

    private static final java.util.concurrent.Executor POOL = java.util.concurrent.ForkJoinPool.commonPool();

    /** Fails with IOExceptions (retried) {@code failures} times, then gives "ok"; counts its attempts. */
    private static java.util.function.Supplier<CompletableFuture<String>> asyncFailing(AtomicInteger calls, int failures,
                                                                                       RuntimeException last) {
        return () -> {
            int n = calls.getAndIncrement();
            if (n < failures) {
                return CompletableFuture.failedFuture(new IOException("lost " + n));
            }
            if (last != null) {
                return CompletableFuture.supplyAsync(() -> {
                    throw last;
                });
            }
            return CompletableFuture.completedFuture("ok");
        };
    }

    private static RetryRunner asyncRunner(AtomicInteger heard) {
        return RetryRunner.builder(QUICK).retryIf(e -> e instanceof IOException)
                .onRetry((what, attempt, attempts, wait, failure) -> heard.incrementAndGet()).build();
    }

    @Test
    void anAsyncRunRetriesTransientFailuresAndEndsWithTheValue() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger heard = new AtomicInteger();
        CompletableFuture<String> f = asyncRunner(heard).callAsync("reading", asyncFailing(calls, 2, null),
                (what, e, attempts) -> new IllegalStateException(what + " gave up after " + attempts), POOL);
        assertThat(f.join()).isEqualTo("ok");
        assertThat(calls.get()).isEqualTo(3);
        assertThat(heard.get()).isEqualTo(2);
    }

    @Test
    void anAsyncRunEndsWithWhatGiveUpMakesOfTheLastFailure() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> f = asyncRunner(new AtomicInteger()).callAsync("reading", asyncFailing(calls, 10, null),
                (what, e, attempts) -> new IllegalStateException(what + " gave up after " + attempts + ": " + e.getMessage()), POOL);
        assertThatThrownBy(f::join).hasCauseInstanceOf(IllegalStateException.class)
                .cause().hasMessage("reading gave up after 4: lost 3");
        assertThat(calls.get()).isEqualTo(4);
    }

    @Test
    void anAsyncFailureThatIsNotRetriedEndsTheRunAtOnceUnwrapped() {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Exception> seen = new AtomicReference<>();
        CompletableFuture<String> f = asyncRunner(new AtomicInteger()).callAsync("reading",
                asyncFailing(calls, 1, new IllegalArgumentException("bad")),
                (what, e, attempts) -> {
                    seen.set(e);
                    return new IllegalStateException("given up", e);
                }, POOL);
        assertThatThrownBy(f::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(seen.get()).isInstanceOf(IllegalArgumentException.class).hasMessage("bad");
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void anAttemptThatThrowsInsteadOfFailingItsFutureCountsAsAFailedAttempt() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> f = asyncRunner(new AtomicInteger()).callAsync("reading", () -> {
            if (calls.getAndIncrement() == 0) {
                throw new java.io.UncheckedIOException(new IOException("thrown"));
            }
            return CompletableFuture.completedFuture("ok");
        }, (what, e, attempts) -> new IllegalStateException(e), POOL);
        assertThatThrownBy(f::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(calls.get()).as("an UncheckedIOException is not an IOException: not retried").isEqualTo(1);
    }
}
