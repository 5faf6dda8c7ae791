package io.celeriac.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method as a Celery task, registered by {@link TaskRegistry#registerAll(Object)} under
 * {@link #name()}. The method's parameters are filled from the message: a {@link TaskContext} parameter receives
 * the request, the others take the positional arguments in order, then the keyword arguments by parameter name
 * (the code must be compiled with {@code -parameters} for names). Numbers, strings, booleans, lists and maps are
 * converted to the parameter's type; a missing or unconvertible argument fails the task with Python's
 * {@code TypeError}, as a Python function called with the wrong arguments does.
 *
 * <pre>{@code
 * public final class MathTasks {
 *     @CeleryTask(name = "proj.add")
 *     public long add(long x, long y) { return x + y; }
 *
 *     @CeleryTask(name = "proj.slow", softTimeLimit = 5, timeLimit = 10, acksLate = CeleryTask.Flag.TRUE)
 *     public String slow(TaskContext ctx, String text) throws InterruptedException { ... }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CeleryTask {

    /** A three-valued switch: the worker's default, or on, or off. */
    enum Flag {
        /** Use the worker's setting. */
        DEFAULT,
        /** On for this task. */
        TRUE,
        /** Off for this task. */
        FALSE
    }

    /** @return the registered task name, e.g. {@code proj.add} */
    String name();

    /** @return whether the message is acknowledged after the task ran ({@code acks_late}) */
    Flag acksLate() default Flag.DEFAULT;

    /** @return whether the result is not stored ({@code ignore_result}) */
    Flag ignoreResult() default Flag.DEFAULT;

    /** @return whether STARTED is stored when the task starts ({@code track_started}) */
    Flag trackStarted() default Flag.DEFAULT;

    /** @return the most retries {@link TaskContext#retry} allows; negative means no limit */
    int maxRetries() default TaskOptions.DEFAULT_MAX_RETRIES;

    /** @return seconds before a retry when the handler gives no countdown */
    double defaultRetryDelay() default 180;

    /** @return Celery's rate limit, e.g. {@code 10/m}; empty for none */
    String rateLimit() default "";

    /** @return the hard time limit in seconds; 0 for the worker's */
    double timeLimit() default 0;

    /** @return the soft time limit in seconds; 0 for the worker's */
    double softTimeLimit() default 0;
}
