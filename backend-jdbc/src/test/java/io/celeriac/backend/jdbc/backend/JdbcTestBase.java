package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.jdbc.backend.internal.JdbcBackend;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What the database backend's own tests share: each test gets a fresh place (a PostgreSQL schema or a SQLite file),
 * opens backends there, and has them closed and the place dropped after it. Subclasses give the place.
 */
abstract class JdbcTestBase {

    static final Celeriac CELERIAC = Celeriac.discover();
    private final List<Backend> opened = new ArrayList<>();
    private Place place;

    /** Where a test's backends keep their tables. */
    abstract static class Place {
        /** @return a Celery URL of the place's database */
        abstract String url();

        /** @return the options with what isolates the test (a schema) added */
        abstract BackendOptions.Builder base(BackendOptions.Builder b);

        /** @return a plain connection to the place's database */
        abstract Connection connect() throws SQLException;

        /** @return the qualified name of a table of the place */
        abstract String table(String name);

        /** Drops the place. */
        abstract void drop();
    }

    /** @return a fresh schema of the shared PostgreSQL */
    static Place postgres() {
        PostgresTestServer pg = TestServices.postgres();
        String schema = pg.createSchema();
        return new Place() {
            @Override
            String url() {
                return pg.celeryUrl(pg.database());
            }

            @Override
            BackendOptions.Builder base(BackendOptions.Builder b) {
                return b.property(JdbcBackendConfig.TASK_SCHEMA, schema).property(JdbcBackendConfig.GROUP_SCHEMA, schema);
            }

            @Override
            Connection connect() throws SQLException {
                return pg.connect(pg.database());
            }

            @Override
            String table(String name) {
                return schema + "." + name;
            }

            @Override
            void drop() {
                pg.dropSchema(schema);
            }
        };
    }

    /**
     * @param dir the test's temporary directory
     * @return a fresh SQLite file in it (plain connections wait up to 30 s for its lock)
     */
    static Place sqlite(Path dir) {
        Path file = dir.resolve("results.sqlite").toAbsolutePath();
        return new Place() {
            @Override
            String url() {
                return "db+sqlite:///" + file;
            }

            @Override
            BackendOptions.Builder base(BackendOptions.Builder b) {
                return b;
            }

            @Override
            Connection connect() throws SQLException {
                Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
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
            void drop() {
                // the temporary directory goes with the test
            }
        };
    }

    /** @return the place of the next test */
    abstract Place newPlace();

    @BeforeEach
    final void openPlace() {
        place = newPlace();
    }

    @AfterEach
    final void closeBackendsAndDropPlace() {
        closeBackends();
        if (place != null) {
            place.drop();
        }
    }

    /** Closes the backends the test opened. */
    void closeBackends() {
        opened.forEach(Backend::close);
        opened.clear();
    }

    /** A Celery URL of the test's database. */
    String url() {
        return place.url();
    }

    /** Adds what isolates the test (a schema) to the options. */
    BackendOptions.Builder base(BackendOptions.Builder b) {
        return place.base(b);
    }

    /** A plain connection to the test's database. */
    Connection connect() throws SQLException {
        return place.connect();
    }

    /** The qualified name of a table of the test. */
    String table(String name) {
        return place.table(name);
    }

    JdbcBackend open(BackendOptions.Builder options) {
        Backend b = CELERIAC.openBackend(url(), base(options).build());
        opened.add(b);
        return (JdbcBackend) b;
    }

    static String id() {
        return UUID.randomUUID().toString();
    }
}
