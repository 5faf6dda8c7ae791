package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.jdbc.backend.internal.JdbcBackend;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL push waits: a waiter wakes on a commit made by another connection (another celeriac backend,
 * or plain SQL as Python's writes are), every waiter shares one listening connection, and waits still
 * complete after the listening connection is killed with {@code pg_terminate_backend}. The wake-up
 * latencies are printed for the report, not asserted.
 */
class PostgresNotifyTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private PostgresTestServer pg;
    private String schema;
    private final List<Backend> opened = new ArrayList<>();

    @BeforeEach
    void freshSchema() {
        pg = TestServices.postgres();
        schema = pg.createSchema();
    }

    @AfterEach
    void dropSchema() {
        opened.forEach(Backend::close);
        pg.dropSchema(schema);
    }

    private JdbcBackend open(String... params) {
        StringBuilder url = new StringBuilder(pg.celeryUrl(pg.database())).append("?x=1");
        for (String p : params) {
            url.append('&').append(p);
        }
        Backend b = CELERIAC.openBackend(url.toString(), BackendOptions.builder()
                .property(JdbcBackendConfig.TASK_SCHEMA, schema)
                .property(JdbcBackendConfig.GROUP_SCHEMA, schema)
                .build());
        opened.add(b);
        return (JdbcBackend) b;
    }

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    /** Marks a task done with plain SQL on a connection of its own, as a foreign writer would. */
    private void markDoneWithSql(String taskId) throws SQLException {
        try (Connection c = pg.connect(pg.database())) {
            markDoneWithSql(c, taskId);
        }
    }

    private void markDoneWithSql(Connection c, String taskId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE " + schema + ".celery_taskmeta SET status = 'SUCCESS',"
                + " result = NULL, date_done = now() AT TIME ZONE 'UTC' WHERE task_id = ?")) {
            st.setString(1, taskId);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
    }

    private int listenerConnections(String channel) throws SQLException {
        try (Connection c = pg.connect(pg.database());
             PreparedStatement st = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'celeriac-listener'"
                     + " AND query = ?")) {
            st.setString(1, "LISTEN \"" + channel + "\"");
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private void terminateListener(String channel) throws SQLException {
        try (Connection c = pg.connect(pg.database());
             PreparedStatement st = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                     + " WHERE application_name = 'celeriac-listener' AND query = ?")) {
            st.setString(1, "LISTEN \"" + channel + "\"");
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).as("a listening connection to kill").isTrue();
                assertThat(rs.getBoolean(1)).isTrue();
            }
        }
    }

    @Test
    void aWaiterWakesOnACommitFromAnotherConnection() throws Exception {
        JdbcBackend waiter = open();
        JdbcBackend writer = open();
        assertThat(waiter.notifyTriggerInstalled()).isTrue();
        List<Long> micros = new ArrayList<>();
        try (Connection sql = pg.connect(pg.database())) {
            for (int i = 0; i < 41; i++) {
                String id = "wake-" + i + "-" + UUID.randomUUID();
                CompletableFuture<TaskMeta> f = waiter.waitForAsync(id, t(30));
                long[] woke = new long[1];
                CompletableFuture<Void> timed = f.thenRun(() -> woke[0] = System.nanoTime());
                if (i == 0) {
                    // the first wait starts the listener; make sure it listens before timing
                    await().atMost(t(30)).until(() -> listenerConnections(waiter.notifyChannel().orElseThrow()) == 1);
                }
                boolean viaSql = i % 2 == 1;
                if (viaSql) {
                    writer.markAsStarted(id, Map.of("pid", 1L));
                    markDoneWithSql(sql, id);
                } else {
                    writer.storeResult(id, (long) i, TaskState.SUCCESS);
                }
                long committed = System.nanoTime();
                TaskMeta m = f.get(t(30).toMillis(), TimeUnit.MILLISECONDS);
                timed.get(t(30).toMillis(), TimeUnit.MILLISECONDS);
                if (i > 0) {
                    micros.add(Math.max(0, TimeUnit.NANOSECONDS.toMicros(woke[0] - committed)));
                }
                assertThat(m.status()).isEqualTo(TaskState.SUCCESS);
                assertThat(m.result()).isEqualTo(viaSql ? null : (Object) (long) i);
            }
        }
        Collections.sort(micros);
        System.out.printf("notify: wake-up after the commit returned to another connection, %d waits: min %d us, median %d us, max %d us%n",
                micros.size(), micros.get(0), micros.get(micros.size() / 2), micros.get(micros.size() - 1));
    }

    @Test
    void everyWaiterSharesOneListeningConnection() throws Exception {
        JdbcBackend waiter = open();
        JdbcBackend writer = open();
        List<CompletableFuture<TaskMeta>> futures = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String id = "many-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            futures.add(waiter.waitForAsync(id, t(60)));
        }
        await().atMost(t(30)).until(() -> listenerConnections(waiter.notifyChannel().orElseThrow()) == 1);
        for (int i = 0; i < ids.size(); i++) {
            writer.storeResult(ids.get(i), (long) i, TaskState.SUCCESS);
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(t(60).toMillis(), TimeUnit.MILLISECONDS);
        assertThat(listenerConnections(waiter.notifyChannel().orElseThrow())).isEqualTo(1);
        for (int i = 0; i < ids.size(); i++) {
            assertThat(futures.get(i).get().result()).isEqualTo((long) i);
        }
    }

    @Test
    void waitsCompleteAfterTheListeningConnectionIsTerminated() throws Exception {
        JdbcBackend waiter = open();
        JdbcBackend writer = open();
        String channel = waiter.notifyChannel().orElseThrow();
        String before = "before-" + UUID.randomUUID();
        String during = "during-" + UUID.randomUUID();
        String after = "after-" + UUID.randomUUID();
        CompletableFuture<TaskMeta> fBefore = waiter.waitForAsync(before, t(60));
        CompletableFuture<TaskMeta> fDuring = waiter.waitForAsync(during, t(60));
        CompletableFuture<TaskMeta> fAfter = waiter.waitForAsync(after, t(60));
        await().atMost(t(30)).until(() -> listenerConnections(channel) == 1);
        writer.storeResult(before, "before", TaskState.SUCCESS);
        assertThat(fBefore.get(t(30).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("before");

        terminateListener(channel);
        writer.storeResult(during, "during", TaskState.SUCCESS); // likely while nobody listens: found by the re-read
        await().atMost(t(30)).until(() -> waiter.listenerReconnects() >= 1 && listenerConnections(channel) == 1);
        writer.storeResult(after, "after", TaskState.SUCCESS);
        assertThat(fDuring.get(t(30).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("during");
        assertThat(fAfter.get(t(30).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("after");

        // and new waits work on the new connection
        String later = "later-" + UUID.randomUUID();
        CompletableFuture<TaskMeta> fLater = waiter.waitForAsync(later, t(30));
        writer.storeResult(later, "later", TaskState.SUCCESS);
        assertThat(fLater.get(t(30).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("later");
    }

    @Test
    void withoutTheTriggerCeleriacsWritesStillNotifyAndForeignWritesAreFoundByPolling() throws Exception {
        JdbcBackend waiter = open("notify_trigger=false", "poll_interval=0.2");
        JdbcBackend writer = open("notify_trigger=false");
        assertThat(waiter.notifyTriggerInstalled()).isFalse();
        String id = "stmt-" + UUID.randomUUID();
        CompletableFuture<TaskMeta> f = waiter.waitForAsync(id, t(30));
        writer.storeResult(id, "notified by the upsert itself", TaskState.SUCCESS);
        assertThat(f.get(t(30).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("notified by the upsert itself");

        String foreign = "foreign-" + UUID.randomUUID();
        writer.markAsStarted(foreign, Map.of("pid", 1L));
        CompletableFuture<TaskMeta> g = waiter.waitForAsync(foreign, t(30));
        markDoneWithSql(foreign);
        assertThat(g.get(t(30).toMillis(), TimeUnit.MILLISECONDS).status()).isEqualTo(TaskState.SUCCESS);
    }
}
