package io.celeriac.tck;

import io.celeriac.UnsupportedCapabilityException;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendClosedException;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.WaitTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance kit for result backends: extend it in your plugin's tests and implement
 * {@link #createFixture()}.
 *
 * <pre>{@code
 * class MyBackendContractTest extends BackendContract {
 *     protected BackendFixture createFixture() {
 *         String ns = "test-" + UUID.randomUUID();
 *         return new BackendFixture() {
 *             public Backend open(BackendOptions options) { return celeriac.openBackend("my://host/" + ns, options); }
 *             public Set<BackendCapability> capabilities() { return EnumSet.allOf(BackendCapability.class); }
 *             public void close() { dropNamespace(ns); }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>It checks every rule of {@code DESIGN.md}: PENDING for unknown ids; a round trip of every value in
 * the {@link GoldenCorpus}; FAILURE, RETRY and REVOKED keeping their {@link ExceptionInfo}; SUCCESS never
 * overwritten, also under concurrent writers; expiry, cleanup and forget; groups; {@code getMany} over
 * thousands of ids; waits that time out with a typed error and async waits woken by stores from other
 * threads and other instances; a chord completing exactly once under 64 concurrent part returns; close
 * being idempotent and leaking no threads. Tests of undeclared capabilities are skipped, and each
 * undeclared operation is checked to fail with {@link UnsupportedCapabilityException}'s standard message.
 */
public abstract class BackendContract {

    private BackendFixture fixture;
    private final List<Backend> opened = new ArrayList<>();

    /**
     * Creates a fresh, isolated fixture for one test.
     *
     * @return the fixture
     * @throws Exception when the store cannot be prepared
     */
    protected abstract BackendFixture createFixture() throws Exception;

    /**
     * Prefixes of thread names that belong to JVM-wide pools of the plugin's libraries and outlive a
     * closed backend by design; the leak check ignores them. Default: none.
     *
     * @return name prefixes
     */
    protected Set<String> sharedThreadNamePrefixes() {
        return Set.of();
    }

    @BeforeEach
    final void createKitFixture() throws Exception {
        fixture = createFixture();
    }

    @AfterEach
    final void closeKitFixture() throws Exception {
        for (Backend b : opened) {
            try {
                b.close();
            } catch (RuntimeException e) {
                // the test failed already or closed it; keep cleaning up
            }
        }
        opened.clear();
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * Opens a backend with Celery's default options on the test's fixture.
     *
     * @return the backend, closed after the test
     */
    protected final Backend open() {
        return open(BackendOptions.defaults());
    }

    /**
     * Opens a backend on the test's fixture.
     *
     * @param options the options
     * @return the backend, closed after the test
     */
    protected final Backend open(BackendOptions options) {
        Backend b = fixture.open(options);
        opened.add(b);
        return b;
    }

    /**
     * Whether the fixture declares a capability.
     *
     * @param c the capability
     * @return whether declared
     */
    protected final boolean has(BackendCapability c) {
        return fixture.capabilities().contains(c);
    }

    private void requireCapability(BackendCapability... cs) {
        for (BackendCapability c : cs) {
            assumeTrue(has(c), "the backend does not declare " + c + " (checked by required_undeclaredOperationsFailWithTheStandardMessage)");
        }
    }

    /** @return a fresh task id */
    protected static String newId() {
        return UUID.randomUUID().toString();
    }

    private static Duration t(long millis) {
        return Tck.timeout(Duration.ofMillis(millis));
    }

    // =============================================================================================
    // required

    @Test
    void required_declaresExactlyTheFixtureCapabilities() {
        assertThat(open().capabilities()).containsExactlyInAnyOrderElementsOf(fixture.capabilities());
    }

    @Test
    void required_undeclaredOperationsFailWithTheStandardMessage() {
        Backend b = open();
        String part = newId();
        Map<BackendCapability, List<Executable>> ops = new LinkedHashMap<>();
        ops.put(BackendCapability.READ, List.of(() -> b.getTaskMeta(part), () -> b.getMany(List.of(part)), () -> b.getStatus(part)));
        ops.put(BackendCapability.WAIT, List.of(() -> b.waitForAsync(part), () -> b.waitFor(part, Duration.ofMillis(10))));
        ops.put(BackendCapability.FORGET, List.of(() -> b.forget(part)));
        ops.put(BackendCapability.GROUPS, List.of(() -> b.saveGroup(GroupResult.ofTaskIds(part, List.of(part))),
                () -> b.restoreGroup(part), () -> b.deleteGroup(part)));
        ops.put(BackendCapability.CHORDS, List.of(() -> b.setChordSize(part, 1),
                () -> b.onChordPartReturn(new ChordPart(part, part, 0, TaskState.SUCCESS, 1L, 1, null))));
        ops.put(BackendCapability.CLEANUP, List.of(b::cleanup));
        ops.put(BackendCapability.SCAN, List.of(() -> b.taskIds().close(), () -> b.groupIds().close()));
        for (Map.Entry<BackendCapability, List<Executable>> e : ops.entrySet()) {
            if (b.supports(e.getKey())) {
                continue;
            }
            String standard = UnsupportedCapabilityException.standardMessage(b.asUri(), e.getKey());
            for (Executable op : e.getValue()) {
                assertThatThrownBy(op::execute)
                        .as("an undeclared %s operation", e.getKey())
                        .isInstanceOf(UnsupportedCapabilityException.class)
                        .hasMessageStartingWith(standard);
            }
        }
        for (BackendCapability c : BackendCapability.values()) {
            assertThat(ops.containsKey(c)).as("the kit checks every operation capability: %s", c).isEqualTo(!c.isBehaviour());
        }
    }

    @Test
    void required_storingEveryStateSucceeds() {
        Backend b = open();
        for (TaskState s : List.of(TaskState.PENDING, TaskState.STARTED, TaskState.RETRY, TaskState.FAILURE,
                TaskState.REVOKED, TaskState.SUCCESS, TaskState.of("PROGRESS"))) {
            Object value = s.isException() ? ExceptionInfo.builtin("ValueError", "x") : Map.of("state", s.name());
            TaskMeta written = b.storeResult(newId(), value, s);
            assertThat(written.status()).isEqualTo(s);
            assertThat(written.dateDone() != null).isEqualTo(s.isReady());
        }
    }

    @Test
    void required_closeIsIdempotentAndLeaksNoThreads() throws Exception {
        ThreadLeaks threads = ThreadLeaks.snapshot();
        Backend b = fixture.open(BackendOptions.defaults());
        String id = newId();
        b.storeResult(id, 1L, TaskState.SUCCESS);
        CompletableFuture<TaskMeta> pending = null;
        if (b.supports(BackendCapability.READ)) {
            b.getTaskMeta(id);
            b.getMany(List.of(id, newId()));
        }
        if (b.supports(BackendCapability.WAIT)) {
            assertThat(b.waitFor(id, t(5000)).result()).isEqualTo(1L);
            pending = b.waitForAsync(newId(), t(60_000));
        }
        b.close();
        b.close();
        if (pending != null) {
            CompletableFuture<TaskMeta> p = pending;
            await().atMost(t(5000)).until(p::isDone);
            assertThatThrownBy(p::get).hasCauseInstanceOf(BackendClosedException.class);
        }
        threads.assertNoNewThreads(t(10_000), sharedThreadNamePrefixes());
    }

    @Test
    void required_operationsAfterCloseFail() {
        Backend b = open();
        b.close();
        assertThatThrownBy(() -> b.storeResult(newId(), 1L, TaskState.SUCCESS)).isInstanceOf(BackendClosedException.class);
        if (b.supports(BackendCapability.READ)) {
            assertThatThrownBy(() -> b.getTaskMeta(newId())).isInstanceOf(BackendClosedException.class);
        }
        if (b.supports(BackendCapability.WAIT)) {
            assertThatThrownBy(() -> b.waitForAsync(newId())).isInstanceOf(BackendClosedException.class);
        }
    }

    @Test
    void required_asyncCallsAfterCloseFailInTheirFutures() {
        Backend b = open();
        b.close();
        assertThatThrownBy(() -> b.storeResultAsync(newId(), 1L, TaskState.SUCCESS).join())
                .hasCauseInstanceOf(BackendClosedException.class);
        if (b.supports(BackendCapability.READ)) {
            assertThatThrownBy(() -> b.getTaskMetaAsync(newId()).join()).hasCauseInstanceOf(BackendClosedException.class);
            assertThatThrownBy(() -> b.getManyAsync(List.of(newId())).join()).hasCauseInstanceOf(BackendClosedException.class);
        }
    }

    // =============================================================================================
    // READ

    @Test
    void read_asyncStoresAndReadsGiveWhatTheBlockingCallsGive() {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        List<String> ids = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<TaskMeta>> stores = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = "async-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            stores.add(b.storeResultAsync(id, (long) i, i % 2 == 0 ? TaskState.SUCCESS : TaskState.STARTED));
        }
        for (int i = 0; i < ids.size(); i++) {
            TaskMeta stored = stores.get(i).join();
            assertThat(stored.taskId()).isEqualTo(ids.get(i));
            // acknowledged means readable, by the blocking call and by the asynchronous one
            assertThat(b.getTaskMeta(ids.get(i)).result()).isEqualTo((long) i);
            assertThat(b.getTaskMetaAsync(ids.get(i)).join().status()).isEqualTo(i % 2 == 0 ? TaskState.SUCCESS : TaskState.STARTED);
        }
        // a stored SUCCESS is kept by an asynchronous store too
        b.storeResultAsync(ids.get(0), "late", TaskState.FAILURE).join();
        assertThat(b.getTaskMeta(ids.get(0)).result()).isEqualTo(0L);
        String unknown = newId();
        List<String> asked = new ArrayList<>(ids);
        asked.add(unknown);
        asked.add(ids.get(1));
        Map<String, TaskMeta> many = b.getManyAsync(asked).join();
        List<String> expected = new ArrayList<>(ids);
        expected.add(unknown);
        assertThat(new ArrayList<>(many.keySet())).isEqualTo(expected);
        assertThat(many.get(ids.get(199)).result()).isEqualTo(199L);
        assertThat(many.get(unknown).status()).isEqualTo(TaskState.PENDING);
        assertThat(b.getManyAsync(List.of()).join()).isEmpty();
        assertThat(b.getTaskMetaAsync(unknown).join().status()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void read_unknownTaskIsPending() {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        String id = newId();
        TaskMeta m = b.getTaskMeta(id);
        assertThat(m.status()).isEqualTo(TaskState.PENDING);
        assertThat(m.result()).isNull();
        assertThat(m.taskId()).isEqualTo(id);
        assertThat(b.getStatus(id)).isEqualTo(TaskState.PENDING);
        assertThat(b.getResult(id)).isNull();
        assertThat(b.getTraceback(id)).isNull();
    }

    @Test
    void read_everyGoldenMetaRoundTrips() {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        List<TaskMeta> golden = GoldenCorpus.metas();
        assertThat(golden).hasSizeGreaterThan(40);
        for (TaskMeta g : golden) {
            String id = newId();
            TaskMeta written = g.withTaskId(id);
            b.store(written);
            TaskMeta read = b.getTaskMeta(id);
            assertSameMeta(read, written);
        }
    }

    /**
     * Asserts a meta read back equals the one written, on every field the backend keeps.
     *
     * @param read what was read
     * @param written what was written
     */
    protected void assertSameMeta(TaskMeta read, TaskMeta written) {
        String what = "task " + written.taskId() + " (" + written.status() + ", " + abbreviate(written.result()) + ")";
        assertThat(read.taskId()).as(what).isEqualTo(written.taskId());
        assertThat(read.status()).as(what).isEqualTo(written.status());
        assertThat(read.result()).as(what).isEqualTo(written.result());
        assertThat(read.traceback()).as(what).isEqualTo(written.traceback());
        assertThat(read.dateDone()).as(what).isEqualTo(written.dateDone());
        if (written.extended()) {
            assertThat(read.name()).as(what).isEqualTo(written.name());
            assertThat(read.args()).as(what).isEqualTo(written.args());
            assertThat(read.kwargs()).as(what).isEqualTo(written.kwargs());
            assertThat(read.worker()).as(what).isEqualTo(written.worker());
            assertThat(read.retries()).as(what).isEqualTo(written.retries());
            assertThat(read.queue()).as(what).isEqualTo(written.queue());
        }
        if (has(BackendCapability.FULL_META)) {
            assertThat(read.children()).as(what).isEqualTo(written.children());
            assertThat(read.groupId()).as(what).isEqualTo(written.groupId());
            assertThat(read.parentId()).as(what).isEqualTo(written.parentId());
            assertThat(read.extended()).as(what).isEqualTo(written.extended());
        }
    }

    private static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    @Test
    void read_exceptionStatesKeepTheirExceptionInfo() {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        ExceptionInfo exc = ExceptionInfo.of("CustomError", "proj.errors", "quota exceeded \u2603", 429L);
        String tb = "Traceback (most recent call last):\n  File \"proj/tasks.py\", line 2, in run\nCustomError\n";

        String failed = newId();
        b.markAsFailure(failed, exc, tb, null);
        TaskMeta f = b.getTaskMeta(failed);
        assertThat(f.status()).isEqualTo(TaskState.FAILURE);
        assertThat(f.result()).isEqualTo(exc);
        assertThat(f.exception()).contains(exc);
        assertThat(f.traceback()).isEqualTo(tb);
        assertThat(f.dateDone()).isNotNull();

        String retried = newId();
        b.markAsRetry(retried, ExceptionInfo.builtin("RuntimeError", "transient"), tb, null);
        TaskMeta r = b.getTaskMeta(retried);
        assertThat(r.status()).isEqualTo(TaskState.RETRY);
        assertThat(r.result()).isEqualTo(ExceptionInfo.builtin("RuntimeError", "transient"));
        assertThat(r.dateDone()).isNull();

        String revoked = newId();
        b.markAsRevoked(revoked, "terminated", null);
        TaskMeta v = b.getTaskMeta(revoked);
        assertThat(v.status()).isEqualTo(TaskState.REVOKED);
        assertThat(v.result()).isEqualTo(new ExceptionInfo("TaskRevokedError", List.of("terminated"), "celery.exceptions"));
        assertThat(v.traceback()).isNull();

        String noArgs = newId();
        b.storeResult(noArgs, ExceptionInfo.of("KeyError", "builtins"), TaskState.FAILURE);
        assertThat(b.getTaskMeta(noArgs).result()).isEqualTo(new ExceptionInfo("KeyError", List.of(), "builtins"));
    }

    @Test
    void read_startedAndCustomStatesKeepTheirMeta() {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        String started = newId();
        b.markAsStarted(started, Map.of("pid", 4242L, "hostname", "worker1@host"));
        TaskMeta s = b.getTaskMeta(started);
        assertThat(s.status()).isEqualTo(TaskState.STARTED);
        assertThat(s.result()).isEqualTo(Map.of("pid", 4242L, "hostname", "worker1@host"));
        assertThat(s.dateDone()).isNull();

        String progress = newId();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("current", 3L);
        p.put("total", 10L);
        b.storeResult(progress, p, TaskState.of("PROGRESS"));
        TaskMeta m = b.getTaskMeta(progress);
        assertThat(m.status()).isEqualTo(TaskState.of("PROGRESS"));
        assertThat(m.result()).isEqualTo(p);
        assertThat(m.isReady()).isFalse();
    }

    @Test
    void read_requestFieldsAreStoredWhenExtended() {
        requireCapability(BackendCapability.READ);
        Backend b = open(BackendOptions.builder().resultExtended(true).build());
        String id = newId();
        TaskRequest req = TaskRequest.builder().task("proj.add").args(List.of(1L, "two", Map.of("three", 3L)))
                .kwargs(Map.of("k", "v")).hostname("worker1@host").retries(2).queue("celery")
                .group("g-" + id).parentId("p-" + id).children(List.of(ResultTuple.of("c-" + id))).build();
        TaskMeta written = b.storeResult(id, 3L, TaskState.SUCCESS, null, req);
        assertThat(written.extended()).isTrue();
        TaskMeta read = b.getTaskMeta(id);
        assertSameMeta(read, written);
        assertThat(read.name()).isEqualTo("proj.add");
        assertThat(read.args()).isEqualTo(List.of(1L, "two", Map.of("three", 3L)));
        assertThat(read.kwargs()).isEqualTo(Map.of("k", "v"));
        assertThat(read.worker()).isEqualTo("worker1@host");
        assertThat(read.retries()).isEqualTo(2);
        assertThat(read.queue()).isEqualTo("celery");
        if (has(BackendCapability.FULL_META)) {
            assertThat(read.groupId()).isEqualTo("g-" + id);
            assertThat(read.parentId()).isEqualTo("p-" + id);
            assertThat(read.children()).isEqualTo(List.of(ResultTuple.of("c-" + id).toList()));
        }
    }

    @Test
    void read_successIsNeverOverwritten() {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        String id = newId();
        b.storeResult(id, "first", TaskState.SUCCESS);
        b.markAsStarted(id, Map.of("pid", 1L));
        b.markAsRetry(id, ExceptionInfo.builtin("RuntimeError", "late"), null, null);
        b.markAsFailure(id, ExceptionInfo.builtin("ValueError", "late"), null, null);
        b.markAsRevoked(id, "revoked", null);
        b.storeResult(id, "progress", TaskState.of("PROGRESS"));
        b.storeResult(id, "second", TaskState.SUCCESS);
        TaskMeta m = b.getTaskMeta(id);
        assertThat(m.status()).isEqualTo(TaskState.SUCCESS);
        assertThat(m.result()).isEqualTo("first");
    }

    @Test
    void read_successIsNeverOverwrittenByConcurrentWriters() throws Exception {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        int ids = 40;
        int writersPerId = 8;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < 3; round++) {
                List<String> taskIds = new ArrayList<>();
                List<Runnable> writes = new ArrayList<>();
                for (int i = 0; i < ids; i++) {
                    String id = newId();
                    taskIds.add(id);
                    writes.add(() -> b.storeResult(id, "winner-" + id, TaskState.SUCCESS));
                    writes.add(() -> b.markAsStarted(id, Map.of("pid", 1L)));
                    writes.add(() -> b.markAsRetry(id, ExceptionInfo.builtin("RuntimeError", "r"), null, null));
                    writes.add(() -> b.markAsFailure(id, ExceptionInfo.builtin("ValueError", "f"), null, null));
                    writes.add(() -> b.storeResult(id, "p", TaskState.of("PROGRESS")));
                    writes.add(() -> b.markAsStarted(id, Map.of("pid", 2L)));
                    writes.add(() -> b.markAsRetry(id, ExceptionInfo.builtin("RuntimeError", "r2"), null, null));
                    writes.add(() -> b.storeResult(id, "p2", TaskState.RETRY));
                }
                assertThat(writes).hasSize(ids * writersPerId);
                Collections.shuffle(writes);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> futures = new ArrayList<>();
                for (Runnable w : writes) {
                    futures.add(pool.submit(() -> {
                        go.await();
                        w.run();
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : futures) {
                    f.get(t(60_000).toMillis(), TimeUnit.MILLISECONDS);
                }
                Map<String, TaskMeta> all = b.getMany(taskIds);
                for (String id : taskIds) {
                    assertThat(all.get(id).status()).as("task %s after concurrent writes", id).isEqualTo(TaskState.SUCCESS);
                    assertThat(all.get(id).result()).isEqualTo("winner-" + id);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void read_getManyReturnsEveryIdInOrder() {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            ids.add("gm-" + i + "-" + UUID.randomUUID());
        }
        for (int i = 0; i < ids.size(); i += 2) {
            b.storeResult(ids.get(i), (long) i, TaskState.SUCCESS);
        }
        List<String> asked = new ArrayList<>(ids);
        asked.add(ids.get(0));
        Map<String, TaskMeta> many = b.getMany(asked);
        assertThat(new ArrayList<>(many.keySet())).isEqualTo(ids);
        for (int i = 0; i < ids.size(); i++) {
            TaskMeta m = many.get(ids.get(i));
            assertThat(m.taskId()).isEqualTo(ids.get(i));
            if (i % 2 == 0) {
                assertThat(m.status()).isEqualTo(TaskState.SUCCESS);
                assertThat(m.result()).isEqualTo((long) i);
            } else {
                assertThat(m.status()).isEqualTo(TaskState.PENDING);
            }
        }
        assertThat(b.getMany(List.of())).isEmpty();
    }

    @Test
    void read_largeValuesRoundTrip() {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        String id = newId();
        String big = "0123456789abcdef\u00e9\ud83d\ude80".repeat(60_000);
        b.storeResult(id, big, TaskState.SUCCESS);
        assertThat(b.getResult(id)).isEqualTo(big);
    }

    @Test
    void read_unusualIdsRoundTrip() {
        requireCapability(BackendCapability.READ);
        Backend b = open();
        String u = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = List.of(
                "with space " + u, "quote\"d'" + u, "uni\u00e7\u00f8d\u00e9-\u2713-\ud83d\ude80-" + u,
                "line\nbreak-" + u, "semi;colon%25*?" + u, "x".repeat(146) + u);
        for (String id : ids) {
            assertThat(id.length()).isLessThanOrEqualTo(155);
            b.storeResult(id, id, TaskState.SUCCESS);
        }
        for (String id : ids) {
            TaskMeta m = b.getTaskMeta(id);
            assertThat(m.status()).as(id).isEqualTo(TaskState.SUCCESS);
            assertThat(m.result()).as(id).isEqualTo(id);
        }
        assertThat(b.getMany(ids).values()).allMatch(m -> m.status().equals(TaskState.SUCCESS));
    }

    // =============================================================================================
    // WAIT

    @Test
    void wait_returnsAtOnceWhenReady() {
        requireCapability(BackendCapability.WAIT);
        Backend b = open();
        String id = newId();
        b.storeResult(id, List.of(1L, 2L), TaskState.SUCCESS);
        TaskMeta m = b.waitFor(id, t(5000));
        assertThat(m.status()).isEqualTo(TaskState.SUCCESS);
        assertThat(m.result()).isEqualTo(List.of(1L, 2L));
    }

    @Test
    void wait_timesOutWithATypedError() {
        requireCapability(BackendCapability.WAIT);
        Backend b = open();
        String id = newId();
        long start = System.nanoTime();
        assertThatThrownBy(() -> b.waitFor(id, Duration.ofMillis(200)))
                .isInstanceOf(WaitTimeoutException.class)
                .hasMessageContaining(id)
                .satisfies(e -> assertThat(((WaitTimeoutException) e).taskId()).isEqualTo(id));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));

        CompletableFuture<TaskMeta> f = b.waitForAsync(id, Duration.ofMillis(100));
        await().atMost(t(5000)).until(f::isDone);
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WaitTimeoutException.class);
    }

    @Test
    void wait_unreadyStatesDoNotEndTheWait() throws Exception {
        requireCapability(BackendCapability.WAIT);
        Backend b = open();
        String id = newId();
        CompletableFuture<TaskMeta> f = b.waitForAsync(id, t(30_000));
        b.markAsStarted(id, Map.of("pid", 1L));
        b.markAsRetry(id, ExceptionInfo.builtin("RuntimeError", "again"), null, null);
        b.storeResult(id, Map.of("p", 1L), TaskState.of("PROGRESS"));
        assertThat(b.getStatus(id)).isEqualTo(TaskState.of("PROGRESS"));
        assertThat(f).isNotDone();
        b.markAsDone(id, "done", null);
        assertThat(f.get(t(10_000).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("done");
    }

    @Test
    void wait_asyncWaitIsWokenByAStoreFromAnotherThread() throws Exception {
        requireCapability(BackendCapability.WAIT);
        Backend b = open();
        String id = newId();
        CompletableFuture<TaskMeta> f = b.waitForAsync(id);
        assertThat(f).isNotDone();
        Thread writer = new Thread(() -> b.storeResult(id, Map.of("answer", 42L), TaskState.SUCCESS), "kit-writer");
        writer.start();
        TaskMeta m = f.get(t(10_000).toMillis(), TimeUnit.MILLISECONDS);
        writer.join();
        assertThat(m.taskId()).isEqualTo(id);
        assertThat(m.status()).isEqualTo(TaskState.SUCCESS);
        assertThat(m.result()).isEqualTo(Map.of("answer", 42L));
    }

    @Test
    void wait_waitIsWokenByAStoreThroughAnotherInstance() throws Exception {
        requireCapability(BackendCapability.WAIT);
        Backend waiter = open();
        Backend writer = open();
        String id = newId();
        CompletableFuture<TaskMeta> f = waiter.waitForAsync(id, t(20_000));
        CompletableFuture<TaskMeta> blocking = CompletableFuture.supplyAsync(() -> waiter.waitFor(id, t(20_000)));
        writer.markAsFailure(id, ExceptionInfo.builtin("ValueError", "boom"), "tb", null);
        assertThat(f.get(t(20_000).toMillis(), TimeUnit.MILLISECONDS).status()).isEqualTo(TaskState.FAILURE);
        assertThat(blocking.get(t(20_000).toMillis(), TimeUnit.MILLISECONDS).result())
                .isEqualTo(ExceptionInfo.builtin("ValueError", "boom"));
    }

    @Test
    void wait_thousandsOfConcurrentWaitsAllComplete() throws Exception {
        requireCapability(BackendCapability.WAIT);
        Backend waiter = open();
        Backend writer = open();
        int n = 2000;
        List<String> ids = new ArrayList<>(n);
        List<CompletableFuture<TaskMeta>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = "w-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            futures.add(waiter.waitForAsync(id, t(120_000)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int offset = w;
                writes.add(pool.submit(() -> {
                    for (int i = offset; i < n; i += 4) {
                        writer.storeResult(ids.get(i), (long) i, TaskState.SUCCESS);
                    }
                }));
            }
            for (Future<?> w : writes) {
                w.get(t(120_000).toMillis(), TimeUnit.MILLISECONDS);
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(t(120_000).toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < n; i++) {
            assertThat(futures.get(i).get().result()).isEqualTo((long) i);
        }
    }

    @Test
    void wait_cancellingOneWaitLeavesTheOthers() throws Exception {
        requireCapability(BackendCapability.WAIT);
        Backend b = open();
        String id = newId();
        CompletableFuture<TaskMeta> cancelled = b.waitForAsync(id);
        CompletableFuture<TaskMeta> kept = b.waitForAsync(id, t(20_000));
        assertThat(cancelled.cancel(false)).isTrue();
        b.markAsRevoked(id, "revoked", null);
        assertThat(kept.get(t(20_000).toMillis(), TimeUnit.MILLISECONDS).status()).isEqualTo(TaskState.REVOKED);
        assertThat(cancelled).isCancelled();
        // the id can be waited for again after every waiter is gone
        String again = newId();
        CompletableFuture<TaskMeta> first = b.waitForAsync(again);
        first.cancel(false);
        CompletableFuture<TaskMeta> second = b.waitForAsync(again, t(20_000));
        b.storeResult(again, 7L, TaskState.SUCCESS);
        assertThat(second.get(t(20_000).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo(7L);
    }

    @Test
    void wait_forAllReturnsEveryReadyMeta() {
        requireCapability(BackendCapability.WAIT, BackendCapability.READ);
        Backend b = open();
        List<String> ids = List.of(newId(), newId(), newId());
        b.storeResult(ids.get(0), 0L, TaskState.SUCCESS);
        CompletableFuture.runAsync(() -> {
            b.storeResult(ids.get(1), 1L, TaskState.SUCCESS);
            b.markAsFailure(ids.get(2), ExceptionInfo.builtin("ValueError", "2"), null, null);
        });
        Map<String, TaskMeta> all = b.waitForAll(ids, t(20_000));
        assertThat(new ArrayList<>(all.keySet())).isEqualTo(ids);
        assertThat(all.get(ids.get(1)).result()).isEqualTo(1L);
        assertThat(all.get(ids.get(2)).status()).isEqualTo(TaskState.FAILURE);
        assertThatThrownBy(() -> b.waitForAll(List.of(ids.get(0), newId()), Duration.ofMillis(200)))
                .isInstanceOf(WaitTimeoutException.class);
    }

    // =============================================================================================
    // FORGET

    @Test
    void forget_makesTheTaskPendingAgain() {
        requireCapability(BackendCapability.FORGET, BackendCapability.READ);
        Backend b = open();
        String id = newId();
        b.storeResult(id, "x", TaskState.SUCCESS);
        assertThat(b.getStatus(id)).isEqualTo(TaskState.SUCCESS);
        b.forget(id);
        assertThat(b.getTaskMeta(id).status()).isEqualTo(TaskState.PENDING);
        b.forget(id); // forgetting twice is harmless
        b.storeResult(id, "y", TaskState.SUCCESS);
        assertThat(b.getResult(id)).isEqualTo("y");
    }

    // =============================================================================================
    // GROUPS

    @Test
    void groups_saveRestoreAndDelete() {
        requireCapability(BackendCapability.GROUPS);
        Backend b = open();
        String gid = newId();
        ResultTuple parent = ResultTuple.of("parent-" + gid);
        GroupResult nested = new GroupResult("inner-" + gid, List.of(ResultTuple.of("i1-" + gid)), null);
        GroupResult group = new GroupResult(gid, List.of(ResultTuple.of("a-" + gid), ResultTuple.of("b-" + gid, parent),
                nested.asTuple()), parent);
        b.saveGroup(group);
        assertThat(b.restoreGroup(gid)).contains(group);
        assertThat(b.restoreGroup(gid).orElseThrow().memberIds()).containsExactly("a-" + gid, "b-" + gid, "inner-" + gid);
        assertThat(b.restoreGroup(newId())).isEmpty();
        b.deleteGroup(gid);
        assertThat(b.restoreGroup(gid)).isEmpty();
        b.deleteGroup(gid);
    }

    @Test
    void groups_goldenGroupsRoundTrip() {
        requireCapability(BackendCapability.GROUPS);
        Backend b = open();
        for (GroupResult g : GoldenCorpus.groups()) {
            GroupResult copy = new GroupResult(newId(), g.results(), g.parent());
            b.saveGroup(copy);
            assertThat(b.restoreGroup(copy.id())).contains(copy);
        }
    }

    // =============================================================================================
    // CHORDS

    @Test
    void chords_completeExactlyOnceUnder64ConcurrentParts() throws Exception {
        requireCapability(BackendCapability.CHORDS);
        ConcurrentLinkedQueue<ChordCompletion> callbacks = new ConcurrentLinkedQueue<>();
        Backend b = open(BackendOptions.builder().chordCallback(callbacks::add).build());
        for (int round = 0; round < 3; round++) {
            String gid = newId();
            int n = 64;
            b.setChordSize(gid, n);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                order.add(i);
            }
            Collections.shuffle(order);
            Map<String, Object> body = Map.of("task", "proj.tsum", "options", Map.of());
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Optional<ChordCompletion>> results = Collections.synchronizedList(new ArrayList<>());
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> fs = new ArrayList<>();
                for (int idx : order) {
                    fs.add(pool.submit(() -> {
                        go.await();
                        results.add(b.onChordPartReturn(new ChordPart(gid, "part-" + idx + "-" + gid, idx,
                                TaskState.SUCCESS, (long) idx * 10, null, body)));
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : fs) {
                    f.get(t(60_000).toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            List<ChordCompletion> done = results.stream().flatMap(Optional::stream).collect(Collectors.toList());
            assertThat(results).hasSize(n);
            assertThat(done).as("completions of chord %s", gid).hasSize(1);
            ChordCompletion c = done.get(0);
            assertThat(c.failed()).isFalse();
            assertThat(c.groupId()).isEqualTo(gid);
            assertThat(c.body()).isEqualTo(body);
            List<Object> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add((long) i * 10);
            }
            assertThat(c.results()).isEqualTo(expected);
        }
        assertThat(callbacks).hasSize(3);
    }

    @Test
    void chords_aFailedPartFailsTheChordAndItsBody() {
        requireCapability(BackendCapability.CHORDS);
        AtomicInteger calls = new AtomicInteger();
        Backend b = open(BackendOptions.builder().chordCallback(c -> calls.incrementAndGet()).build());
        String gid = newId();
        String bodyId = "body-" + gid;
        Map<String, Object> body = Map.of("task", "proj.tsum", "options", Map.of("task_id", bodyId));
        b.setChordSize(gid, 3);
        assertThat(b.onChordPartReturn(new ChordPart(gid, "ok-" + gid, 0, TaskState.SUCCESS, 1L, null, body))).isEmpty();
        assertThat(b.onChordPartReturn(new ChordPart(gid, "bad-" + gid, 1, TaskState.FAILURE,
                ExceptionInfo.builtin("ValueError", "boom"), null, body))).isEmpty();
        Optional<ChordCompletion> last = b.onChordPartReturn(new ChordPart(gid, "ok2-" + gid, 2, TaskState.SUCCESS, 3L, null, body));
        assertThat(last).isPresent();
        ChordCompletion c = last.get();
        assertThat(c.failed()).isTrue();
        assertThat(c.error()).isEqualTo(ExceptionInfo.chordError("Dependency bad-" + gid + " raised ValueError('boom')"));
        assertThat(c.bodyTaskId()).isEqualTo(bodyId);
        assertThat(calls).hasValue(1);
        if (has(BackendCapability.READ)) {
            TaskMeta m = b.getTaskMeta(bodyId);
            assertThat(m.status()).isEqualTo(TaskState.FAILURE);
            assertThat(m.result()).isEqualTo(c.error());
        }
    }

    @Test
    void chords_partsMayCarryTheChordSize() {
        requireCapability(BackendCapability.CHORDS);
        Backend b = open();
        String gid = newId();
        List<Optional<ChordCompletion>> out = new ArrayList<>();
        for (int i = 2; i >= 0; i--) {
            out.add(b.onChordPartReturn(new ChordPart(gid, "p" + i + "-" + gid, i, TaskState.SUCCESS, "r" + i, 3, null)));
        }
        assertThat(out.get(0)).isEmpty();
        assertThat(out.get(1)).isEmpty();
        assertThat(out.get(2).orElseThrow().results()).containsExactly("r0", "r1", "r2");
    }

    @Test
    void chords_workerRequestsReportTheirParts() {
        requireCapability(BackendCapability.CHORDS, BackendCapability.READ);
        ConcurrentLinkedQueue<ChordCompletion> done = new ConcurrentLinkedQueue<>();
        Backend b = open(BackendOptions.builder().chordCallback(done::add).build());
        String gid = newId();
        Map<String, Object> body = Map.of("task", "proj.tsum", "chord_size", 3L, "options", Map.of("task_id", "body-" + gid));
        for (int i = 0; i < 3; i++) {
            TaskRequest req = TaskRequest.builder().task("proj.add").group(gid).groupIndex(i).chord(body).build();
            String id = "m" + i + "-" + gid;
            if (i == 1) {
                b.markAsRevoked(id, "revoked", req);
            } else {
                b.markAsDone(id, (long) i, req);
            }
            assertThat(b.getTaskMeta(id).isReady()).isTrue();
        }
        assertThat(done).hasSize(1);
        assertThat(done.peek().error().message()).startsWith("Dependency m1-" + gid + " raised TaskRevokedError('revoked')");
    }

    // =============================================================================================
    // EXPIRY and CLEANUP

    @Test
    void expiry_resultsAndGroupsExpire() {
        requireCapability(BackendCapability.EXPIRY, BackendCapability.READ);
        Backend b = open(BackendOptions.builder().resultExpires(Duration.ofSeconds(1)).build());
        String id = newId();
        String gid = newId();
        b.storeResult(id, "soon gone", TaskState.SUCCESS);
        if (has(BackendCapability.GROUPS)) {
            b.saveGroup(GroupResult.ofTaskIds(gid, List.of(id)));
        }
        assertThat(b.getStatus(id)).isEqualTo(TaskState.SUCCESS);
        await().atMost(t(15_000)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!has(BackendCapability.NATIVE_EXPIRY)) {
                b.cleanup();
            }
            return b.getTaskMeta(id).status().equals(TaskState.PENDING)
                    && (!has(BackendCapability.GROUPS) || b.restoreGroup(gid).isEmpty());
        });
    }

    @Test
    void expiry_zeroMeansResultsNeverExpire() {
        requireCapability(BackendCapability.READ);
        Backend b = open(BackendOptions.builder().resultExpires(Duration.ZERO).build());
        String id = newId();
        b.storeResult(id, "kept", TaskState.SUCCESS);
        if (has(BackendCapability.CLEANUP)) {
            b.cleanup();
        }
        assertThat(b.getResult(id)).isEqualTo("kept");
    }

    @Test
    void cleanup_deletesExpiredResultsOnly() {
        requireCapability(BackendCapability.CLEANUP, BackendCapability.EXPIRY, BackendCapability.READ);
        Backend b = open(BackendOptions.builder().resultExpires(Duration.ofSeconds(1)).build());
        String old = newId();
        b.storeResult(old, "old", TaskState.SUCCESS);
        b.markAsStarted(newId(), Map.of("pid", 1L));
        long[] deleted = {0};
        await().atMost(t(15_000)).pollInterval(Duration.ofMillis(100)).until(() -> {
            deleted[0] += b.cleanup();
            return b.getTaskMeta(old).status().equals(TaskState.PENDING);
        });
        if (!has(BackendCapability.NATIVE_EXPIRY)) {
            assertThat(deleted[0]).isGreaterThanOrEqualTo(1);
        }
        String fresh = newId();
        b.storeResult(fresh, "fresh", TaskState.SUCCESS);
        b.cleanup();
        assertThat(b.getResult(fresh)).isEqualTo("fresh");
    }

    // =============================================================================================
    // SCAN

    @Test
    void scan_listsEveryStoredTaskAndGroup() {
        requireCapability(BackendCapability.SCAN);
        Backend b = open();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 250; i++) {
            String id = "scan-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            b.storeResult(id, (long) i, TaskState.SUCCESS);
        }
        Set<String> gids = new HashSet<>();
        if (has(BackendCapability.GROUPS)) {
            for (int i = 0; i < 3; i++) {
                String gid = newId();
                gids.add(gid);
                b.saveGroup(GroupResult.ofTaskIds(gid, List.of("x")));
            }
        }
        try (Stream<String> s = b.taskIds()) {
            assertThat(s.collect(Collectors.toSet())).containsAll(ids);
        }
        try (Stream<String> s = b.groupIds()) {
            assertThat(s.collect(Collectors.toSet())).containsAll(gids).doesNotContainAnyElementsOf(ids);
        }
    }

    // =============================================================================================
    // helpers for subclasses

    /**
     * Every capability, for fixtures of full-featured backends.
     *
     * @return all capabilities
     */
    protected static Set<BackendCapability> allCapabilities() {
        return EnumSet.allOf(BackendCapability.class);
    }
}
