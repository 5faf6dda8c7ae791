package io.celeriac.backend.jdbc.backend.internal;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dialects' batch upsert on each database: one transaction, the rows in their order, a stored SUCCESS kept when a
 * later row of the same id in the same batch would overwrite it, and for each row whether it was written.
 */
class UpsertBatchTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @TempDir
    Path dir;

    private static TaskRow row(String id, String status) {
        return new TaskRow(id, status, status.getBytes(StandardCharsets.US_ASCII), Instant.parse("2026-12-07T10:00:00Z"),
                null, null, null, null, null, null, null);
    }

    private static void check(Dialect d, Connection c, String table) throws Exception {
        List<TaskRow> rows = List.of(row("a", "SUCCESS"), row("a", "FAILURE"), row("b", "RETRY"), row("b", "SUCCESS"),
                row("c", "STARTED"), row("a", "RETRY"));
        boolean[] written = d.upsertTasks(c, rows, false);
        assertThat(written).containsExactly(true, false, true, true, true, false);
        assertThat(c.getAutoCommit()).isTrue();
        for (String[] want : new String[][]{{"a", "SUCCESS"}, {"b", "SUCCESS"}, {"c", "STARTED"}}) {
            try (PreparedStatement st = c.prepareStatement("SELECT status, result FROM " + table + " WHERE task_id = ?")) {
                st.setString(1, want[0]);
                try (ResultSet rs = st.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(want[1]);
                    assertThat(new String(rs.getBytes(2), StandardCharsets.US_ASCII)).isEqualTo(want[1]);
                }
            }
        }
    }

    @Test
    void sqlite() throws Exception {
        Path file = dir.resolve("batch.sqlite").toAbsolutePath();
        try (Backend b = CELERIAC.openBackend("db+sqlite:///" + file, BackendOptions.defaults());
             Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            check(new SqliteDialect(((JdbcBackend) b).config()), c, "celery_taskmeta");
        }
    }

    @Test
    void postgresWithAndWithoutTheTrigger() throws Exception {
        PostgresTestServer pg = TestServices.postgres();
        for (String trigger : new String[]{"true", "false"}) {
            String schema = pg.createSchema();
            try (Backend b = CELERIAC.openBackend(pg.celeryUrl(pg.database()), BackendOptions.builder()
                    .property(JdbcBackendConfig.TASK_SCHEMA, schema).property(JdbcBackendConfig.GROUP_SCHEMA, schema)
                    .property(JdbcBackendConfig.NOTIFY_TRIGGER, trigger).build());
                 Connection c = pg.connect(pg.database())) {
                PostgresDialect d = new PostgresDialect(((JdbcBackend) b).config());
                try (Handle h = Jdbi.open(pg.connect(pg.database()))) {
                    assertThat(d.prepareSchema(h)).isEmpty();
                }
                assertThat(d.triggerInstalled()).isEqualTo(Boolean.parseBoolean(trigger));
                check(d, c, schema + ".celery_taskmeta");
            } finally {
                pg.dropSchema(schema);
            }
        }
    }
}
