package io.celeriac.backend;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A live result backend: stores, reads, waits for and forgets task results, saves groups and counts
 * chord parts, with Celery's exact semantics and wire format, so that a Python Celery process on the same
 * store sees what a Java process stored and the other way round.
 *
 * <p>Open one with {@link io.celeriac.Celeriac#openBackend(String)}. Instances are thread-safe and hold
 * connections: close them. Every backend keeps these rules, which the conformance kit checks:
 * <ul>
 *   <li>a task with no stored result reads as {@link TaskState#PENDING}, never as an error;</li>
 *   <li>a stored SUCCESS is never overwritten by a later state, atomically (a later write is ignored);</li>
 *   <li>transient store errors are retried with {@link BackendOptions#retryPolicy()}; a write that still
 *       fails raises {@link UnableToStoreResultException}, it is never silently dropped;</li>
 *   <li>a chord completes exactly once however many parts return at once;</li>
 *   <li>waiting never busy-loops, and a wait that times out raises {@link WaitTimeoutException};</li>
 *   <li>a stored value that is not a Celery result raises {@link CorruptResultException} naming its key.</li>
 * </ul>
 *
 * <p>An operation whose {@link BackendCapability} the backend does not declare raises
 * {@link io.celeriac.UnsupportedCapabilityException}; any operation after {@link #close()} raises
 * {@link BackendClosedException}. Task ids and group ids must not be {@code null}.
 */
public interface Backend extends AutoCloseable {

    // ------------------------------------------------------------------------------------------
    // description

    /**
     * What this backend supports.
     *
     * @return the declared capabilities
     */
    Set<BackendCapability> capabilities();

    /**
     * Whether a capability is declared.
     *
     * @param capability the capability
     * @return {@code true} when declared
     */
    default boolean supports(BackendCapability capability) {
        return capabilities().contains(capability);
    }

    /**
     * The backend's URI with its password masked, exactly as Celery's {@code backend.as_uri()} prints it
     * ({@code redis://user:**@host:6379/3}, {@code postgresql://user:**@host/db}, {@code disabled://}).
     *
     * @return the masked URI
     */
    String asUri();

    /**
     * The backend's URI, with the password masked unless asked for.
     *
     * @param includePassword whether to return the URL unmasked. <b>The result may hold a secret.</b>
     * @return the URI
     */
    String asUri(boolean includePassword);

    /**
     * The options this backend was opened with, after the URL's overrides.
     *
     * @return the options
     */
    BackendOptions options();

    /**
     * The queue the results of tasks sent by this process come back to, for a backend that receives results as
     * messages (Celery's {@code rpc://}): a client sets it as the task message's {@code reply_to}. Other backends
     * return empty, and a client then sends its own object id as {@code reply_to}, as Celery does.
     *
     * @return the reply queue's name, or empty
     */
    default Optional<String> replyQueue() {
        return Optional.empty();
    }

    // ------------------------------------------------------------------------------------------
    // writes

    /**
     * Stores a meta document as it is: the primitive every other write goes through. Refuses (silently,
     * as Celery does) to overwrite a stored SUCCESS, atomically; publishes the change to waiters.
     *
     * @param meta the document; its {@code taskId} must be set
     * @throws UnableToStoreResultException when the store keeps failing
     * @throws ResultTooLargeException when the encoded document exceeds the store's limit
     */
    void store(TaskMeta meta);

    /**
     * Stores a result as Celery's {@code backend.store_result(task_id, result, state)} does without a
     * request: {@code children} is null and there is no group or extended block.
     *
     * @param taskId the task id
     * @param result the value, or an {@link ExceptionInfo} (or a {@link Throwable}) for an exception state
     * @param state the state
     * @return the meta that was written (or, when a SUCCESS was already stored, that would have been)
     */
    TaskMeta storeResult(String taskId, Object result, TaskState state);

    /**
     * Stores a result as a Celery worker does: {@code date_done} is set for ready states, {@code children},
     * {@code group_id}, {@code parent_id} come from the request, and the extended fields when
     * {@link BackendOptions#resultExtended()} is on.
     *
     * @param taskId the task id
     * @param result the value, or an {@link ExceptionInfo} (or a {@link Throwable}) for an exception state
     * @param state the state
     * @param traceback the traceback text, or {@code null}
     * @param request the worker's request, or {@code null} for a direct call
     * @return the meta that was written
     */
    TaskMeta storeResult(String taskId, Object result, TaskState state, String traceback, TaskRequest request);

    /**
     * Marks a task started, storing {@code meta} (Celery: {@code {"pid": ..., "hostname": ...}}) as its result.
     *
     * @param taskId the task id
     * @param meta the started meta
     * @return the meta written
     */
    TaskMeta markAsStarted(String taskId, Map<String, Object> meta);

    /**
     * Marks a task successful; when the request is a chord part, reports the part (see
     * {@link #onChordPartReturn}).
     *
     * @param taskId the task id
     * @param result the return value
     * @param request the request, or {@code null}
     * @return the meta written
     */
    TaskMeta markAsDone(String taskId, Object result, TaskRequest request);

    /**
     * Marks a task failed; when the request is a chord part, reports the part.
     *
     * @param taskId the task id
     * @param exception the exception
     * @param traceback the traceback, or {@code null}
     * @param request the request, or {@code null}
     * @return the meta written
     */
    TaskMeta markAsFailure(String taskId, ExceptionInfo exception, String traceback, TaskRequest request);

    /**
     * Marks a task as being retried, storing the exception that caused the retry.
     *
     * @param taskId the task id
     * @param exception the exception
     * @param traceback the traceback, or {@code null}
     * @param request the request, or {@code null}
     * @return the meta written
     */
    TaskMeta markAsRetry(String taskId, ExceptionInfo exception, String traceback, TaskRequest request);

    /**
     * Marks a task revoked, storing {@code TaskRevokedError(reason)}; when the request is a chord part,
     * reports the part.
     *
     * @param taskId the task id
     * @param reason {@code revoked}, {@code expired}, {@code terminated} or any text
     * @param request the request, or {@code null}
     * @return the meta written
     */
    TaskMeta markAsRevoked(String taskId, String reason, TaskRequest request);

    // ------------------------------------------------------------------------------------------
    // reads

    /**
     * Reads a task's meta; a task with no stored result is PENDING.
     *
     * @param taskId the task id
     * @return the meta, never {@code null}
     * @throws CorruptResultException when the stored value is not a Celery result
     * @throws UnableToReadResultException when the store keeps failing
     */
    TaskMeta getTaskMeta(String taskId);

    /**
     * The task's state.
     *
     * @param taskId the task id
     * @return the state (PENDING when unknown)
     */
    default TaskState getStatus(String taskId) {
        return getTaskMeta(taskId).status();
    }

    /**
     * The task's result: the return value, or the {@link ExceptionInfo} of an exception state.
     *
     * @param taskId the task id
     * @return the result, {@code null} when unknown
     */
    default Object getResult(String taskId) {
        return getTaskMeta(taskId).result();
    }

    /**
     * The task's traceback.
     *
     * @param taskId the task id
     * @return the traceback, or {@code null}
     */
    default String getTraceback(String taskId) {
        return getTaskMeta(taskId).traceback();
    }

    /**
     * Reads many metas at once (Redis: MGET in bounded chunks; SQL: {@code IN} queries), without waiting.
     *
     * @param taskIds the task ids; duplicates are read once
     * @return every requested id in the order given (duplicates once) to its meta, PENDING when unknown
     */
    Map<String, TaskMeta> getMany(Collection<String> taskIds);

    // ------------------------------------------------------------------------------------------
    // asynchronous stores and reads

    /**
     * {@link #storeResult(String, Object, TaskState)} without blocking the caller.
     *
     * @param taskId the task id
     * @param result the value
     * @param state the state
     * @return the meta stored, once the store has acknowledged it; or the failure the blocking call would throw
     */
    default CompletableFuture<TaskMeta> storeResultAsync(String taskId, Object result, TaskState state) {
        return storeResultAsync(taskId, result, state, null, null);
    }

    /**
     * {@link #storeResult(String, Object, TaskState, String, TaskRequest)} without blocking the caller: the
     * future completes once the store has acknowledged the write, with the meta stored, or fails with what the
     * blocking call would throw ({@link UnableToStoreResultException}, {@link ResultTooLargeException},
     * {@link BackendClosedException}, ...), after the same retries. A store with a non-blocking client (Redis)
     * sends it on its shared pipeline; the others run the blocking call on a shared pool of threads. Stages
     * chained without an executor may run on the store's I/O thread: give blocking work an executor of its own.
     *
     * @param taskId the task id
     * @param result the value
     * @param state the state
     * @param traceback the traceback, or {@code null}
     * @param request the request, or {@code null}
     * @return the meta stored
     */
    default CompletableFuture<TaskMeta> storeResultAsync(String taskId, Object result, TaskState state, String traceback,
                                                         TaskRequest request) {
        return io.celeriac.spi.AsyncCalls.run(() -> storeResult(taskId, result, state, traceback, request));
    }

    /**
     * {@link #store(TaskMeta)} without blocking the caller.
     *
     * @param meta the meta, with its task id
     * @return completes once the store has acknowledged the write, or fails as the blocking call would
     */
    default CompletableFuture<Void> storeAsync(TaskMeta meta) {
        return io.celeriac.spi.AsyncCalls.run(() -> {
            store(meta);
            return null;
        });
    }

    /**
     * {@link #getTaskMeta(String)} without blocking the caller.
     *
     * @param taskId the task id
     * @return the meta (PENDING when unknown), or the failure the blocking call would throw
     */
    default CompletableFuture<TaskMeta> getTaskMetaAsync(String taskId) {
        return io.celeriac.spi.AsyncCalls.run(() -> getTaskMeta(taskId));
    }

    /**
     * {@link #getMany(Collection)} without blocking the caller.
     *
     * @param taskIds the task ids; duplicates are read once
     * @return every requested id in the order given to its meta, or the failure the blocking call would throw
     */
    default CompletableFuture<Map<String, TaskMeta>> getManyAsync(Collection<String> taskIds) {
        return io.celeriac.spi.AsyncCalls.run(() -> getMany(taskIds));
    }

    // ------------------------------------------------------------------------------------------
    // waits

    /**
     * Waits until the task is ready (SUCCESS, FAILURE or REVOKED) and returns its meta. It does not raise
     * for a failed task: inspect the returned state.
     *
     * @param taskId the task id
     * @param timeout how long to wait
     * @return the ready meta
     * @throws WaitTimeoutException when the task is not ready in time
     * @throws WaitInterruptedException when the calling thread is interrupted
     */
    TaskMeta waitFor(String taskId, Duration timeout);

    /**
     * Waits without blocking a thread: the future completes with the ready meta. It never times out on
     * its own; cancel it to stop waiting. Thousands of such waits share the backend's resources
     * (one subscriber connection, or one poller), not a thread each.
     *
     * @param taskId the task id
     * @return a future of the ready meta; it fails with {@link BackendClosedException} if the backend closes first
     */
    CompletableFuture<TaskMeta> waitForAsync(String taskId);

    /**
     * Waits without blocking a thread, failing the future with {@link WaitTimeoutException} after
     * {@code timeout}.
     *
     * @param taskId the task id
     * @param timeout how long to wait
     * @return a future of the ready meta
     */
    CompletableFuture<TaskMeta> waitForAsync(String taskId, Duration timeout);

    /**
     * Waits until every task is ready.
     *
     * @param taskIds the task ids
     * @param timeout how long to wait for all of them
     * @return every id (in the order given) to its ready meta
     * @throws WaitTimeoutException naming the first task not ready in time
     */
    Map<String, TaskMeta> waitForAll(Collection<String> taskIds, Duration timeout);

    /**
     * Waits for many tasks under one deadline and gives each its own outcome: SUCCEEDED (the value), FAILED (the
     * exception), NOT_READY at the deadline (with the last state read) or WAIT_FAILED (why: forgotten, corrupt, the
     * store unreachable). One task's outcome never hides another's, unlike {@link #waitForAll}. One read of every
     * id, then a future per id still pending (no thread each); the waits left at the deadline are cancelled.
     *
     * @param taskIds the ids (duplicates are waited for once)
     * @param timeout how long to wait for all of them
     * @return each id, in the order given, to its outcome
     */
    default Map<String, WaitOutcome> waitForEach(Collection<String> taskIds, Duration timeout) {
        return io.celeriac.internal.ManyWaits.each(this, taskIds, timeout);
    }

    /**
     * Celery's {@code as_completed}: the outcomes of many tasks in the order they become ready (those ready at once
     * first), waiting up to one deadline; the stream then ends with a NOT_READY outcome (the last state read) for
     * each task still pending. The waits start when this is called; iterate on one thread, and close the stream
     * (try-with-resources) to stop waiting early.
     *
     * <pre>{@code
     * try (Stream<WaitOutcome> done = backend.asCompleted(ids, Duration.ofMinutes(1))) {
     *     done.forEach(o -> System.out.println(o.taskId() + " " + o.kind()));
     * }
     * }</pre>
     *
     * @param taskIds the ids (duplicates are waited for once)
     * @param timeout how long to wait for all of them
     * @return the outcomes, one per distinct id
     */
    default java.util.stream.Stream<WaitOutcome> asCompleted(Collection<String> taskIds, Duration timeout) {
        return io.celeriac.internal.ManyWaits.asCompleted(this, taskIds, timeout);
    }

    // ------------------------------------------------------------------------------------------
    // groups

    /**
     * Saves a group, as Celery's {@code save_group} (it expires with the results).
     *
     * @param group the group
     */
    void saveGroup(GroupResult group);

    /**
     * Restores a saved group.
     *
     * @param groupId the group id
     * @return the group, or empty when none is saved
     */
    Optional<GroupResult> restoreGroup(String groupId);

    /**
     * Deletes a saved group (the members' results stay).
     *
     * @param groupId the group id
     */
    void deleteGroup(String groupId);

    // ------------------------------------------------------------------------------------------
    // chords

    /**
     * Records a chord's header size, as Celery's {@code set_chord_size} does just before publishing the
     * last header task. Parts that do not carry their own size use it.
     *
     * @param groupId the chord's group id
     * @param size the number of header tasks
     */
    void setChordSize(String groupId, int size);

    /**
     * Reports a finished chord header task. Exactly one of the parts of a chord, the one that completes
     * it, receives the completion; every other part receives empty. When the chord failed, the chord
     * error is stored on the body's task id (when the body signature names one). Either way the
     * completion is handed to {@link BackendOptions#chordCallback()} if one is set.
     *
     * @param part the finished part
     * @return the completion for the part that completed the chord, else empty
     */
    Optional<ChordCompletion> onChordPartReturn(ChordPart part);

    // ------------------------------------------------------------------------------------------
    // housekeeping

    /**
     * Deletes a task's result (and stops any subscription for it). A later read is PENDING.
     *
     * @param taskId the task id
     */
    void forget(String taskId);

    /**
     * Deletes expired results and groups, as Celery's {@code backend.cleanup()}.
     *
     * @return how many results and groups were deleted (0 where results expire natively)
     */
    long cleanup();

    /**
     * Every stored task id, lazily. Close the stream when done.
     *
     * @return the ids, in no particular order
     */
    Stream<String> taskIds();

    /**
     * Every saved group id, lazily. Close the stream when done.
     *
     * @return the ids, in no particular order
     */
    Stream<String> groupIds();

    /**
     * Closes connections and threads; pending waits fail with {@link BackendClosedException}.
     * Closing twice does nothing.
     */
    @Override
    void close();
}
