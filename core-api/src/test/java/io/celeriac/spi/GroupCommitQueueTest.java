package io.celeriac.spi;

import io.celeriac.spi.GroupCommitQueue.Batch;
import io.celeriac.spi.GroupCommitQueue.ClosedException;
import io.celeriac.spi.GroupCommitQueue.FlushFailedException;
import io.celeriac.spi.GroupCommitQueue.Ticket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The group-commit queue on its own: batching, outcomes per batch and per item, close, interrupts. */
class GroupCommitQueueTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    /** Records every batch; can hold a flush until released, and fail it. */
    private static final class Recorder implements GroupCommitQueue.Flusher<String> {
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        volatile CountDownLatch entered = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);
        /** The failure of the next flush that reads it (after its release). */
        final AtomicReference<Exception> failNext = new AtomicReference<>();

        @Override
        public void flush(Batch<String> batch) throws Exception {
            if (running.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            try {
                entered.countDown();
                assertThat(release.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
                batches.add(List.copyOf(batch.items()));
                Exception f = failNext.getAndSet(null);
                if (f != null) {
                    throw f;
                }
            } finally {
                running.decrementAndGet();
            }
        }

        /** The next flush blocks once entered, until the returned latch is counted down. */
        CountDownLatch holdNext() {
            entered = new CountDownLatch(1);
            release = new CountDownLatch(1);
            return release;
        }

        Set<String> flushed() {
            Set<String> out = new HashSet<>();
            batches.forEach(out::addAll);
            return out;
        }
    }

    private final Recorder recorder = new Recorder();
    private final GroupCommitQueue<String> queue = GroupCommitQueue.builder(recorder).build();

    private Future<?> awaitIn(Ticket<String> t) {
        return pool.submit(() -> {
            queue.await(t);
            return null;
        });
    }

    @Test
    void aLoneItemIsFlushedAloneByItsOwnCaller() throws Exception {
        Ticket<String> t = queue.enqueue("a");
        assertThat(t.isDone()).isFalse();
        assertThat(t.item()).isEqualTo("a");
        queue.await(t);
        assertThat(t.isDone()).isTrue();
        assertThat(recorder.batches).containsExactly(List.of("a"));
        queue.await(t); // a second wait returns at once
        assertThat(recorder.batches).hasSize(1);
        queue.submit("b");
        assertThat(recorder.batches).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void itemsQueuedDuringAFlushShareTheNextOneInTheirOrder() throws Exception {
        CountDownLatch release = recorder.holdNext();
        Future<?> first = pool.submit(() -> {
            queue.submit("first");
            return null;
        });
        assertThat(recorder.entered.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<Ticket<String>> tickets = new ArrayList<>();
        List<Future<?>> waiters = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Ticket<String> t = queue.enqueue("i" + i);
            tickets.add(t);
            waiters.add(awaitIn(t));
        }
        release.countDown();
        first.get(LONG.toSeconds(), TimeUnit.SECONDS);
        for (Future<?> w : waiters) {
            w.get(LONG.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(recorder.batches).containsExactly(List.of("first"),
                List.of("i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9"));
        assertThat(tickets).allMatch(Ticket::isDone);
    }

    @Test
    void manyThreadsLoseNothingNeverOverlapAndShareFlushes() throws Exception {
        int threads = 8;
        int each = 200;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int k = t;
            fs.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    String item = k + "-" + i;
                    queue.submit(item);
                    assertThat(recorder.flushed()).as("returns only after its own item is flushed").contains(item);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : fs) {
            f.get(LONG.toSeconds(), TimeUnit.SECONDS);
        }
        List<String> all = new ArrayList<>();
        recorder.batches.forEach(all::addAll);
        assertThat(all).hasSize(threads * each).doesNotHaveDuplicates();
        assertThat(recorder.overlaps.get()).as("never two flushes at once").isZero();
        for (int t = 0; t < threads; t++) { // each thread's items in its order
            String prefix = t + "-";
            List<String> mine = all.stream().filter(s -> s.startsWith(prefix)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                expected.add(prefix + i);
            }
            assertThat(mine).isEqualTo(expected);
        }
    }

    @Test
    void aCallerReturnsOnlyAfterTheFlushCarryingItsItemEnded() throws Exception {
        CountDownLatch release = recorder.holdNext();
        Ticket<String> t = queue.enqueue("x");
        Future<?> leader = awaitIn(t);
        assertThat(recorder.entered.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        Future<?> second = awaitIn(t);
        assertThat(leader).isNotDone();
        assertThat(second).isNotDone();
        assertThat(t.isDone()).isFalse();
        release.countDown();
        leader.get(LONG.toSeconds(), TimeUnit.SECONDS);
        second.get(LONG.toSeconds(), TimeUnit.SECONDS);
        assertThat(t.isDone()).isTrue();
        assertThat(recorder.batches).containsExactly(List.of("x"));
    }

    @Test
    void aFailedFlushFailsExactlyTheItemsOfItsBatch() throws Exception {
        CountDownLatch release = recorder.holdNext();
        Ticket<String> a = queue.enqueue("a");
        Ticket<String> b = queue.enqueue("b");
        Future<?> fa = awaitIn(a);
        assertThat(recorder.entered.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        Ticket<String> later = queue.enqueue("later"); // queued during the failing flush: the next batch
        IOException boom = new IOException("disk full");
        recorder.failNext.set(boom);
        Future<?> fb = awaitIn(b);
        release.countDown();
        assertThat(fa).failsWithin(LONG).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(FlushFailedException.class).havingCause().isSameAs(boom);
        assertThat(fb).failsWithin(LONG).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(FlushFailedException.class).havingCause().isSameAs(boom);
        queue.await(later);
        assertThat(recorder.batches).containsExactly(List.of("a", "b"), List.of("later"));
        queue.submit("after"); // the queue goes on
    }

    @Test
    void theFlusherMayFailSingleItemsAndAThrowFailsOnlyTheUnmarkedOnes() throws Exception {
        RuntimeException bad = new IllegalArgumentException("bad item");
        RuntimeException rest = new IllegalStateException("connection lost");
        AtomicReference<Boolean> throwAfterMarking = new AtomicReference<>(false);
        GroupCommitQueue<String> q = GroupCommitQueue.<String>builder(batch -> {
            for (int i = 0; i < batch.size(); i++) {
                if (batch.items().get(i).startsWith("bad")) {
                    batch.fail(i, bad);
                }
            }
            if (throwAfterMarking.get()) {
                throw rest;
            }
        }).build();
        Ticket<String> ok = q.enqueue("ok");
        Ticket<String> badOne = q.enqueue("bad1");
        Ticket<String> ok2 = q.enqueue("ok2");
        q.await(ok);
        q.await(ok2);
        assertThatThrownBy(() -> q.await(badOne)).isInstanceOf(FlushFailedException.class).hasCause(bad);

        throwAfterMarking.set(true);
        Ticket<String> bad2 = q.enqueue("bad2");
        Ticket<String> other = q.enqueue("other");
        assertThatThrownBy(() -> q.await(other)).isInstanceOf(FlushFailedException.class).cause().isSameAs(rest);
        assertThatThrownBy(() -> q.await(bad2)).isInstanceOf(FlushFailedException.class).cause().isSameAs(bad);
    }

    @Test
    void anErrorFailsTheBatchIsThrownToTheLeaderAndLeavesTheQueueUsable() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        GroupCommitQueue<String> q = GroupCommitQueue.<String>builder(batch -> {
            if (calls.incrementAndGet() == 1) {
                throw new OutOfMemoryError("simulated");
            }
        }).build();
        Ticket<String> a = q.enqueue("a");
        Ticket<String> b = q.enqueue("b");
        assertThatThrownBy(() -> q.await(a)).isInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(() -> q.await(b)).isInstanceOf(FlushFailedException.class).cause().isInstanceOf(OutOfMemoryError.class);
        q.submit("c");
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void batchesRespectTheMaximumWeightAndAHeavyItemGoesAlone() throws Exception {
        List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        GroupCommitQueue<String> q = GroupCommitQueue.<String>builder(batch -> batches.add(List.copyOf(batch.items())))
                .weigher(String::length).maxBatchWeight(4).build();
        List<Ticket<String>> ts = new ArrayList<>();
        for (String s : List.of("a", "bb", "c", "dddddd", "e", "ff", "ggg")) {
            ts.add(q.enqueue(s));
        }
        q.await(ts.get(ts.size() - 1)); // the oldest go first, until the last is flushed
        assertThat(batches).containsExactly(List.of("a", "bb", "c"), List.of("dddddd"), List.of("e", "ff"), List.of("ggg"));
        assertThat(ts).allMatch(Ticket::isDone);
    }

    @Test
    void aLingeringLeaderWaitsForTheWeightOrTheDelay() throws Exception {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        GroupCommitQueue<String> q = GroupCommitQueue.<String>builder(batch -> batches.add(List.copyOf(batch.items())))
                .linger(LONG, 3).build();
        Future<?> leader = pool.submit(() -> {
            q.submit("a");
            return null;
        });
        await().atMost(LONG).until(GroupCommitQueueTest::someLeaderLingers);
        Ticket<String> b = q.enqueue("b");
        Ticket<String> c = q.enqueue("c"); // the third item ends the linger long before its 30 s
        leader.get(LONG.toSeconds() / 2, TimeUnit.SECONDS);
        q.await(b);
        q.await(c);
        assertThat(batches).containsExactly(List.of("a", "b", "c"));

        GroupCommitQueue<String> shortDelay = GroupCommitQueue.<String>builder(batch -> batches.add(List.copyOf(batch.items())))
                .linger(Duration.ofMillis(20), 1000).build();
        shortDelay.submit("alone"); // the delay ends the linger
        assertThat(batches).endsWith(List.of("alone"));
    }

    @Test
    void closeFlushesWhatIsQueuedInTheCallersThreadThenRefusesItems() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        GroupCommitQueue<String> q = GroupCommitQueue.<String>builder(batch -> {
            threads.add(Thread.currentThread().getName());
            batches.add(List.copyOf(batch.items()));
        }).build();
        Ticket<String> a = q.enqueue("a");
        Ticket<String> b = q.enqueue("b");
        assertThat(q.isClosed()).isFalse();
        q.close();
        assertThat(q.isClosed()).isTrue();
        assertThat(batches).containsExactly(List.of("a", "b"));
        assertThat(threads).containsExactly(Thread.currentThread().getName());
        q.await(a);
        q.await(b);
        assertThatThrownBy(() -> q.enqueue("late")).isInstanceOf(ClosedException.class);
        q.close(); // again: nothing
        assertThat(batches).hasSize(1);

        GroupCommitQueue<String> empty = GroupCommitQueue.<String>builder(batch -> batches.add(List.copyOf(batch.items()))).build();
        empty.close();
        assertThat(batches).as("nothing queued, nothing flushed").hasSize(1);
    }

    @Test
    void closeWaitsForTheRunningFlushAndReportsOnlyBatchesTakenAfterIt() throws Exception {
        CountDownLatch release = recorder.holdNext();
        recorder.failNext.set(new IOException("the batch running when close began failed"));
        Ticket<String> running = queue.enqueue("running");
        Future<?> leader = awaitIn(running);
        assertThat(recorder.entered.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        Ticket<String> queued = queue.enqueue("queued");
        CompletableFuture<Throwable> closing = CompletableFuture.supplyAsync(() -> {
            try {
                queue.close();
                return null;
            } catch (Throwable e) {
                return e;
            }
        }, pool);
        await().atMost(LONG).until(queue::isClosed);
        assertThat(closing).isNotDone();
        release.countDown(); // the running flush fails; the one close takes succeeds
        assertThat(leader).failsWithin(LONG);
        assertThat(closing.get(LONG.toSeconds(), TimeUnit.SECONDS)).isNull();
        queue.await(queued);
        assertThat(recorder.batches).containsExactly(List.of("running"), List.of("queued"));
    }

    @Test
    void closeReportsAFailedLastBatchAndItsCallersGetItToo() throws Exception {
        IOException boom = new IOException("cannot write");
        recorder.failNext.set(boom);
        Ticket<String> t = queue.enqueue("last");
        assertThatThrownBy(queue::close).isInstanceOf(FlushFailedException.class).cause().isSameAs(boom);
        assertThatThrownBy(() -> queue.await(t)).isInstanceOf(FlushFailedException.class).cause().isSameAs(boom);
        queue.close(); // the second close reports nothing
    }

    @Test
    void anInterruptedWaiterKeepsWaitingForTheOutcomeAndKeepsTheInterrupt() throws Exception {
        CountDownLatch release = recorder.holdNext();
        Ticket<String> t = queue.enqueue("x");
        Future<?> leader = awaitIn(t);
        assertThat(recorder.entered.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        AtomicReference<Boolean> doneAfter = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                queue.await(t);
                doneAfter.set(t.isDone());
            } catch (FlushFailedException e) {
                doneAfter.set(false);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        waiter.start();
        await().atMost(LONG).until(() -> waiter.getState() == Thread.State.WAITING);
        waiter.interrupt();
        waiter.join(200);
        assertThat(waiter.isAlive()).as("an interrupt does not end the wait").isTrue();
        release.countDown();
        waiter.join(LONG.toMillis());
        leader.get(LONG.toSeconds(), TimeUnit.SECONDS);
        assertThat(doneAfter.get()).isTrue();
        assertThat(flagAfter.get()).isTrue();
    }

    @Test
    void anInterruptEndsALingerEarlyAndIsKept() throws Exception {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        GroupCommitQueue<String> q = GroupCommitQueue.<String>builder(batch -> batches.add(List.copyOf(batch.items())))
                .linger(Duration.ofMinutes(10), 1000).build();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        Thread leader = new Thread(() -> {
            try {
                q.submit("a");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        leader.start();
        await().atMost(LONG).until(() -> leader.getState() == Thread.State.TIMED_WAITING);
        leader.interrupt();
        leader.join(LONG.toMillis());
        assertThat(leader.isAlive()).isFalse();
        assertThat(batches).containsExactly(List.of("a"));
        assertThat(flagAfter.get()).isTrue();
    }

    @Test
    void closeEndsALinger() throws Exception {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        GroupCommitQueue<String> q = GroupCommitQueue.<String>builder(batch -> batches.add(List.copyOf(batch.items())))
                .linger(Duration.ofMinutes(10), 1000).build();
        Ticket<String> t = q.enqueue("a");
        Future<?> leader = pool.submit(() -> {
            q.await(t);
            return null;
        });
        await().atMost(LONG).until(GroupCommitQueueTest::someLeaderLingers);
        q.close();
        leader.get(LONG.toSeconds(), TimeUnit.SECONDS);
        assertThat(batches).containsExactly(List.of("a"));
    }

    /** Whether some thread lingers (a timed wait in the queue's lead). */
    private static boolean someLeaderLingers() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> e.getKey().getState() == Thread.State.TIMED_WAITING
                && java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(GroupCommitQueue.class.getName())
                && f.getMethodName().equals("lead")));
    }

    @Test
    void aTicketOfAnotherQueueAndNullsAreRefused() throws Exception {
        GroupCommitQueue<String> other = GroupCommitQueue.<String>builder(batch -> { }).build();
        Ticket<String> foreign = other.enqueue("x");
        assertThatThrownBy(() -> queue.await(foreign)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> queue.enqueue(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> GroupCommitQueue.<String>builder(b -> { }).maxBatchWeight(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GroupCommitQueue.<String>builder(b -> { }).linger(Duration.ofMillis(-1), 1))
                .isInstanceOf(IllegalArgumentException.class);
        AtomicReference<Batch<String>> kept = new AtomicReference<>();
        GroupCommitQueue<String> keeping = GroupCommitQueue.<String>builder(kept::set).build();
        keeping.submit("y");
        assertThatThrownBy(() -> kept.get().fail(0, new IOException("too late"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> kept.get().items().add("z")).isInstanceOf(UnsupportedOperationException.class);
    }
}
