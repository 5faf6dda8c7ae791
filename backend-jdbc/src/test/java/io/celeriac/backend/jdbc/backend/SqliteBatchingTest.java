package io.celeriac.backend.jdbc.backend;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Batching on SQLite, each test in a fresh file; a trigger rejects the stores of ids that start with {@code bad-}. */
class SqliteBatchingTest extends AbstractBatchingTest {

    @TempDir
    Path dir;

    @Override
    Place newPlace() {
        return sqlite(dir);
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
