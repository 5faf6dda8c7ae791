package io.celeriac.backend.jdbc.backend;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The database backend's own behaviour on SQLite, each test in a fresh file. */
class SqliteJdbcBackendTest extends AbstractJdbcBackendTest {

    @TempDir
    Path dir;

    @Override
    Place newPlace() {
        return sqlite(dir);
    }

    @Override
    int tablesAndSequences() {
        return 7;
    }
}
