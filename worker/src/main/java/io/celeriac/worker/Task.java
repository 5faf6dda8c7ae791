package io.celeriac.worker;

/**
 * A Java task handler: runs one Celery task and returns its result, as the body of a Python {@code @app.task}
 * function. Register it under a name with {@link TaskRegistry#register(String, Task)}.
 *
 * <pre>{@code
 * registry.register("proj.add", ctx -> ctx.arg(0, Long.class) + ctx.arg(1, Long.class));
 * }</pre>
 *
 * <p>The return value is stored as the result and must be a JSON-like value (null, Boolean, Number, String, List,
 * Map, or the date, time, decimal, UUID and byte types the JSON codec knows); anything else fails the task with
 * Celery's {@code EncodeError}. A thrown exception fails the task: throw {@link TaskError} to choose the Python
 * exception class Python re-raises, call {@link TaskContext#retry} to retry. Handlers run on the worker's pool
 * threads, several at once: they must be thread-safe.
 */
@FunctionalInterface
public interface Task {

    /**
     * Runs the task.
     *
     * @param context the request: arguments, ids, retries, and the ways to report progress or retry
     * @return the result (a JSON-like value), or {@code null}
     * @throws Exception when the task fails; the exception is stored as the task's FAILURE
     */
    Object run(TaskContext context) throws Exception;
}
