package io.celeriac.backend.jdbc.backend;

import io.celeriac.backend.BackendOptions;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Batching on SQLite, each test in a fresh file; a trigger rejects the stores of ids that start with {@code bad-}. */
class SqliteBatchingTest extends AbstractBatchingTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("results.sqlite").toAbsolutePath();
    }

    @Override
    String url() {
        return "db+sqlite:///" + file();
    }

    @Override
    BackendOptions.Builder base(BackendOptions.Builder b) {
        return b;
    }

    @Override
    Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 30000");
        }
        return c;
    }

    @Override
    String table(String name) {
        return name;
    }

    @Override
    void holdWrites(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS test_hold (x INTEGER)");
            st.execute("INSERT INTO test_hold VALUES (1)"); // the file's write lock, until the commit
        }
    }

    @Override
    String badId() {
        return "bad-" + id();
    }

    @Override
    void rejectBadIds() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER IF NOT EXISTS reject_bad BEFORE INSERT ON celery_taskmeta WHEN NEW.task_id LIKE 'bad-%'"
                    + " BEGIN SELECT RAISE(ABORT, 'rejected by the test'); END");
        }
    }
}
