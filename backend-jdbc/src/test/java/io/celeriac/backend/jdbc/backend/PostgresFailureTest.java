package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.jdbc.internal.SqlFailure;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Transient failures on a real PostgreSQL: a connection killed under the pool is replaced and the write
 * retried; a write blocked by another transaction's lock ({@code lock_timeout}, SQLSTATE 55P03) is retried
 * until the lock goes, or fails after the policy's retries with {@link UnableToStoreResultException}
 * naming the task, with no password anywhere in the error.
 */
class PostgresFailureTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final String PASSWORD = "pw-" + UUID.randomUUID().toString().substring(0, 8);

    private PostgresTestServer pg;
    private String schema;
    private String app;
    private final List<Backend> opened = new ArrayList<>();

    @BeforeEach
    void freshSchema() {
        pg = TestServices.postgres();
        schema = pg.createSchema();
        app = "celeriac-failure-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void dropSchema() {
        opened.forEach(Backend::close);
        pg.dropSchema(schema);
    }

    /** The test server trusts loopback, so the URL may carry a password that must never show. */
    private String url(String params) {
        String pw = pg.password() != null ? pg.password() : PASSWORD;
        return "db+postgresql://" + pg.user() + ":" + pw + "@" + pg.host() + ":" + pg.port() + "/" + pg.database()
                + "?application_name=" + app + (params.isEmpty() ? "" : "&" + params);
    }

    private Backend open(String params, RetryPolicy policy) {
        Backend b = CELERIAC.openBackend(url(params), BackendOptions.builder().retryPolicy(policy)
                .property(JdbcBackendConfig.TASK_SCHEMA, schema).property(JdbcBackendConfig.GROUP_SCHEMA, schema).build());
        opened.add(b);
        return b;
    }

    private int terminatePool() throws SQLException {
        try (Connection c = pg.connect(pg.database());
             PreparedStatement st = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE application_name = ?")) {
            st.setString(1, app);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void aKilledConnectionIsReplacedAndTheWriteRetried() throws Exception {
        Backend b = open("pool_size=1", new RetryPolicy(10, Duration.ofMillis(20), Duration.ofMillis(20), Duration.ofMillis(100)));
        String first = UUID.randomUUID().toString();
        b.storeResult(first, "before", TaskState.SUCCESS);
        assertThat(terminatePool()).as("pool connections killed").isGreaterThanOrEqualTo(1);
        String second = UUID.randomUUID().toString();
        b.storeResult(second, "after", TaskState.SUCCESS);
        assertThat(b.getResult(second)).isEqualTo("after");
        assertThat(terminatePool()).isGreaterThanOrEqualTo(1);
        assertThat(b.getResult(first)).as("reads are retried too").isEqualTo("before");
    }

    @Test
    void aWriteBlockedByALockIsRetriedUntilTheLockGoes_orFailsNamingTheTask() throws Exception {
        String params = "options=-c+lock_timeout%3D100";
        Backend quick = open(params, new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(10)));
        Backend patient = open(params, new RetryPolicy(500, Duration.ofMillis(20), Duration.ofMillis(0), Duration.ofMillis(20)));
        String id = UUID.randomUUID().toString();
        quick.markAsStarted(id, Map.of("pid", 1L));
        try (Connection locker = pg.connect(pg.database())) {
            locker.setAutoCommit(false);
            try (PreparedStatement st = locker.prepareStatement("SELECT 1 FROM " + schema + ".celery_taskmeta WHERE task_id = ? FOR UPDATE")) {
                st.setString(1, id);
                st.executeQuery().close();
            }
            assertThatThrownBy(() -> quick.storeResult(id, "blocked", TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining(id)
                    .hasMessageContaining("after 3 attempts")
                    .hasMessageContaining("postgresql://" + pg.user() + ":**@")
                    .hasCauseInstanceOf(SqlFailure.class)
                    .satisfies(e -> {
                        assertThat(((UnableToStoreResultException) e).taskId()).isEqualTo(id);
                        assertThat(((SqlFailure) e.getCause()).sqlState()).isEqualTo("55P03");
                        for (Throwable t = e; t != null; t = t.getCause()) {
                            assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
                        }
                    });
            CompletableFuture<Void> retried = CompletableFuture.runAsync(() -> patient.storeResult(id, "eventually", TaskState.SUCCESS));
            Thread.sleep(400); // the write keeps failing on the lock meanwhile
            assertThat(retried).isNotDone();
            locker.rollback();
            retried.get(Tck.timeout(Duration.ofSeconds(30)).toMillis(), TimeUnit.MILLISECONDS);
        }
        assertThat(patient.getResult(id)).isEqualTo("eventually");
        assertThat(patient.getStatus(id)).isEqualTo(TaskState.SUCCESS);
    }
}
