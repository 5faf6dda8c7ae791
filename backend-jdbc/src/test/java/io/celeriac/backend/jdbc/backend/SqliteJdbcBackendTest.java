package io.celeriac.backend.jdbc.backend;

import io.celeriac.backend.BackendOptions;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The database backend's own behaviour on SQLite, each test in a fresh file. */
class SqliteJdbcBackendTest extends AbstractJdbcBackendTest {

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
        return DriverManager.getConnection("jdbc:sqlite:" + file());
    }

    @Override
    String table(String name) {
        return name;
    }

    @Override
    int tablesAndSequences() {
        return 7;
    }
}
