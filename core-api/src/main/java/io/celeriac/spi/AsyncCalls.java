package io.celeriac.spi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where the asynchronous calls of a plugin run when its client cannot wait without a thread: a JVM-wide pool of
 * daemon threads named {@code celeriac-async-N} that runs the blocking call, so that the caller's thread (an event
 * loop) never blocks. It keeps up to 4 threads per core (at least 8) and, rather than queue a call behind busy
 * threads (which could wait on that very call), starts more, up to 512; idle threads end after a minute. A plugin with a
 * non-blocking client (Redis's shared pipeline) uses it only to complete its futures off its I/O path.
 * Thread-safe; nothing here needs closing.
 */
public final class AsyncCalls {

    private static final int MAX_THREADS = 512;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Executor POOL;

    static {
        int core = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(core, MAX_THREADS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "celeriac-async-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        pool.allowCoreThreadTimeOut(true);
        POOL = pool;
    }

    private AsyncCalls() {
    }

    /**
     * The shared pool.
     *
     * @return the executor
     */
    public static Executor executor() {
        return POOL;
    }

    /**
     * Runs a blocking call on the shared pool.
     *
     * @param call the call
     * @param <T> its result
     * @return its future: its value, or its exception as it was thrown
     */
    public static <T> CompletableFuture<T> run(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call, POOL);
    }

    /**
     * The exception a future failed with, without the {@link CompletionException} or {@link ExecutionException}
     * that {@link CompletableFuture} wraps it in.
     *
     * @param t what the future handed on
     * @return the cause
     */
    public static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * Waits for a future and returns its value, throwing its failure as it is (an unchecked exception or an error;
     * a checked one wrapped in {@link CompletionException}): how a blocking call is made of an asynchronous one.
     * An interrupt while waiting sets the thread's flag again and fails the wait with {@link CompletionException}.
     *
     * @param future the future
     * @param <T> its value
     * @return its value
     */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException("interrupted while waiting", e);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new CompletionException(cause);
        }
    }
}
