package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.tck.BackendContract;
import io.celeriac.tck.BackendFixture;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;

import java.util.EnumSet;
import java.util.Set;

/**
 * The conformance kit against PostgreSQL: every test gets a fresh schema (Celery's
 * {@code database_table_schemas}), dropped after.
 */
class PostgresBackendContractTest extends BackendContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    static Set<BackendCapability> postgresCapabilities() {
        return EnumSet.of(BackendCapability.READ, BackendCapability.WAIT, BackendCapability.FORGET, BackendCapability.GROUPS,
                BackendCapability.CHORDS, BackendCapability.CLEANUP, BackendCapability.SCAN, BackendCapability.EXPIRY,
                BackendCapability.PUSH_WAIT);
    }

    @Override
    protected Set<String> sharedThreadNamePrefixes() {
        return Set.of("PostgreSQL-JDBC-Cleaner");
    }

    @Override
    protected BackendFixture createFixture() {
        PostgresTestServer pg = TestServices.postgres();
        String schema = pg.createSchema();
        String url = pg.celeryUrl(pg.database());
        return new BackendFixture() {
            @Override
            public Backend open(BackendOptions options) {
                return CELERIAC.openBackend(url, options.toBuilder()
                        .property(JdbcBackendConfig.TASK_SCHEMA, schema)
                        .property(JdbcBackendConfig.GROUP_SCHEMA, schema)
                        .build());
            }

            @Override
            public Set<BackendCapability> capabilities() {
                return postgresCapabilities();
            }

            @Override
            public void close() {
                pg.dropSchema(schema);
            }
        };
    }
}
