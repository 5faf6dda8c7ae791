package io.celeriac.backend;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A task's stored result document, Celery's "meta": status, result, traceback, children, date_done, the
 * group and parent ids, and the extended fields ({@code result_extended}).
 *
 * <p>Values are plain Java values as JSON gives them ({@code null}, {@link Boolean}, {@link Long} or
 * {@link java.math.BigInteger}, {@link Double}, {@link String}, {@link List}, {@link Map}); the result of
 * an exception state (FAILURE, RETRY, REVOKED) is an {@link ExceptionInfo}. {@code dateDone} is kept to
 * the microsecond, as Python's {@code datetime}. The result is not copied: values decoded by celeriac are
 * unmodifiable, and callers should not change a value after passing it in.
 *
 * <p>{@code extended} says whether the extended block ({@code name}, {@code args}, {@code kwargs},
 * {@code worker}, {@code retries}, {@code queue}) is present, since Celery writes it, with nulls, only
 * when {@code result_extended} is on. {@code extras} holds any other keys a newer Celery wrote (such as
 * 5.3's {@code stamped_headers}), in order, so that they survive a round trip.
 *
 * <p>Build one with {@link #builder(String, TaskState)}.
 *
 * @param taskId the task id; {@code null} only for a document read without one
 * @param status the state, never {@code null}
 * @param result the return value, an {@link ExceptionInfo}, or STARTED's {@code {"pid", "hostname"}} map
 * @param traceback the formatted traceback of a failure or retry, or {@code null}
 * @param children the result tuples of the task's children ({@code []} when stored by a worker,
 *                 {@code null} when stored outside a task); raw JSON lists
 * @param dateDone when the task became ready, UTC; {@code null} for states that are not ready
 * @param groupId the group the task belongs to, or {@code null}
 * @param parentId the task's parent, or {@code null}
 * @param extended whether the extended block is present
 * @param name the task's name (extended)
 * @param args the task's positional arguments (extended)
 * @param kwargs the task's keyword arguments (extended)
 * @param worker the worker's node name, e.g. {@code celery@host} (extended)
 * @param retries how many times the task was retried (extended)
 * @param queue the routing key it was delivered with (extended)
 * @param extras other keys, in order; never {@code null}
 * @param dateDoneOffset the UTC offset {@code date_done} is written with ({@code +00:00}, as Celery 5.5 and later
 *                       write it on key-value stores), or {@code null} for Celery 5.2's naive UTC text
 */
public record TaskMeta(
        String taskId,
        TaskState status,
        Object result,
        String traceback,
        List<Object> children,
        Instant dateDone,
        String groupId,
        String parentId,
        boolean extended,
        String name,
        List<Object> args,
        Map<String, Object> kwargs,
        String worker,
        Integer retries,
        String queue,
        Map<String, Object> extras,
        ZoneOffset dateDoneOffset) {

    /**
     * Validates and freezes the collections.
     *
     * @throws NullPointerException when {@code status} is null
     */
    public TaskMeta {
        Objects.requireNonNull(status, "status");
        if (dateDone != null && dateDone.getNano() % 1000 != 0) {
            dateDone = dateDone.truncatedTo(ChronoUnit.MICROS);
        }
        children = children == null ? null : Collections.unmodifiableList(new ArrayList<>(children));
        args = args == null ? null : Collections.unmodifiableList(new ArrayList<>(args));
        kwargs = kwargs == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
        extras = extras == null || extras.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    /**
     * A meta whose {@code date_done} is written naive, as Celery 5.2 writes it.
     *
     * @param taskId the task id
     * @param status the state
     * @param result the result
     * @param traceback the traceback
     * @param children the children
     * @param dateDone when the task became ready
     * @param groupId the group id
     * @param parentId the parent id
     * @param extended whether the extended block is present
     * @param name the task name
     * @param args the args
     * @param kwargs the kwargs
     * @param worker the worker
     * @param retries the retries
     * @param queue the queue
     * @param extras other keys
     */
    public TaskMeta(String taskId, TaskState status, Object result, String traceback, List<Object> children,
                    Instant dateDone, String groupId, String parentId, boolean extended, String name, List<Object> args,
                    Map<String, Object> kwargs, String worker, Integer retries, String queue, Map<String, Object> extras) {
        this(taskId, status, result, traceback, children, dateDone, groupId, parentId, extended, name, args, kwargs,
                worker, retries, queue, extras, null);
    }

    /**
     * What a missing task reads as: status PENDING and a {@code null} result, as Celery's
     * {@code {"status": "PENDING", "result": null}}.
     *
     * @param taskId the task id
     * @return the PENDING meta
     */
    public static TaskMeta pending(String taskId) {
        return new TaskMeta(taskId, TaskState.PENDING, null, null, null, null, null, null, false,
                null, null, null, null, null, null, Map.of());
    }

    /**
     * Starts a builder.
     *
     * @param taskId the task id
     * @param status the state
     * @return a builder
     */
    public static Builder builder(String taskId, TaskState status) {
        return new Builder(taskId, status);
    }

    /**
     * A builder holding this meta's values.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder(taskId, status);
        b.result = result;
        b.traceback = traceback;
        b.children = children;
        b.dateDone = dateDone;
        b.groupId = groupId;
        b.parentId = parentId;
        b.extended = extended;
        b.name = name;
        b.args = args;
        b.kwargs = kwargs;
        b.worker = worker;
        b.retries = retries;
        b.queue = queue;
        b.extras = extras;
        b.dateDoneOffset = dateDoneOffset;
        return b;
    }

    /**
     * Whether the state is ready (SUCCESS, FAILURE or REVOKED).
     *
     * @return {@code true} when ready
     */
    public boolean isReady() {
        return status.isReady();
    }

    /**
     * The stored exception, when the result is one.
     *
     * @return the exception info, if the result is an {@link ExceptionInfo}
     */
    public Optional<ExceptionInfo> exception() {
        return result instanceof ExceptionInfo e ? Optional.of(e) : Optional.empty();
    }

    // ------------------------------------------------------------------------------------------
    // typed access

    /**
     * The result as a type: the value itself when it is one, else a lossless conversion. Numbers convert only when
     * they fit ({@code result(Integer.class)} of {@code 2**40} and {@code result(long.class)} of {@code 1.5} are
     * errors; {@code 4.0} reads as {@code 4}); lists read as {@code List}, {@code Set}, arrays, or records by
     * position (a Python tuple); maps as {@code Map}, or records by component name ({@code snake_case} keys fill
     * {@code camelCase} components): {@code record Progress(long current, long total)} reads
     * {@code {"current": 4, "total": 10}}; strings as enums (by name), {@code UUID}, {@code BigDecimal}, and ISO
     * dates and times. For a generic type use {@link #resultAs(ResultType)}.
     *
     * <p>This reads the stored result whatever the state: a FAILURE's is an {@link ExceptionInfo}. Use
     * {@link #get(Class)} for Celery's {@code AsyncResult.get()}: the value of a SUCCESS, or the task's exception.
     *
     * @param type the type, e.g. {@code Long.class}, {@code int.class}, a record
     * @param <T> the type
     * @return the result as {@code type}; {@code null} when the result is {@code null} (an error for a primitive)
     * @throws ResultConversionException when the result cannot be read as {@code type}, naming where and why
     */
    @SuppressWarnings("unchecked")
    public <T> T result(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return (T) io.celeriac.internal.ValueConverter.convert(result, type, taskId);
    }

    /**
     * The result as a generic type: {@code meta.resultAs(new ResultType<List<Long>>() { })}, or
     * {@code new ResultType<Map<String, Progress>>() { }}. Conversions as {@link #result(Class)}, element by
     * element; collections come back unmodifiable.
     *
     * @param type the type
     * @param <T> the type
     * @return the result as {@code type}
     * @throws ResultConversionException when the result (or an element of it) cannot be read as {@code type}
     */
    @SuppressWarnings("unchecked")
    public <T> T resultAs(ResultType<T> type) {
        Objects.requireNonNull(type, "type");
        return (T) io.celeriac.internal.ValueConverter.convert(result, type.type(), taskId);
    }

    /**
     * The result as a JSON object, e.g. a {@code PROGRESS} meta's {@code {"current": 4, "total": 10}}.
     *
     * @return the map (unmodifiable when decoded by celeriac), or {@code null} when the result is {@code null}
     * @throws ResultConversionException when the result is not a map
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> resultMap() {
        return (Map<String, Object>) resultAs(MAP);
    }

    /**
     * The result as a JSON array (a Python list or tuple).
     *
     * @return the list (unmodifiable when decoded by celeriac), or {@code null} when the result is {@code null}
     * @throws ResultConversionException when the result is not a list
     */
    @SuppressWarnings("unchecked")
    public List<Object> resultList() {
        return (List<Object>) resultAs(LIST);
    }

    /**
     * Celery's {@code AsyncResult.get()} on this reading: the value of a SUCCESS, or the task's exception raised
     * as a {@link TaskFailureException} (FAILURE, and REVOKED with its {@code TaskRevokedError}), carrying
     * {@code exc_type}, {@code exc_module}, {@code exc_message} and the traceback. A meta is one reading: a task
     * that is not ready raises {@link ResultNotReadyException} (wait with {@link Backend#waitFor} first).
     *
     * @return the result of a SUCCESS, as stored
     * @throws TaskFailureException when the task failed or was revoked
     * @throws ResultNotReadyException when the task is not ready
     */
    public Object get() {
        if (TaskState.SUCCESS.equals(status)) {
            return result;
        }
        if (status.propagates()) {
            ExceptionInfo e = exception().orElseGet(() -> new ExceptionInfo(
                    TaskState.REVOKED.equals(status) ? "TaskRevokedError" : "Exception",
                    List.of(String.valueOf(result)), TaskState.REVOKED.equals(status) ? ExceptionInfo.CELERY_EXCEPTIONS : null));
            throw new TaskFailureException(taskId, status, e, traceback);
        }
        throw new ResultNotReadyException(this);
    }

    /**
     * As {@link #get()}, the value read as a type (see {@link #result(Class)}).
     *
     * @param type the type
     * @param <T> the type
     * @return the value
     * @throws TaskFailureException when the task failed or was revoked
     * @throws ResultNotReadyException when the task is not ready
     * @throws ResultConversionException when the value cannot be read as {@code type}
     */
    @SuppressWarnings("unchecked")
    public <T> T get(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return (T) io.celeriac.internal.ValueConverter.convert(get(), type, taskId);
    }

    /**
     * As {@link #get()}, the value read as a generic type (see {@link #resultAs(ResultType)}).
     *
     * @param type the type
     * @param <T> the type
     * @return the value
     * @throws TaskFailureException when the task failed or was revoked
     * @throws ResultNotReadyException when the task is not ready
     * @throws ResultConversionException when the value cannot be read as {@code type}
     */
    @SuppressWarnings("unchecked")
    public <T> T get(ResultType<T> type) {
        Objects.requireNonNull(type, "type");
        return (T) io.celeriac.internal.ValueConverter.convert(get(), type.type(), taskId);
    }

    private static final ResultType<Map<String, Object>> MAP = new ResultType<>() {
    };
    private static final ResultType<List<Object>> LIST = new ResultType<>() {
    };

    /**
     * The same meta for another task id.
     *
     * @param newTaskId the id
     * @return a copy with that id
     */
    public TaskMeta withTaskId(String newTaskId) {
        return toBuilder().taskId(newTaskId).build();
    }

    /** A mutable builder of {@link TaskMeta}; not thread-safe. */
    public static final class Builder {
        private String taskId;
        private TaskState status;
        private Object result;
        private String traceback;
        private List<Object> children;
        private Instant dateDone;
        private String groupId;
        private String parentId;
        private boolean extended;
        private String name;
        private List<Object> args;
        private Map<String, Object> kwargs;
        private String worker;
        private Integer retries;
        private String queue;
        private Map<String, Object> extras = Map.of();
        private ZoneOffset dateDoneOffset;

        private Builder(String taskId, TaskState status) {
            this.taskId = taskId;
            this.status = status;
        }

        /** @param v the task id @return this builder */
        public Builder taskId(String v) {
            taskId = v;
            return this;
        }

        /** @param v the state @return this builder */
        public Builder status(TaskState v) {
            status = v;
            return this;
        }

        /** @param v the result value @return this builder */
        public Builder result(Object v) {
            result = v;
            return this;
        }

        /** @param v the traceback @return this builder */
        public Builder traceback(String v) {
            traceback = v;
            return this;
        }

        /** @param v the children, raw JSON tuples @return this builder */
        public Builder children(List<Object> v) {
            children = v;
            return this;
        }

        /** @param v when the task became ready @return this builder */
        public Builder dateDone(Instant v) {
            dateDone = v;
            return this;
        }

        /**
         * Sets the UTC offset {@code date_done} is written with.
         *
         * @param v the offset ({@code ZoneOffset.UTC} writes {@code +00:00} as Celery 5.5+), or {@code null} for
         *          Celery 5.2's naive text
         * @return this builder
         */
        public Builder dateDoneOffset(ZoneOffset v) {
            dateDoneOffset = v;
            return this;
        }

        /** @param v the group id @return this builder */
        public Builder groupId(String v) {
            groupId = v;
            return this;
        }

        /** @param v the parent id @return this builder */
        public Builder parentId(String v) {
            parentId = v;
            return this;
        }

        /** @param v whether the extended block is present @return this builder */
        public Builder extended(boolean v) {
            extended = v;
            return this;
        }

        /** Sets the task name and marks the meta extended. @param v the name @return this builder */
        public Builder name(String v) {
            name = v;
            extended = true;
            return this;
        }

        /** Sets the args and marks the meta extended. @param v the args @return this builder */
        public Builder args(List<Object> v) {
            args = v;
            extended = true;
            return this;
        }

        /** Sets the kwargs and marks the meta extended. @param v the kwargs @return this builder */
        public Builder kwargs(Map<String, Object> v) {
            kwargs = v;
            extended = true;
            return this;
        }

        /** Sets the worker and marks the meta extended. @param v the worker node name @return this builder */
        public Builder worker(String v) {
            worker = v;
            extended = true;
            return this;
        }

        /** Sets the retries and marks the meta extended. @param v the retries @return this builder */
        public Builder retries(Integer v) {
            retries = v;
            extended = true;
            return this;
        }

        /** Sets the queue and marks the meta extended. @param v the routing key @return this builder */
        public Builder queue(String v) {
            queue = v;
            extended = true;
            return this;
        }

        /** @param v other keys, in order @return this builder */
        public Builder extras(Map<String, Object> v) {
            extras = v == null ? Map.of() : v;
            return this;
        }

        /**
         * Builds the meta.
         *
         * @return the meta
         */
        public TaskMeta build() {
            return new TaskMeta(taskId, status, result, traceback, children, dateDone, groupId, parentId,
                    extended, name, args, kwargs, worker, retries, queue, extras, dateDoneOffset);
        }
    }
}
