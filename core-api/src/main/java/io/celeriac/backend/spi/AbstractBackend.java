package io.celeriac.backend.spi;

import io.celeriac.CeleriacException;
import io.celeriac.UnsupportedCapabilityException;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendClosedException;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToReadResultException;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.spi.AsyncCalls;
import io.celeriac.spi.RetryRunner;
import io.celeriac.url.BackendUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The base of a {@link Backend}: Celery's semantics above a few storage hooks. Subclasses implement
 * {@link #doStore}, {@link #doGetTaskMeta} and the hooks of the capabilities they declare; this class
 * builds metas as Celery's {@code _get_result_meta} does, checks capabilities and closed state, retries
 * transient errors, reports chord parts, stores a failed chord's error on its body and calls the chord
 * callback, and waits by polling (override {@link #doWaitForAsync} for push).
 *
 * <p>The jobs behind these methods live in package-private helpers, one job each: {@code ResultMetas} (the
 * meta Celery builds), {@code ManyReads} (the rules of {@link #getMany}), {@code ResultWaits} (the poller and
 * the blocking waits), {@code Chords} (what a completed chord does); retries run on a
 * {@link RetryRunner}.
 *
 * <p>Hooks are only called for declared capabilities and while the backend is open. Subclasses must be
 * thread-safe.
 */
public abstract class AbstractBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractBackend.class);
    /** A retry is logged as a warning at most this often per backend (the others at debug). */
    private static final long RETRY_WARN_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    /** How long a blocking wait waits for its timer past its timeout before it gives up on its own. */
    private static final Duration TIMER_GRACE = Duration.ofSeconds(2);

    /** The URL the backend was opened with. */
    protected final BackendUrl url;
    /** The options the backend was opened with. */
    protected final BackendOptions options;
    private final Set<BackendCapability> capabilities;
    private final String maskedUri;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ResultWaits waits = new ResultWaits();
    private final RetryRunner retries;
    private final AtomicLong retriesMade = new AtomicLong();
    private final AtomicLong lastRetryWarning = new AtomicLong(System.nanoTime() - RETRY_WARN_EVERY_NANOS);
    private final RetryRunner.GiveUp<RuntimeException> storeFailure = this::storeFailure;
    private final RetryRunner.GiveUp<RuntimeException> readFailure = this::readFailure;

    /**
     * Creates the base.
     *
     * @param url the backend URL
     * @param options the options (after the URL's overrides)
     * @param capabilities what the backend declares
     */
    protected AbstractBackend(BackendUrl url, BackendOptions options, Set<BackendCapability> capabilities) {
        this.url = Objects.requireNonNull(url, "url");
        this.options = Objects.requireNonNull(options, "options");
        this.capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
        this.maskedUri = url.withoutAlias().masked();
        this.retries = RetryRunner.builder(options.retryPolicy())
                .retryIf(e -> e instanceof RuntimeException r && isTransient(r) && !isClosed())
                .onRetry(this::retrying)
                .build();
    }

    // ------------------------------------------------------------------------------------------
    // description

    @Override
    public Set<BackendCapability> capabilities() {
        return capabilities;
    }

    @Override
    public String asUri() {
        return maskedUri;
    }

    @Override
    public String asUri(boolean includePassword) {
        return includePassword ? url.withoutAlias().unmaskedText() : maskedUri;
    }

    @Override
    public BackendOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + maskedUri + "]";
    }

    // ------------------------------------------------------------------------------------------
    // guards

    /**
     * Throws {@link BackendClosedException} when the backend is closed.
     */
    protected final void checkOpen() {
        if (closed.get()) {
            throw new BackendClosedException(maskedUri);
        }
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return {@code true} once closed
     */
    protected final boolean isClosed() {
        return closed.get();
    }

    /**
     * Throws the standard {@link UnsupportedCapabilityException} unless the capability is declared, then
     * checks the backend is open.
     *
     * @param capability the capability an operation needs
     */
    protected void require(BackendCapability capability) {
        if (!capabilities.contains(capability)) {
            throw unsupported(capability);
        }
        checkOpen();
    }

    /**
     * The exception for an undeclared capability; subclasses may add a detail.
     *
     * @param capability the capability
     * @return the exception to throw
     */
    protected UnsupportedCapabilityException unsupported(BackendCapability capability) {
        return new UnsupportedCapabilityException(maskedUri, capability);
    }

    // ------------------------------------------------------------------------------------------
    // writes

    @Override
    public final void store(TaskMeta meta) {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(meta.taskId(), "meta.taskId");
        checkOpen();
        doStore(meta);
    }

    @Override
    public TaskMeta storeResult(String taskId, Object result, TaskState state) {
        return storeResult(taskId, result, state, null, null);
    }

    @Override
    public TaskMeta storeResult(String taskId, Object result, TaskState state, String traceback, TaskRequest request) {
        TaskMeta meta = buildMeta(taskId, result, state, traceback, request);
        store(meta);
        return meta;
    }

    /**
     * Builds the meta Celery's {@code _get_result_meta} builds: {@code date_done} now for ready states,
     * {@code children} from the request ({@code null} without one), {@code group_id} and
     * {@code parent_id} when the request has them, and the extended block when
     * {@link BackendOptions#resultExtended()} is on and there is a request. A {@link Throwable} result of an
     * exception state becomes an {@link ExceptionInfo}.
     *
     * @param taskId the task id
     * @param result the value
     * @param state the state
     * @param traceback the traceback, or {@code null}
     * @param request the request, or {@code null}
     * @return the meta
     */
    protected TaskMeta buildMeta(String taskId, Object result, TaskState state, String traceback, TaskRequest request) {
        return ResultMetas.build(options, taskId, result, state, traceback, request);
    }

    /**
     * The {@link ExceptionInfo} of a Java exception: its simple (nested) class name as {@code exc_type},
     * its package as {@code exc_module}, its message as the single argument.
     *
     * @param t the exception
     * @return the info
     */
    public static ExceptionInfo exceptionInfo(Throwable t) {
        return ResultMetas.exceptionInfo(t);
    }

    @Override
    public TaskMeta markAsStarted(String taskId, Map<String, Object> meta) {
        return storeResult(taskId, meta, TaskState.STARTED);
    }

    @Override
    public TaskMeta markAsDone(String taskId, Object result, TaskRequest request) {
        TaskMeta meta = buildMeta(taskId, result, TaskState.SUCCESS, null, request);
        if (request == null || !request.ignoreResult()) {
            store(meta);
        }
        reportChordPart(taskId, request, TaskState.SUCCESS, result);
        return meta;
    }

    @Override
    public TaskMeta markAsFailure(String taskId, ExceptionInfo exception, String traceback, TaskRequest request) {
        TaskMeta meta = storeResult(taskId, exception, TaskState.FAILURE, traceback, request);
        reportChordPart(taskId, request, TaskState.FAILURE, exception);
        return meta;
    }

    @Override
    public TaskMeta markAsRetry(String taskId, ExceptionInfo exception, String traceback, TaskRequest request) {
        return storeResult(taskId, exception, TaskState.RETRY, traceback, request);
    }

    @Override
    public TaskMeta markAsRevoked(String taskId, String reason, TaskRequest request) {
        ExceptionInfo exc = ExceptionInfo.taskRevoked(reason);
        TaskMeta meta = storeResult(taskId, exc, TaskState.REVOKED, null, request);
        reportChordPart(taskId, request, TaskState.REVOKED, exc);
        return meta;
    }

    private void reportChordPart(String taskId, TaskRequest request, TaskState state, Object result) {
        if (Chords.isPart(request)) {
            onChordPartReturn(ChordPart.of(taskId, request, state, result));
        }
    }

    // ------------------------------------------------------------------------------------------
    // reads

    @Override
    public TaskMeta getTaskMeta(String taskId) {
        Objects.requireNonNull(taskId, "taskId");
        require(BackendCapability.READ);
        return doGetTaskMeta(taskId);
    }

    @Override
    public Map<String, TaskMeta> getMany(Collection<String> taskIds) {
        require(BackendCapability.READ);
        List<String> unique = ManyReads.distinct(taskIds);
        Map<String, TaskMeta> found = unique.isEmpty() ? Map.of() : doGetMany(unique);
        return ManyReads.complete(found, unique);
    }

    // ------------------------------------------------------------------------------------------
    // asynchronous stores and reads

    @Override
    public CompletableFuture<TaskMeta> storeResultAsync(String taskId, Object result, TaskState state, String traceback,
                                                        TaskRequest request) {
        TaskMeta meta;
        try {
            meta = buildMeta(taskId, result, state, traceback, request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return storeAsync(meta).thenApply(v -> meta);
    }

    @Override
    public final CompletableFuture<Void> storeAsync(TaskMeta meta) {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(meta.taskId(), "meta.taskId");
        try {
            checkOpen();
            return doStoreAsync(meta);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<TaskMeta> getTaskMetaAsync(String taskId) {
        Objects.requireNonNull(taskId, "taskId");
        try {
            require(BackendCapability.READ);
            return doGetTaskMetaAsync(taskId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Map<String, TaskMeta>> getManyAsync(Collection<String> taskIds) {
        try {
            require(BackendCapability.READ);
            List<String> unique = ManyReads.distinct(taskIds);
            if (unique.isEmpty()) {
                return CompletableFuture.completedFuture(ManyReads.complete(Map.of(), unique));
            }
            return doGetManyAsync(unique).thenApply(found -> ManyReads.complete(found, unique));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * {@link #doStore} without blocking the caller. The default runs {@link #doStore} on a shared pool of
     * threads; a store with a non-blocking client overrides it (and may make {@link #doStore} wait for it).
     *
     * @param meta the meta
     * @return completes once the write is acknowledged
     */
    protected CompletableFuture<Void> doStoreAsync(TaskMeta meta) {
        return AsyncCalls.run(() -> {
            doStore(meta);
            return null;
        });
    }

    /**
     * {@link #doGetTaskMeta} without blocking the caller; the default runs it on a shared pool of threads.
     *
     * @param taskId the task id
     * @return the meta
     */
    protected CompletableFuture<TaskMeta> doGetTaskMetaAsync(String taskId) {
        return AsyncCalls.run(() -> doGetTaskMeta(taskId));
    }

    /**
     * {@link #doGetMany} without blocking the caller; the default runs it on a shared pool of threads.
     *
     * @param taskIds distinct ids, at least one
     * @return a fresh map of what was found
     */
    protected CompletableFuture<Map<String, TaskMeta>> doGetManyAsync(List<String> taskIds) {
        return AsyncCalls.run(() -> doGetMany(taskIds));
    }

    // ------------------------------------------------------------------------------------------
    // waits

    @Override
    public CompletableFuture<TaskMeta> waitForAsync(String taskId) {
        Objects.requireNonNull(taskId, "taskId");
        require(BackendCapability.WAIT);
        return doWaitForAsync(taskId);
    }

    @Override
    public CompletableFuture<TaskMeta> waitForAsync(String taskId, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<TaskMeta> f = waitForAsync(taskId);
        if (f.isDone()) {
            return f;
        }
        return scheduleTimeout(f, taskId, timeout);
    }

    /**
     * Fails {@code future} with {@link WaitTimeoutException} after {@code timeout}. The default uses the
     * polling waiter's timer thread; push backends override it to use their own {@link PendingWaits}.
     *
     * @param future the wait
     * @param taskId the task id
     * @param timeout the timeout
     * @return {@code future}
     */
    protected CompletableFuture<TaskMeta> scheduleTimeout(CompletableFuture<TaskMeta> future, String taskId, Duration timeout) {
        return waits.poller(this).waits().withTimeout(future, taskId, timeout);
    }

    @Override
    public TaskMeta waitFor(String taskId, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        // the backend's timer ends the wait with the error that says why: the last state seen, or the store down
        Duration bound = timeout.compareTo(Duration.ofDays(3650)) > 0 ? timeout : timeout.plus(TIMER_GRACE);
        return ResultWaits.await(waitForAsync(taskId, timeout), taskId, bound, timeout);
    }

    @Override
    public Map<String, TaskMeta> waitForAll(Collection<String> taskIds, Duration timeout) {
        return ResultWaits.waitForAll(this, taskIds, timeout);
    }

    /**
     * Waits for a task. The default polls with one {@link PollingWaiter} per backend (reading pending ids
     * in batches through {@link #doGetMany}); push backends override it.
     *
     * @param taskId the id
     * @return a future of the ready meta
     */
    protected CompletableFuture<TaskMeta> doWaitForAsync(String taskId) {
        return waits.poller(this).waitFor(taskId);
    }

    // ------------------------------------------------------------------------------------------
    // groups

    @Override
    public void saveGroup(GroupResult group) {
        Objects.requireNonNull(group, "group");
        require(BackendCapability.GROUPS);
        doSaveGroup(group);
    }

    @Override
    public Optional<GroupResult> restoreGroup(String groupId) {
        Objects.requireNonNull(groupId, "groupId");
        require(BackendCapability.GROUPS);
        return doRestoreGroup(groupId);
    }

    @Override
    public void deleteGroup(String groupId) {
        Objects.requireNonNull(groupId, "groupId");
        require(BackendCapability.GROUPS);
        doDeleteGroup(groupId);
    }

    // ------------------------------------------------------------------------------------------
    // chords

    @Override
    public void setChordSize(String groupId, int size) {
        Objects.requireNonNull(groupId, "groupId");
        if (size < 0) {
            throw new IllegalArgumentException("a chord size cannot be negative: " + size);
        }
        require(BackendCapability.CHORDS);
        doSetChordSize(groupId, size);
    }

    @Override
    public Optional<ChordCompletion> onChordPartReturn(ChordPart part) {
        Objects.requireNonNull(part, "part");
        require(BackendCapability.CHORDS);
        Optional<ChordCompletion> done = doChordPartReturn(part);
        done.ifPresent(this::completeChord);
        return done;
    }

    /**
     * What Celery does when a chord's header completes: a failed chord's error is stored as FAILURE on the
     * body's task id, and the completion goes to the chord callback; a callback that throws has its error
     * stored on the body as {@code ChordError("Callback error: ...")}.
     *
     * @param completion the completion
     */
    protected void completeChord(ChordCompletion completion) {
        Chords.complete(this, completion);
    }

    /**
     * The chord error Celery raises when a part failed: {@code Dependency <id> raised <repr>}.
     *
     * @param taskId the failed part's id
     * @param exception the part's exception
     * @return the error
     */
    protected static ExceptionInfo dependencyError(String taskId, Object exception) {
        return Chords.dependencyError(taskId, exception);
    }

    // ------------------------------------------------------------------------------------------
    // housekeeping

    @Override
    public void forget(String taskId) {
        Objects.requireNonNull(taskId, "taskId");
        require(BackendCapability.FORGET);
        doForget(taskId);
    }

    @Override
    public long cleanup() {
        require(BackendCapability.CLEANUP);
        return doCleanup();
    }

    @Override
    public Stream<String> taskIds() {
        require(BackendCapability.SCAN);
        return doTaskIds();
    }

    @Override
    public Stream<String> groupIds() {
        require(BackendCapability.SCAN);
        return doGroupIds();
    }

    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        waits.close(maskedUri);
        doClose();
    }

    // ------------------------------------------------------------------------------------------
    // retries

    /**
     * How many times an operation of this backend was retried since it was opened (each wait before another
     * attempt of a read or a write counts once): 0 while every call succeeded at once or failed fast; for
     * monitoring and tests.
     *
     * @return the count
     */
    public final long retriesMade() {
        return retriesMade.get();
    }

    /** Counts a retry and says so: a warning at most every few seconds per backend, the rest at debug. */
    private void retrying(String what, int attempt, int attempts, Duration wait, Exception e) {
        retriesMade.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRetryWarning.get();
        if (now - last >= RETRY_WARN_EVERY_NANOS && lastRetryWarning.compareAndSet(last, now)) {
            LOG.warn("{} failed for {} (attempt {} of {}), retrying in {} ms: {}", maskedUri, what, attempt, attempts,
                    wait.toMillis(), e.getMessage());
        } else {
            LOG.debug("{} failed for {} (attempt {} of {}), retrying in {} ms: {}", maskedUri, what, attempt, attempts,
                    wait.toMillis(), e.getMessage());
        }
    }

    /**
     * Runs a write with the retry policy: an exception {@link #isTransient transient} is retried after
     * the policy's interval; a {@link CeleriacException} that is not transient is rethrown as is; anything
     * else, or running out of retries, raises {@link UnableToStoreResultException} naming the task.
     *
     * @param taskId the task (or group) written, for the message
     * @param op the write
     * @param <T> its result
     * @return its result
     */
    protected <T> T retryingWrite(String taskId, Supplier<T> op) {
        return retries.call(taskId, op::get, storeFailure);
    }

    /**
     * Runs a read with the retry policy; on failure raises {@link UnableToReadResultException}.
     *
     * @param taskId the task (or group) read, for the message
     * @param op the read
     * @param <T> its result
     * @return its result
     */
    protected <T> T retryingRead(String taskId, Supplier<T> op) {
        return retries.call(taskId, op::get, readFailure);
    }

    /**
     * {@link #retryingWrite} for an asynchronous write: retries wait without holding a thread.
     *
     * @param taskId the task written, for the message
     * @param op starts one attempt
     * @param <T> its result
     * @return its result, or {@link UnableToStoreResultException} (or a non-transient {@link CeleriacException})
     */
    protected <T> CompletableFuture<T> retryingWriteAsync(String taskId, Supplier<CompletableFuture<T>> op) {
        return retries.callAsync(taskId, op, storeFailure, AsyncCalls.executor());
    }

    /**
     * {@link #retryingRead} for an asynchronous read: retries wait without holding a thread.
     *
     * @param taskId the task read, for the message
     * @param op starts one attempt
     * @param <T> its result
     * @return its result, or {@link UnableToReadResultException} (or a non-transient {@link CeleriacException})
     */
    protected <T> CompletableFuture<T> retryingReadAsync(String taskId, Supplier<CompletableFuture<T>> op) {
        return retries.callAsync(taskId, op, readFailure, AsyncCalls.executor());
    }

    /** How a write ends: a non-transient {@link CeleriacException} as it is, anything else wrapped. */
    private RuntimeException storeFailure(String taskId, Exception e, int attempts) {
        if (e instanceof CeleriacException c && !isTransient(c)) {
            return c;
        }
        return new UnableToStoreResultException(taskId, maskedUri, attempts, e);
    }

    /** How a read ends: a non-transient {@link CeleriacException} as it is, anything else wrapped. */
    private RuntimeException readFailure(String taskId, Exception e, int attempts) {
        if (e instanceof CeleriacException c && !isTransient(c)) {
            return c;
        }
        return new UnableToReadResultException(taskId, maskedUri, e);
    }

    /**
     * Whether an exception is worth retrying (a lost connection, a serialization failure). The default
     * says no; plugins recognize their drivers' transient errors.
     *
     * @param e the exception
     * @return {@code true} to retry
     */
    protected boolean isTransient(RuntimeException e) {
        return false;
    }

    // ------------------------------------------------------------------------------------------
    // hooks

    /**
     * Stores a meta, never overwriting a stored SUCCESS (atomically), and wakes its waiters.
     *
     * @param meta the meta, with its task id
     */
    protected abstract void doStore(TaskMeta meta);

    /**
     * Reads a meta; PENDING when absent.
     *
     * @param taskId the id
     * @return the meta
     */
    protected abstract TaskMeta doGetTaskMeta(String taskId);

    /**
     * Reads several metas; the default reads them one by one. Ids with no result may be absent from
     * the map or PENDING. The map is the caller's: a {@link LinkedHashMap} of exactly {@code taskIds}, in
     * their order, is handed on as {@link #getMany}'s result, so it must be a fresh map.
     *
     * @param taskIds distinct ids
     * @return what was found
     */
    protected Map<String, TaskMeta> doGetMany(List<String> taskIds) {
        Map<String, TaskMeta> out = new LinkedHashMap<>();
        for (String id : taskIds) {
            out.put(id, doGetTaskMeta(id));
        }
        return out;
    }

    /** @param group the group to save */
    protected void doSaveGroup(GroupResult group) {
        throw unsupported(BackendCapability.GROUPS);
    }

    /** @param groupId the group @return the group, or empty */
    protected Optional<GroupResult> doRestoreGroup(String groupId) {
        throw unsupported(BackendCapability.GROUPS);
    }

    /** @param groupId the group to delete */
    protected void doDeleteGroup(String groupId) {
        throw unsupported(BackendCapability.GROUPS);
    }

    /** @param groupId the chord @param size its header size */
    protected void doSetChordSize(String groupId, int size) {
        throw unsupported(BackendCapability.CHORDS);
    }

    /**
     * Counts a part atomically; returns the completion for exactly one part of each chord.
     *
     * @param part the part
     * @return the completion, or empty
     */
    protected Optional<ChordCompletion> doChordPartReturn(ChordPart part) {
        throw unsupported(BackendCapability.CHORDS);
    }

    /** @param taskId the task whose result to delete */
    protected void doForget(String taskId) {
        throw unsupported(BackendCapability.FORGET);
    }

    /** @return how many expired results and groups were deleted */
    protected long doCleanup() {
        throw unsupported(BackendCapability.CLEANUP);
    }

    /** @return every stored task id */
    protected Stream<String> doTaskIds() {
        throw unsupported(BackendCapability.SCAN);
    }

    /** @return every saved group id */
    protected Stream<String> doGroupIds() {
        throw unsupported(BackendCapability.SCAN);
    }

    /** Releases connections and threads; called once. */
    protected void doClose() {
    }
}
