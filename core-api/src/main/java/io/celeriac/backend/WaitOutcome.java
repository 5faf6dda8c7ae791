package io.celeriac.backend;

import java.util.Objects;
import java.util.Optional;

/**
 * What a wait for many tasks found for one of them ({@link Backend#waitForEach}, {@link Backend#asCompleted}): the
 * task succeeded, failed (FAILURE or REVOKED), was still not ready at the deadline, or could not be waited for
 * (the store could not be reached, the result was forgotten or is corrupt). One task's outcome never hides
 * another's. Immutable.
 *
 * @param taskId the task
 * @param kind what happened
 * @param meta the ready meta ({@link Kind#SUCCEEDED}, {@link Kind#FAILED}), or the last one read
 *             ({@link Kind#NOT_READY}: PENDING, STARTED, PROGRESS, ...); {@code null} for {@link Kind#WAIT_FAILED}
 *             when nothing could be read
 * @param error why the wait failed ({@link Kind#WAIT_FAILED} only), else {@code null}
 */
public record WaitOutcome(String taskId, Kind kind, TaskMeta meta, RuntimeException error) {

    /** What happened to one task of a wait for many. */
    public enum Kind {
        /** The task is SUCCESS: {@link #value()} is its result. */
        SUCCEEDED,
        /** The task is FAILURE or REVOKED: {@link #value()} raises its exception, {@link #meta()} holds it. */
        FAILED,
        /** The task was not ready at the deadline: {@link #meta()} is the last state read. */
        NOT_READY,
        /** The task could not be waited for: {@link #error()} says why. */
        WAIT_FAILED
    }

    /**
     * Validates.
     *
     * @throws NullPointerException when {@code taskId} or {@code kind} is null, or the meta or error its kind needs
     */
    public WaitOutcome {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.WAIT_FAILED) {
            Objects.requireNonNull(error, "error");
        } else {
            Objects.requireNonNull(meta, "meta");
        }
    }

    /**
     * The outcome of a meta read or waited for: SUCCEEDED, FAILED, or NOT_READY for a meta that is not ready.
     *
     * @param taskId the task
     * @param meta the meta
     * @return the outcome
     */
    public static WaitOutcome of(String taskId, TaskMeta meta) {
        Kind k = TaskState.SUCCESS.equals(meta.status()) ? Kind.SUCCEEDED
                : meta.status().propagates() ? Kind.FAILED : Kind.NOT_READY;
        return new WaitOutcome(taskId, k, meta, null);
    }

    /**
     * The outcome of a wait that failed.
     *
     * @param taskId the task
     * @param error why
     * @param lastRead the last meta read, or {@code null}
     * @return the outcome
     */
    public static WaitOutcome failed(String taskId, RuntimeException error, TaskMeta lastRead) {
        return new WaitOutcome(taskId, Kind.WAIT_FAILED, lastRead, error);
    }

    /** @return whether the task is ready (SUCCEEDED or FAILED) */
    public boolean isReady() {
        return kind == Kind.SUCCEEDED || kind == Kind.FAILED;
    }

    /**
     * The task's value, as {@link TaskMeta#get()}: the result of a SUCCESS.
     *
     * @return the value
     * @throws TaskFailureException for a FAILED task
     * @throws ResultNotReadyException for a task NOT_READY
     * @throws RuntimeException the {@link #error()} of a WAIT_FAILED one
     */
    public Object value() {
        if (kind == Kind.WAIT_FAILED) {
            throw error;
        }
        return meta.get();
    }

    /**
     * The task's value as a type, as {@link TaskMeta#get(Class)}.
     *
     * @param type the type
     * @param <T> the type
     * @return the value
     * @throws TaskFailureException for a FAILED task
     * @throws ResultNotReadyException for a task NOT_READY
     * @throws RuntimeException the {@link #error()} of a WAIT_FAILED one
     */
    public <T> T value(Class<T> type) {
        if (kind == Kind.WAIT_FAILED) {
            throw error;
        }
        return meta.get(type);
    }

    /** @return the meta, when there is one */
    public Optional<TaskMeta> metaIfAny() {
        return Optional.ofNullable(meta);
    }
}
