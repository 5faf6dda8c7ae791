package io.celeriac.backend.jdbc.state;

import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.tck.StateStoreContract;
import io.celeriac.tck.StateStoreFixture;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * The state store kit against SQLite files (WAL mode): every test gets a fresh file in a temporary directory,
 * and every store the kit opens on a fixture shares it, as processes on one machine would. Corruption is
 * what SQLite's dynamic typing lets a stray writer leave: a clock that is not a number ({@code FOREIGN}); the
 * file's bytes are SQLite's, not the store's ({@code FLIPPED_BIT}, {@code TRUNCATED} are skipped).
 */
class SqliteStateStoreContractTest extends StateStoreContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected StateStoreFixture createFixture() throws IOException {
        Path dir = TempFiles.directory("celeriac-state-kit-");
        Path file = dir.resolve("state.sqlite");
        String url = "db+sqlite:///" + file.toAbsolutePath();
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
                    return false; // the file's bytes are SQLite's; its own checks guard them
                }
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
                    st.execute("UPDATE celeriac_state_clock SET clock = 'not a clock'");
                }
                return true;
            }

            @Override
            public void close() throws IOException {
                TempFiles.delete(dir);
            }
        };
    }
}
