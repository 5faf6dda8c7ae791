package io.celeriac.backend.jdbc.backend;

import io.celeriac.backend.BackendOptions;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.sql.Connection;
import java.sql.SQLException;

/** The database backend's own behaviour on PostgreSQL, each test in a fresh schema. */
class PostgresJdbcBackendTest extends AbstractJdbcBackendTest {

    private PostgresTestServer pg;
    private String schema;

    @BeforeEach
    void freshSchema() {
        pg = TestServices.postgres();
        schema = pg.createSchema();
    }

    @AfterEach
    void dropSchema() {
        closeBackends();
        pg.dropSchema(schema);
    }

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
    int tablesAndSequences() {
        return 9; // five tables, two sequences, two date_done indexes
    }
}
