package com.example.celeriac.tasks;

import io.celeriac.worker.TaskContext;
import io.celeriac.worker.TaskError;
import io.celeriac.worker.TaskOptions;
import io.celeriac.worker.TaskProvider;
import io.celeriac.worker.TaskRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The example's tasks, found by {@code celeriac worker --tasks java-tasks-1.0.0.jar} through
 * {@code META-INF/services/io.celeriac.worker.TaskProvider}. Python calls them by name, as it calls its own:
 * {@code app.send_task('proj.add', (2, 3)).get()}.
 *
 * <ul>
 *   <li>{@code proj.add(x, y)}: {@code x + y} (a {@link MathTasks} method marked {@code @CeleryTask});</li>
 *   <li>{@code proj.fail(message)}: raises Python's {@code ValueError(message)};</li>
 *   <li>{@code proj.sleep(seconds)}: sleeps, checking the soft time limit ten times a second; returns
 *       {@code seconds};</li>
 *   <li>{@code proj.retry(until=n)}: retries 0.1 s later until it has been retried {@code n} times, then returns
 *       {@code n};</li>
 *   <li>{@code proj.progress(n, delay=0)}: reports {@code PROGRESS} with {@code {"current": i, "total": n}} for
 *       {@code i} from 1 to {@code n}, {@code delay} seconds apart; returns {@code n}.</li>
 * </ul>
 *
 * <p>Handlers run on several worker threads at once; these keep no state, so they are thread-safe.
 */
public final class ProjTasks implements TaskProvider {

    /** The most retries {@code proj.retry} may ask for (Celery's default, 3, would stop {@code until=5}). */
    static final int RETRY_MAX_RETRIES = 10;

    /** Creates the provider; the worker does it through {@link java.util.ServiceLoader}. */
    public ProjTasks() {
    }

    @Override
    public void registerTasks(TaskRegistry registry) {
        registry.registerAll(new MathTasks());
        registry.register("proj.fail", ProjTasks::fail);
        registry.register("proj.sleep", ProjTasks::sleep);
        registry.register("proj.retry", ProjTasks::retry,
                TaskOptions.builder().maxRetries(RETRY_MAX_RETRIES).build());
        registry.register("proj.progress", ProjTasks::progress);
    }

    private static Object fail(TaskContext ctx) {
        List<Object> args = ctx.args();
        String message = args.isEmpty() ? "proj.fail always fails" : String.valueOf(args.get(0));
        throw TaskError.builtin("ValueError", message);
    }

    private static Object sleep(TaskContext ctx) throws InterruptedException {
        double seconds = ctx.arg(0, Double.class);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (true) {
            ctx.checkpoint();
            long left = end - System.nanoTime();
            if (left <= 0) {
                return seconds;
            }
            try {
                Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 100));
            } catch (InterruptedException e) {
                ctx.checkpoint(); // a soft time limit interrupts the sleep: fail with SoftTimeLimitExceeded
                throw e;          // anything else (a terminate, a cold shutdown) ends the task
            }
        }
    }

    private static Object retry(TaskContext ctx) {
        Long until = ctx.kwarg("until", Long.class);
        long wanted = until == null ? 1 : until;
        if (ctx.retries() < wanted) {
            throw ctx.retry(Duration.ofMillis(100));
        }
        return ctx.retries();
    }

    private static Object progress(TaskContext ctx) throws InterruptedException {
        int n = ctx.arg(0, Integer.class);
        Double delay = ctx.kwarg("delay", Double.class);
        for (int i = 1; i <= n; i++) {
            ctx.updateState("PROGRESS", Map.of("current", i, "total", n));
            if (delay != null && delay > 0) {
                Thread.sleep((long) (delay * 1000));
            }
        }
        return n;
    }
}
