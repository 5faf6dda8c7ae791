package io.celeriac.worker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The tasks the worker tests run: annotated methods with typed parameters, and a few recorders. */
public final class TestTasks {

    /** Start times (epoch nanos) of {@code t.tick}, for the rate limit test. */
    final List<Long> ticks = new CopyOnWriteArrayList<>();
    /** Ids the errback received. */
    final List<String> errbacks = new CopyOnWriteArrayList<>();
    /** Latches a running {@code t.block} waits on, by its key. */
    final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    /** Set when {@code t.block} starts, by its key. */
    final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();

    @CeleryTask(name = "t.add")
    public long add(long x, long y) {
        return x + y;
    }

    @CeleryTask(name = "t.concat")
    public String concat(String a, String b, TaskContext ctx) {
        return a + b + "@" + ctx.hostname();
    }

    @CeleryTask(name = "t.sum")
    public long sum(List<Object> values) {
        long s = 0;
        for (Object v : values) {
            s += ((Number) v).longValue();
        }
        return s;
    }

    @CeleryTask(name = "t.value_error")
    public Object valueError(String why) {
        throw TaskError.builtin("ValueError", why);
    }

    @CeleryTask(name = "t.custom_error")
    public Object customError() {
        throw new TaskError("proj.errors", "QuotaExceeded", "tenant 7", 100);
    }

    @CeleryTask(name = "t.java_error")
    public Object javaError() {
        throw new IllegalStateException("not now");
    }

    @CeleryTask(name = "t.npe")
    public Object npe() {
        Object o = null;
        return o.toString();
    }

    @CeleryTask(name = "t.retry")
    public long retry(TaskContext ctx, long until) {
        if (ctx.retries() < until) {
            throw ctx.retry(java.time.Duration.ofMillis(50));
        }
        return ctx.retries();
    }

    @CeleryTask(name = "t.retry_forever", maxRetries = 2)
    public long retryForever(TaskContext ctx) {
        throw ctx.retry(java.time.Duration.ofMillis(20));
    }

    @CeleryTask(name = "t.retry_exc", maxRetries = 1)
    public long retryExc(TaskContext ctx) {
        throw ctx.retry(java.time.Duration.ofMillis(20), TaskError.builtin("KeyError", "gone"), null);
    }

    @CeleryTask(name = "t.loop")
    public String loop(TaskContext ctx, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        try {
            while (System.nanoTime() < end) {
                ctx.checkpoint();
                Thread.onSpinWait();
            }
        } catch (SoftTimeLimitExceededException e) {
            return "cleaned up";
        }
        return "done";
    }

    @CeleryTask(name = "t.sleep")
    public String sleep(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
        return "slept";
    }

    @CeleryTask(name = "t.stuck")
    public String stuck(double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return "late";
    }

    @CeleryTask(name = "t.block")
    public String block(String key) throws InterruptedException {
        started.computeIfAbsent(key, k -> new CountDownLatch(1)).countDown();
        gates.computeIfAbsent(key, k -> new CountDownLatch(1)).await(60, TimeUnit.SECONDS);
        return "released " + key;
    }

    @CeleryTask(name = "t.tick", rateLimit = "5/s")
    public long tick() {
        ticks.add(System.nanoTime());
        return ticks.size();
    }

    @CeleryTask(name = "t.progress")
    public long progress(TaskContext ctx, String key) throws InterruptedException {
        ctx.updateState("PROGRESS", Map.of("current", 1, "total", 2));
        block(key);
        return 2;
    }

    @CeleryTask(name = "t.errback")
    public String errback(String failedId) {
        errbacks.add(failedId);
        return failedId;
    }

    @CeleryTask(name = "t.no_json")
    public Object noJson() {
        return new Object();
    }

    @CeleryTask(name = "t.late", acksLate = CeleryTask.Flag.TRUE)
    public String late(String key) throws InterruptedException {
        return block(key);
    }

    CountDownLatch gate(String key) {
        return gates.computeIfAbsent(key, k -> new CountDownLatch(1));
    }

    CountDownLatch startedLatch(String key) {
        return started.computeIfAbsent(key, k -> new CountDownLatch(1));
    }
}
