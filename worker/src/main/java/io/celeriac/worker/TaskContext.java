package io.celeriac.worker;

import io.celeriac.task.TaskMessage;
import io.celeriac.worker.internal.Args;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a running task knows about its request and can ask of the worker, Celery's {@code self.request} plus
 * {@code self.retry} and {@code self.update_state}: the arguments with typed access, the ids of the task, its
 * workflow and its group, the retry count, progress reports, and the soft time limit. One per run; use it only on
 * the task's thread.
 */
public abstract class TaskContext {

    /** For the worker; tasks receive their context. */
    protected TaskContext() {
    }

    /** @return the task message as received (headers, arguments, canvas fields) */
    public abstract TaskMessage message();

    /** @return the name of the worker running it, e.g. {@code java1@host} */
    public abstract String hostname();

    /** @return this task's settings as the worker applies them */
    public abstract TaskOptions options();

    /**
     * Stores a custom state with metadata as the task's result, Celery's {@code update_state(state=..., meta=...)},
     * e.g. {@code PROGRESS} with {@code {"current": 3, "total": 10}}; Python's {@code AsyncResult.info} shows it.
     *
     * @param state the state name, e.g. {@code PROGRESS}
     * @param meta the metadata (JSON-like values)
     */
    public abstract void updateState(String state, Map<String, ?> meta);

    /** @return whether the soft time limit has passed */
    public abstract boolean isSoftTimeLimitExceeded();

    /** @return the clock the worker uses for ETAs */
    protected abstract Clock clock();

    /** @return the task id */
    public String id() {
        return message().id();
    }

    /** @return the task name */
    public String name() {
        return message().task();
    }

    /** @return the positional arguments (JSON values) */
    public List<Object> args() {
        return message().args();
    }

    /** @return the keyword arguments (JSON values) */
    public Map<String, Object> kwargs() {
        return message().kwargs();
    }

    /**
     * A positional argument converted to a type (numbers widen or narrow when exact, e.g. {@code 3} as
     * {@code Integer}, {@code Long}, {@code Double} or {@code BigDecimal}).
     *
     * @param index the position, from 0
     * @param type the wanted type
     * @param <T> the type
     * @return the value, or {@code null} when JSON null
     * @throws TaskError Python's {@code TypeError} when there is no such argument or it has another type (the
     *         task fails with it unless caught)
     */
    public <T> T arg(int index, Class<T> type) {
        List<Object> args = args();
        if (index < 0 || index >= args.size()) {
            throw TaskError.builtin("TypeError", name() + "() missing positional argument " + index + " (it got "
                    + args.size() + ")");
        }
        return Args.convert(args.get(index), type, "argument " + index + " of " + name() + "()");
    }

    /**
     * A keyword argument converted to a type.
     *
     * @param key the name
     * @param type the wanted type
     * @param <T> the type
     * @return the value, or {@code null} when absent or JSON null
     * @throws TaskError Python's {@code TypeError} when it has another type
     */
    public <T> T kwarg(String key, Class<T> type) {
        return Args.convert(kwargs().get(key), type, "argument '" + key + "' of " + name() + "()");
    }

    /** @return how many times this task was retried before this run */
    public long retries() {
        return message().retries();
    }

    /** @return the id of the workflow's first task (this task's id when it is the first) */
    public String rootId() {
        String r = message().rootId();
        return r == null ? id() : r;
    }

    /** @return the id of the task that sent this one, or {@code null} */
    public String parentId() {
        return message().parentId();
    }

    /** @return the group id, or {@code null} */
    public String groupId() {
        return message().group();
    }

    /**
     * Throws {@link SoftTimeLimitExceededException} when the soft time limit has passed; long loops call it now and
     * then. Also ends a task whose thread was interrupted by a soft limit or a terminate.
     *
     * @throws SoftTimeLimitExceededException when the soft limit has passed
     */
    public void checkpoint() {
        if (isSoftTimeLimitExceeded()) {
            Thread.interrupted();
            Duration limit = options().softTimeLimit();
            throw new SoftTimeLimitExceededException(limit == null ? Duration.ZERO : limit);
        }
    }

    /**
     * Retries with the task's {@code default_retry_delay}.
     *
     * @return never returns; declared so that {@code throw ctx.retry()} reads as Celery's {@code raise self.retry()}
     * @throws Retry always
     */
    public Retry retry() {
        throw retry(options().defaultRetryDelay(), null, null);
    }

    /**
     * Retries after a countdown.
     *
     * @param countdown the delay before the next run
     * @return never returns
     * @throws Retry always
     */
    public Retry retry(Duration countdown) {
        throw retry(countdown, null, null);
    }

    /**
     * Retries because of an exception, with the task's {@code default_retry_delay}; after the last retry the
     * exception is stored as the failure.
     *
     * @param exc the cause
     * @return never returns
     * @throws Retry always
     */
    public Retry retry(Throwable exc) {
        throw retry(options().defaultRetryDelay(), exc, null);
    }

    /**
     * Retries, Celery's {@code self.retry(exc=exc, countdown=countdown, max_retries=maxRetries)}.
     *
     * @param countdown the delay before the next run
     * @param exc the cause, or {@code null}; stored as the failure after the last retry
     * @param maxRetries the maximum for this call, or {@code null} for the task's
     * @return never returns
     * @throws Retry always
     */
    public Retry retry(Duration countdown, Throwable exc, Integer maxRetries) {
        Objects.requireNonNull(countdown, "countdown");
        if (countdown.isNegative()) {
            throw new IllegalArgumentException("a retry countdown cannot be negative: " + countdown);
        }
        throw new Retry(clock().instant().plus(countdown), countdown, exc, maxRetries);
    }
}
