package io.celeriac.backend.jdbc.state;

import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.tck.StateStoreContract;
import io.celeriac.tck.StateStoreFixture;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * The state store kit against PostgreSQL: every test gets a fresh schema for the store's tables, dropped
 * after; a restart is a new store on the same URL. Corruption is what a database can hold: a clock column
 * turned to text with a value that is not a number ({@code FOREIGN}); a database has no bytes of ours to
 * flip or cut ({@code FLIPPED_BIT}, {@code TRUNCATED} are skipped: PostgreSQL's own page checksums and WAL
 * guard those).
 */
class PostgresStateStoreContractTest extends StateStoreContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected Set<String> sharedThreadNamePrefixes() {
        return Set.of("PostgreSQL-JDBC-Cleaner");
    }

    @Override
    protected StateStoreFixture createFixture() {
        PostgresTestServer pg = TestServices.postgres();
        String schema = pg.createSchema();
        String url = pg.celeryUrl(pg.database()) + "?state_schema=" + schema;
        return new StateStoreFixture() {
            @Override
            public StateStore open() {
                return CELERIAC.openStateStore(url, StateStoreOptions.defaults());
            }

            @Override
            public Set<StateStoreCapability> capabilities() {
                return Set.of(StateStoreCapability.SHARED);
            }

            @Override
            public boolean corrupt(Corruption kind) throws SQLException {
                if (kind != Corruption.FOREIGN) {
                    return false; // no bytes of the store's own to damage: the database keeps them
                }
                try (Connection c = pg.connect(pg.database()); Statement st = c.createStatement()) {
                    st.execute("ALTER TABLE " + schema + ".celeriac_state_clock ALTER COLUMN clock TYPE TEXT");
                    st.execute("UPDATE " + schema + ".celeriac_state_clock SET clock = 'not a clock'");
                }
                return true;
            }

            @Override
            public void close() {
                pg.dropSchema(schema);
            }
        };
    }
}
