package io.celeriac.backend.jdbc.backend;

import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.jdbc.backend.internal.JdbcBackend;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Batching on each database: concurrent stores share a transaction and still each land, in their order, never over
 * a SUCCESS, each failing on its own; waiters are woken by batched stores; the asynchronous calls go through the
 * same batches. Subclasses give the database, a way to hold its writes back (so that calls queue behind one in
 * flight) and a store the database itself rejects.
 */
abstract class AbstractBatchingTest extends JdbcTestBase {

    /** Holds back every write to the task table on {@code c} (in an open transaction) until {@code c} commits. */
    abstract void holdWrites(Connection c) throws SQLException;

    /** A task id whose store the database rejects (after {@link #rejectBadIds} ran). */
    abstract String badId();

    /** Makes the database reject the stores of {@link #badId()}s (the tables exist). */
    abstract void rejectBadIds() throws SQLException;

    JdbcBackend open() {
        return open(BackendOptions.builder());
    }

    String rawStatus(Connection c, String taskId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT status FROM " + table("celery_taskmeta") + " WHERE task_id = ?")) {
            st.setString(1, taskId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Runs {@code body} while {@link #holdWrites} holds the task table, releasing it after. */
    void whileHeld(ThrowingRunnable body) throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            holdWrites(c);
            try {
                body.run();
            } finally {
                c.commit();
            }
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ------------------------------------------------------------------------------------------

    @Test
    void manyThreadsStoringAtOnceAllLandEachVisibleWhenItsCallReturns() throws Exception {
        JdbcBackend b = open();
        int threads = 32;
        int perThread = 200;
        String run = id();
        CyclicBarrier start = new CyclicBarrier(threads);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            ts.add(new Thread(() -> {
                try {
                    start.await();
                    for (int n = 0; n < perThread; n++) {
                        // mixed ids: every other store is of an id shared with the next thread
                        String taskId = n % 2 == 0 ? run + "-own-" + thread + "-" + n : run + "-shared-" + ((thread / 2) * perThread + n);
                        b.storeResult(taskId, "v-" + taskId, TaskState.SUCCESS);
                        TaskMeta read = b.getTaskMeta(taskId);
                        if (read.status() != TaskState.SUCCESS || !("v-" + taskId).equals(read.result())) {
                            throw new AssertionError("the row of " + taskId + " was not there when its store returned: " + read);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join(TimeUnit.MINUTES.toMillis(2));
        }
        assertThat(failures).isEmpty();
        List<String> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            for (int n = 0; n < perThread; n += 2) {
                all.add(run + "-own-" + t + "-" + n);
            }
        }
        Map<String, TaskMeta> many = b.getMany(all);
        assertThat(many.values()).allSatisfy(m -> assertThat(m.status()).isEqualTo(TaskState.SUCCESS));
        assertThat(b.batchedStores()).as("stores that shared a transaction").isPositive();
    }

    @Test
    void aSuccessIsNeverOverwrittenByALaterStoreInTheSameBatchAndOrderIsKept() throws Exception {
        JdbcBackend b = open();
        b.storeResult("plug", 0L, TaskState.STARTED);
        List<String> kept = new ArrayList<>();
        List<String> later = new ArrayList<>();
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        whileHeld(() -> {
            calls.add(b.storeAsync(TaskMeta.builder("plug", TaskState.STARTED).build())); // in flight, held
            for (int i = 0; i < 40; i++) {
                String first = id();
                kept.add(first);
                calls.add(b.storeAsync(TaskMeta.builder(first, TaskState.SUCCESS).result("won").build()));
                calls.add(b.storeAsync(TaskMeta.builder(first, TaskState.FAILURE)
                        .result(ExceptionInfo.builtin("ValueError", "too late")).build()));
                calls.add(b.storeAsync(TaskMeta.builder(first, TaskState.RETRY)
                        .result(ExceptionInfo.builtin("ValueError", "too late")).build()));
                String second = id();
                later.add(second);
                calls.add(b.storeAsync(TaskMeta.builder(second, TaskState.RETRY)
                        .result(ExceptionInfo.builtin("ValueError", "once")).build()));
                calls.add(b.storeAsync(TaskMeta.builder(second, TaskState.SUCCESS).result("second").build()));
            }
        });
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        try (Connection c = connect()) {
            for (String k : kept) {
                assertThat(rawStatus(c, k)).isEqualTo("SUCCESS");
                assertThat(b.getTaskMeta(k).result()).isEqualTo("won");
            }
            for (String l : later) {
                assertThat(rawStatus(c, l)).isEqualTo("SUCCESS");
                assertThat(b.getTaskMeta(l).result()).isEqualTo("second");
            }
        }
        assertThat(b.batchedStores()).as("stores that shared a transaction").isGreaterThanOrEqualTo(200);
    }

    @Test
    void oneBadStoreInABatchFailsAloneWithItsOwnError() throws Exception {
        JdbcBackend b = open();
        rejectBadIds();
        String bad = badId();
        Class<? extends Throwable> alone;
        try {
            b.storeResult(bad, 1L, TaskState.SUCCESS);
            throw new AssertionError("the database took the bad store");
        } catch (UnableToStoreResultException e) {
            alone = e.getClass();
            assertThat(e.getMessage()).contains(bad);
        }
        b.storeResult("plug", 0L, TaskState.STARTED);
        List<String> good = new ArrayList<>();
        List<CompletableFuture<Void>> goodCalls = new ArrayList<>();
        List<CompletableFuture<Void>> badCalls = new ArrayList<>();
        whileHeld(() -> {
            goodCalls.add(b.storeAsync(TaskMeta.builder("plug", TaskState.STARTED).build()));
            for (int i = 0; i < 10; i++) {
                String g = id();
                good.add(g);
                goodCalls.add(b.storeAsync(TaskMeta.builder(g, TaskState.SUCCESS).result(i).build()));
                if (i % 3 == 0) {
                    badCalls.add(b.storeAsync(TaskMeta.builder(badId(), TaskState.SUCCESS).result(i).build()));
                }
            }
        });
        CompletableFuture.allOf(goodCalls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (CompletableFuture<Void> f : badCalls) {
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).cause().isInstanceOf(alone);
        }
        try (Connection c = connect()) {
            for (String g : good) {
                assertThat(rawStatus(c, g)).isEqualTo("SUCCESS");
            }
        }
        assertThat(b.batchFallbacks()).as("batches run again one by one").isPositive();

        // and the blocking calls, from threads at once: the good ones return, each bad one throws its own error
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            CompletableFuture<String> r = new CompletableFuture<>();
            results.add(r);
            new Thread(() -> {
                String taskId = thread % 4 == 0 ? badId() : id();
                try {
                    start.await();
                    b.storeResult(taskId, thread, TaskState.SUCCESS);
                    r.complete(taskId);
                } catch (Throwable e) {
                    r.completeExceptionally(e);
                }
            }).start();
        }
        for (int t = 0; t < threads; t++) {
            CompletableFuture<String> r = results.get(t);
            if (t % 4 == 0) {
                assertThatThrownBy(() -> r.get(60, TimeUnit.SECONDS)).cause().isInstanceOf(alone);
            } else {
                String taskId = r.get(60, TimeUnit.SECONDS);
                assertThat(b.getTaskMeta(taskId).status()).isEqualTo(TaskState.SUCCESS);
            }
        }
    }

    @Test
    void waitersAreWokenByBatchedStores() throws Exception {
        JdbcBackend waiter = open();
        JdbcBackend writer = open();
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<TaskMeta>> waits = new ArrayList<>();
        List<CompletableFuture<TaskMeta>> localWaits = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            String taskId = id();
            ids.add(taskId);
            waits.add(waiter.waitForAsync(taskId, Duration.ofSeconds(60)));
            localWaits.add(writer.waitForAsync(taskId, Duration.ofSeconds(60)));
        }
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            ts.add(new Thread(() -> {
                for (int i = thread; i < ids.size(); i += 16) {
                    writer.storeResult(ids.get(i), "done-" + i, TaskState.SUCCESS);
                }
            }));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join(60_000);
        }
        for (int i = 0; i < ids.size(); i++) {
            assertThat(waits.get(i).get(60, TimeUnit.SECONDS).result()).isEqualTo("done-" + i);
            assertThat(localWaits.get(i).get(60, TimeUnit.SECONDS).result()).isEqualTo("done-" + i);
        }
    }

    @Test
    void concurrentReadsEachGetTheirOwnMeta() throws Exception {
        JdbcBackend b = open();
        List<String> known = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            known.add(id());
        }
        known.parallelStream().forEach(k -> b.storeResult(k, "v-" + k, TaskState.SUCCESS));
        int threads = 16;
        CyclicBarrier start = new CyclicBarrier(threads);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(new Thread(() -> {
                try {
                    start.await();
                    for (int n = 0; n < 300; n++) {
                        boolean unknown = ThreadLocalRandom.current().nextInt(4) == 0;
                        String taskId = unknown ? id() : known.get(ThreadLocalRandom.current().nextInt(known.size()));
                        TaskMeta m = n % 2 == 0 ? b.getTaskMeta(taskId) : b.getTaskMetaAsync(taskId).get(30, TimeUnit.SECONDS);
                        if (!m.taskId().equals(taskId)
                                || (unknown ? m.status() != TaskState.PENDING || m.result() != null
                                : m.status() != TaskState.SUCCESS || !("v-" + taskId).equals(m.result()))) {
                            throw new AssertionError("read " + m + " for " + taskId);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join(120_000);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void asynchronousCallsReturnValuesAndFailures() throws Exception {
        JdbcBackend b = open();
        rejectBadIds();
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<TaskMeta>> stores = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String taskId = id();
            ids.add(taskId);
            stores.add(b.storeResultAsync(taskId, (long) i, TaskState.SUCCESS, null, null));
        }
        CompletableFuture<Void> bad = b.storeAsync(TaskMeta.builder(badId(), TaskState.SUCCESS).result(1L).build());
        for (int i = 0; i < ids.size(); i++) {
            assertThat(stores.get(i).get(60, TimeUnit.SECONDS).status()).isEqualTo(TaskState.SUCCESS);
        }
        assertThatThrownBy(() -> bad.get(60, TimeUnit.SECONDS)).cause().isInstanceOf(UnableToStoreResultException.class);
        List<CompletableFuture<TaskMeta>> reads = new ArrayList<>();
        for (String taskId : ids) {
            reads.add(b.getTaskMetaAsync(taskId));
        }
        for (int i = 0; i < ids.size(); i++) {
            assertThat(reads.get(i).get(60, TimeUnit.SECONDS).result()).isEqualTo((long) i);
        }
        String unknown = id();
        List<String> some = new ArrayList<>(ids.subList(0, 10));
        some.add(unknown);
        Map<String, TaskMeta> many = b.getManyAsync(some).get(60, TimeUnit.SECONDS);
        assertThat(many.keySet()).containsExactlyElementsOf(some);
        assertThat(many.get(unknown).status()).isEqualTo(TaskState.PENDING);
        assertThat(many.get(ids.get(3)).result()).isEqualTo(3L);
        b.close();
        assertThatThrownBy(() -> b.storeAsync(TaskMeta.builder(id(), TaskState.SUCCESS).build()).join())
                .isInstanceOf(CompletionException.class);
    }

    @Test
    void aCallbackOfABatchedCallMayCallTheBackendAgain() throws Exception {
        JdbcBackend b = open();
        String first = id();
        String second = id();
        String third = id();
        List<CompletableFuture<?>> chained = new ArrayList<>();
        CompletableFuture<TaskMeta> wait = b.waitForAsync(first, Duration.ofSeconds(60));
        whileHeld(() -> {
            // the callbacks run on the thread that runs the batch, once the hold is released
            chained.add(b.storeAsync(TaskMeta.builder(first, TaskState.SUCCESS).result("first").build())
                    .thenRun(() -> b.storeResult(second, "second", TaskState.SUCCESS)));
            chained.add(wait.thenApply(m -> b.storeResult(third, b.getTaskMeta(second).status().name(), TaskState.SUCCESS)));
        });
        for (CompletableFuture<?> f : chained) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertThat(b.getTaskMeta(second).result()).isEqualTo("second");
        assertThat(b.getTaskMeta(third).status()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void aLargeGetManyReadInPartsKeepsTheOrderAndThePending() {
        // more than one part: the parts are read at once on their own connections
        JdbcBackend b = open();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            ids.add("many-" + i);
        }
        CompletableFuture.allOf(ids.subList(0, 4_000).stream()
                .map(k -> b.storeAsync(TaskMeta.builder(k, TaskState.SUCCESS).result(k).build()))
                .toArray(CompletableFuture[]::new)).join();
        List<String> asked = new ArrayList<>(ids);
        java.util.Collections.shuffle(asked, new java.util.Random(7));
        Map<String, TaskMeta> many = b.getMany(asked);
        assertThat(many.keySet()).containsExactlyElementsOf(asked);
        for (String k : asked) {
            int n = Integer.parseInt(k.substring(5));
            if (n < 4_000) {
                assertThat(many.get(k).result()).isEqualTo(k);
            } else {
                assertThat(many.get(k).status()).isEqualTo(TaskState.PENDING);
            }
        }
    }
}
