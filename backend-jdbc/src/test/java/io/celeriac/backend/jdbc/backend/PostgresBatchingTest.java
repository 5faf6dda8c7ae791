package io.celeriac.backend.jdbc.backend;

import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.jdbc.backend.internal.JdbcBackend;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Batching on PostgreSQL, each test in a fresh schema; a task id longer than Celery's 155 characters is rejected. */
class PostgresBatchingTest extends AbstractBatchingTest {

    @Override
    Place newPlace() {
        return postgres();
    }

    @Override
    void holdWrites(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("LOCK TABLE " + table("celery_taskmeta") + " IN ACCESS EXCLUSIVE MODE");
        }
    }

    @Override
    String badId() {
        return "bad-" + "x".repeat(160) + id(); // task_id is VARCHAR(155)
    }

    @Override
    void rejectBadIds() {
        // the column's length rejects them already
    }

    @Test
    void batchedStoresNotifyWaitersWithoutTheTrigger() throws Exception {
        BackendOptions.Builder noTrigger = BackendOptions.builder().property(JdbcBackendConfig.NOTIFY_TRIGGER, "false");
        JdbcBackend waiter = open(noTrigger);
        JdbcBackend writer = open(BackendOptions.builder().property(JdbcBackendConfig.NOTIFY_TRIGGER, "false"));
        assertThat(writer.notifyTriggerInstalled()).isFalse();
        writer.storeResult("plug", 0L, TaskState.STARTED);
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<io.celeriac.backend.TaskMeta>> waits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(id());
            waits.add(waiter.waitForAsync(ids.get(i), java.time.Duration.ofSeconds(60)));
        }
        List<CompletableFuture<Void>> stores = new ArrayList<>();
        whileHeld(() -> {
            stores.add(writer.storeAsync(io.celeriac.backend.TaskMeta.builder("plug", TaskState.STARTED).build()));
            for (int i = 0; i < ids.size(); i++) {
                stores.add(writer.storeAsync(io.celeriac.backend.TaskMeta.builder(ids.get(i), TaskState.SUCCESS).result((long) i).build()));
            }
        });
        CompletableFuture.allOf(stores.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(writer.batchedStores()).isPositive();
        for (int i = 0; i < ids.size(); i++) {
            // the poll of a wait without the trigger is every few seconds: a quick wake-up is the NOTIFY's
            assertThat(waits.get(i).get(3, TimeUnit.SECONDS).result()).isEqualTo((long) i);
        }
    }

    @Test
    void singleReadsArrivingWhileOneIsInFlightShareOneStatement() throws Exception {
        JdbcBackend b = open();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(id());
            b.storeResult(ids.get(i), "r-" + i, TaskState.SUCCESS);
        }
        String unknown = id();
        List<CompletableFuture<io.celeriac.backend.TaskMeta>> reads = new ArrayList<>();
        CompletableFuture<io.celeriac.backend.TaskMeta> unknownRead;
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            holdWrites(c); // ACCESS EXCLUSIVE holds reads back too
            // more reads than the batches that may run at once (a few per core): the rest queue behind them
            for (int round = 0; round < 10; round++) {
                for (String i : ids) {
                    reads.add(b.getTaskMetaAsync(i));
                }
            }
            unknownRead = b.getTaskMetaAsync(unknown);
            c.commit();
        }
        for (int r = 0; r < reads.size(); r++) {
            int i = r % ids.size();
            io.celeriac.backend.TaskMeta m = reads.get(r).get(60, TimeUnit.SECONDS);
            assertThat(m.taskId()).isEqualTo(ids.get(i));
            assertThat(m.result()).isEqualTo("r-" + i);
        }
        assertThat(unknownRead.get(60, TimeUnit.SECONDS).status()).isEqualTo(TaskState.PENDING);
        assertThat(b.batchedReads()).as("reads answered by a shared statement").isPositive();
    }
}
