package io.celeriac.client;

import io.celeriac.backend.Backend;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.client.control.Replies;
import io.celeriac.client.control.Target;
import io.celeriac.client.internal.ResultValues;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The result of a task sent through a {@link CeleryClient}, Celery's {@code AsyncResult}: the task id, its state,
 * and a wait for its value, read from the client's result backend. A chain's result is its last task's, with
 * {@link #parent()} leading back to the first; a chord's result is its body's, with {@link #parentGroup()} the
 * header. Thread-safe; every read goes to the backend (nothing is cached).
 */
public final class AsyncResult {

    private final String id;
    private final CeleryClient client;
    private final AsyncResult parent;
    private final GroupResult parentGroup;

    AsyncResult(String id, CeleryClient client, AsyncResult parent, GroupResult parentGroup) {
        this.id = Objects.requireNonNull(id, "id");
        this.client = client;
        this.parent = parent;
        this.parentGroup = parentGroup;
    }

    /**
     * The task id.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The previous task of a chain.
     *
     * @return the parent's result, or {@code null} when this is the first task
     */
    public AsyncResult parent() {
        return parent;
    }

    /**
     * The header of a chord whose body this is.
     *
     * @return the header's group result, or {@code null}
     */
    public GroupResult parentGroup() {
        return parentGroup;
    }

    /**
     * The stored meta: state, result, traceback, children. A task the backend does not know reads as PENDING.
     *
     * @return the meta
     * @throws NoResultBackendException when the client has no result backend
     */
    public TaskMeta meta() {
        return backend().getTaskMeta(id);
    }

    /**
     * The task's state now.
     *
     * @return the state, PENDING when unknown
     * @throws NoResultBackendException when the client has no result backend
     */
    public TaskState state() {
        return backend().getStatus(id);
    }

    /**
     * Whether the task has finished (SUCCESS, FAILURE or REVOKED).
     *
     * @return whether ready
     */
    public boolean ready() {
        return state().isReady();
    }

    /**
     * Whether the task succeeded.
     *
     * @return whether its state is SUCCESS
     */
    public boolean successful() {
        return TaskState.SUCCESS.equals(state());
    }

    /**
     * Whether the task failed.
     *
     * @return whether its state is FAILURE
     */
    public boolean failed() {
        return TaskState.FAILURE.equals(state());
    }

    /**
     * Waits for the task and returns its value, as Celery's {@code get(timeout=...)} does.
     *
     * @param timeout how long to wait
     * @return the result, a JSON-like value (null, Boolean, Long or BigInteger, Double, String, List, Map)
     * @throws TaskFailedException when the task failed, with its exception and traceback
     * @throws TaskRevokedException when the task was revoked or expired
     * @throws WaitTimeoutException when it is not ready in time
     * @throws NoResultBackendException when the client has no result backend
     */
    public Object get(Duration timeout) {
        return valueOf(backend().waitFor(id, timeout));
    }

    /**
     * Waits for the task and returns its value as a type: the value itself, or a lossless number conversion
     * ({@code Long} to {@code Integer}, any number to {@code Double}...).
     *
     * @param timeout how long to wait
     * @param type the type
     * @param <T> the type
     * @return the result
     * @throws ResultTypeException when the value is not of that type
     * @throws TaskFailedException when the task failed
     * @throws WaitTimeoutException when it is not ready in time
     */
    public <T> T get(Duration timeout, Class<T> type) {
        return convert(get(timeout), type);
    }

    /**
     * Waits without blocking a thread: the future completes with the value, or exceptionally with
     * {@link TaskFailedException} / {@link TaskRevokedException}. It never times out on its own.
     *
     * @return the future value
     * @throws NoResultBackendException when the client has no result backend
     */
    public CompletableFuture<Object> getAsync() {
        return backend().waitForAsync(id).thenApply(this::valueOf);
    }

    /**
     * Waits without blocking a thread, failing with {@link WaitTimeoutException} after {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the future value
     */
    public CompletableFuture<Object> getAsync(Duration timeout) {
        return backend().waitForAsync(id, timeout).thenApply(this::valueOf);
    }

    /**
     * The stored result without waiting: the value, the exception's info for a failure, or {@code null}.
     *
     * @return Celery's {@code result} / {@code info}
     */
    public Object info() {
        return meta().result();
    }

    /**
     * The stored traceback of a failure.
     *
     * @return the traceback, or {@code null}
     */
    public String traceback() {
        return meta().traceback();
    }

    /**
     * The tasks this task started (stored with its result by the worker).
     *
     * @return their results, empty when none or not stored yet
     */
    public List<AsyncResult> children() {
        List<Object> kids = meta().children();
        List<AsyncResult> out = new ArrayList<>();
        if (kids == null) {
            return out;
        }
        for (Object k : kids) {
            ResultTuple t;
            try {
                t = ResultTuple.fromList(k);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (t.isGroup()) {
                for (ResultTuple c : t.children()) {
                    out.add(client.asyncResult(c.id()));
                }
            } else {
                out.add(client.asyncResult(t.id()));
            }
        }
        return out;
    }

    /**
     * Deletes the stored result (and its parents', as Celery's {@code forget}). A later read is PENDING.
     */
    public void forget() {
        if (parent != null) {
            parent.forget();
        }
        backend().forget(id);
    }

    /**
     * Asks every worker not to run the task, as Celery's {@code revoke()}: a {@code revoke} broadcast without
     * waiting for replies. A worker that receives the task later (or holds it for its eta) stores REVOKED.
     *
     * @return {@link Replies#none()}
     */
    public Replies revoke() {
        return revoke(false, null, Target.all());
    }

    /**
     * Revokes the task as Celery's {@code revoke(terminate=..., signal=..., reply=...)}.
     *
     * @param terminate whether to also terminate the process running it now
     * @param signal the signal for {@code terminate}, e.g. {@code SIGKILL}; {@code null} for SIGTERM
     * @param target which workers, how long to wait and whether to wait for their replies
     * @return the workers' replies, or none when the target does not wait
     */
    public Replies revoke(boolean terminate, String signal, Target target) {
        return client.control().revoke(List.of(id), terminate, signal, target);
    }

    <T> T convert(Object value, Class<T> type) {
        try {
            return ResultValues.convert(value, type);
        } catch (IllegalArgumentException e) {
            throw new ResultTypeException(id, value, type);
        }
    }

    Object valueOf(TaskMeta m) {
        TaskState s = m.status();
        if (TaskState.SUCCESS.equals(s)) {
            return m.result();
        }
        if (s.propagates()) {
            ExceptionInfo e = m.exception().orElseGet(() -> new ExceptionInfo(
                    TaskState.REVOKED.equals(s) ? "TaskRevokedError" : "Exception",
                    List.of(String.valueOf(m.result())), null));
            if (TaskState.REVOKED.equals(s)) {
                throw new TaskRevokedException(id, e, m.traceback());
            }
            throw new TaskFailedException(id, e, m.traceback());
        }
        return m.result();
    }

    private Backend backend() {
        return client.backend("the result of " + id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AsyncResult r && r.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return id;
    }
}
