package io.celeriac.backend.jdbc.backend;

/** The database backend's own behaviour on PostgreSQL, each test in a fresh schema. */
class PostgresJdbcBackendTest extends AbstractJdbcBackendTest {

    @Override
    Place newPlace() {
        return postgres();
    }

    @Override
    int tablesAndSequences() {
        return 9; // five tables, two sequences, two date_done indexes
    }
}
