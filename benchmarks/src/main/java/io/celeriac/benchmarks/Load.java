package io.celeriac.benchmarks;

import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a {@link Backend} from several threads for a fixed time, or from one thread with many asynchronous calls
 * in flight, and times waits.
 */
final class Load {

    /** The stored result: a meta of about 200 bytes, like {@code redis-benchmark -d 200}. */
    static final String RESULT = "x".repeat(48);

    /** One operation of thread {@code thread}, its {@code n}-th. */
    interface Op {
        void run(int thread, long n);
    }

    private Load() {
    }

    /**
     * Runs {@code op} on {@code threads} threads for {@code seconds}.
     *
     * @return operations per second, all threads together
     */
    static double throughput(int threads, double seconds, Op op) throws InterruptedException {
        return measure(threads, seconds, op)[0];
    }

    /**
     * Runs {@code op} on {@code threads} threads for {@code seconds}.
     *
     * @return operations per second, all threads together, and the CPU time the calling threads spent per
     *         operation in microseconds (the client's own cost, which a busy machine does not inflate as much)
     */
    static double[] measure(int threads, double seconds, Op op) throws InterruptedException {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] cpu = new long[threads];
        long[] counts = new long[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    long end = window[1];
                    long n = 0;
                    long c0 = mx.getCurrentThreadCpuTime();
                    while (System.nanoTime() < end && failure.get() == null) {
                        op.run(id, n++);
                    }
                    cpu[id] = mx.getCurrentThreadCpuTime() - c0;
                    counts[id] = n;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-load-" + t);
            ts.add(th);
            th.start();
        }
        if (!ready.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("load threads did not start");
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        go.countDown(); // the latch publishes window[] to the threads
        long total = 0;
        long cpuTotal = 0;
        for (int t = 0; t < threads; t++) {
            ts.get(t).join((long) (seconds * 1000) + 120_000);
            if (ts.get(t).isAlive()) {
                throw new IllegalStateException("a load thread did not stop");
            }
            total += counts[t];
            cpuTotal += cpu[t];
        }
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("an operation failed: " + failure.get(), failure.get());
        }
        return new double[] {total / elapsed, total == 0 ? 0 : cpuTotal / 1e3 / total};
    }

    /** One asynchronous operation, the {@code n}-th. */
    interface AsyncOp {
        CompletableFuture<?> start(long n);
    }

    /**
     * Runs {@code op} from the calling thread alone for {@code seconds}, keeping up to {@code permits} calls in
     * flight (a semaphore: a permit is taken before each call and given back when its future completes), as a
     * service on an event loop calls an asynchronous API. The calls still in flight at the end are awaited and
     * counted.
     *
     * @return completed operations per second
     * @throws IllegalStateException when a call fails, or no call completes for 60 s
     */
    static double inFlight(int permits, double seconds, AsyncOp op) throws InterruptedException {
        Semaphore slots = new Semaphore(permits);
        LongAdder done = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long n = 0;
        while (System.nanoTime() < end && failure.get() == null) {
            if (!slots.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no asynchronous call completed in 60 s");
            }
            CompletableFuture<?> f;
            try {
                f = op.start(n++);
            } catch (RuntimeException e) {
                slots.release();
                throw e;
            }
            f.whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    done.increment();
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(permits, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("asynchronous calls still in flight 60 s after the end");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("an asynchronous operation failed: " + failure.get(), failure.get());
        }
        return done.sum() / elapsed;
    }

    /** The asynchronous store: a fresh id for every call. */
    static AsyncOp storeAsync(Backend b, String prefix) {
        return n -> b.storeResultAsync(prefix + n, RESULT, TaskState.SUCCESS);
    }

    /** The asynchronous read: a random id of {@code ids}, which must read as SUCCESS. */
    static AsyncOp getAsync(Backend b, List<String> ids) {
        return n -> b.getTaskMetaAsync(ids.get(ThreadLocalRandom.current().nextInt(ids.size()))).thenAccept(m -> {
            if (m.status() != TaskState.SUCCESS) {
                throw new IllegalStateException("read " + m.status() + " for a stored result");
            }
        });
    }

    /** Stores {@code n} SUCCESS results with ids {@code prefix + i}, from a few threads. */
    static List<String> populate(Backend b, String prefix, int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(prefix + i);
        }
        ids.parallelStream().forEach(id -> b.storeResult(id, RESULT, TaskState.SUCCESS));
        return ids;
    }

    /** The store operation: a fresh id for every call. */
    static Op store(Backend b, String prefix) {
        return (t, n) -> b.storeResult(prefix + t + "-" + n, RESULT, TaskState.SUCCESS);
    }

    /** The read operation: a random id of {@code ids}, which must read as SUCCESS. */
    static Op get(Backend b, List<String> ids) {
        return (t, n) -> {
            TaskMeta m = b.getTaskMeta(ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
            if (m.status() != TaskState.SUCCESS) {
                throw new IllegalStateException("read " + m.status() + " for a stored result");
            }
        };
    }

    /**
     * Times {@code n} wake-ups: a waiter on its own backend instance is already waiting when another thread
     * stores the result.
     *
     * @return two arrays of {@code n} latencies in milliseconds (after 20 untimed waits): [0] from the store
     *         call's return (the write is committed) to the waiter's future completing, 0 when the waiter woke
     *         before the call returned; [1] from the store call's start (end to end, the write included)
     */
    static double[][] wakeUps(Backend waiter, Backend writer, String prefix, int n) throws Exception {
        double[][] ms = new double[2][n];
        for (int i = -20; i < n; i++) {
            String id = prefix + "wait-" + i;
            CompletableFuture<TaskMeta> f = waiter.waitForAsync(id);
            long[] woke = new long[1];
            CompletableFuture<Void> timed = f.thenRun(() -> woke[0] = System.nanoTime());
            // the waiter is waiting (subscribed or listening) well before the store
            LockSupport.parkNanos(i == -20 ? 500_000_000L : 3_000_000L);
            long start = System.nanoTime();
            writer.storeResult(id, Map.of("i", (long) i), TaskState.SUCCESS);
            long stored = System.nanoTime();
            timed.get(30, TimeUnit.SECONDS);
            if (i >= 0) {
                ms[0][i] = Math.max(0, woke[0] - stored) / 1e6;
                ms[1][i] = (woke[0] - start) / 1e6;
            }
        }
        return ms;
    }
}
