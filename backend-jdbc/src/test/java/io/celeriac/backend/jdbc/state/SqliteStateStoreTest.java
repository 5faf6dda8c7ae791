package io.celeriac.backend.jdbc.state;

import io.celeriac.testing.ChildJvm;
import io.celeriac.Celeriac;
import io.celeriac.state.CorruptStateException;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.UnableToOpenStateStoreException;
import io.celeriac.state.WorkerState;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The database state store on SQLite files beyond the kit: two processes revoking into one file at the same
 * time (SQLite's lock and busy timeout serialize them) and a third process sees every revoke and a clock
 * above both; a value SQLite's dynamic typing let a stray writer store is refused naming the table; a file
 * that cannot be created fails the open.
 */
class SqliteStateStoreTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private Path dir;
    private Path file;
    private String url;

    @BeforeEach
    void freshFile() throws Exception {
        dir = TempFiles.directory("celeriac-state-sqlite-");
        file = dir.resolve("state.sqlite");
        url = "db+sqlite:///" + file.toAbsolutePath();
    }

    @AfterEach
    void deleteFile() throws Exception {
        TempFiles.delete(dir);
    }

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    private StateStore open() {
        return CELERIAC.openStateStore(url, StateStoreOptions.builder().property("shutdown_hook", "false").build());
    }

    @Test
    void twoProcessesRevokeIntoOneFileAtOnce_andAThirdSeesEveryRevoke() throws Exception {
        Path go = dir.resolve("go");
        int count = 150;
        long[] clocks = new long[2];
        try (ChildJvm one = ChildJvm.start(SqliteStateChild.class, url, "one", Integer.toString(count), go.toString());
             ChildJvm two = ChildJvm.start(SqliteStateChild.class, url, "two", Integer.toString(count), go.toString())) {
            one.awaitLine("READY"::equals, t(60));
            two.awaitLine("READY"::equals, t(60));
            Files.createFile(go); // both revoke from now on, each with its own store and pool on the file
            ChildJvm[] children = {one, two};
            for (int i = 0; i < 2; i++) {
                clocks[i] = Long.parseLong(children[i].awaitLine(l -> l.startsWith("DONE "), t(60)).substring(5));
                assertThat(children[i].awaitExit(t(60))).as("stderr: %s", children[i].stderr()).isZero();
            }
        }
        WorkerState third = PostgresStateStoreTest.worker();
        try (StateStore s = open()) {
            s.merge(third);
        }
        for (int i = 0; i < count; i++) {
            assertThat(third.revoked().contains("one-" + i)).as("one-" + i).isTrue();
            assertThat(third.revoked().contains("two-" + i)).as("two-" + i).isTrue();
        }
        assertThat(third.revoked().size()).isEqualTo(2 * count);
        assertThat(third.clock().value()).as("above the clocks both saved").isGreaterThan(Math.max(clocks[0], clocks[1]));
    }

    @Test
    void aRevokedAtThatIsNotANumberIsRefusedNamingTheTable_andLeftAsItWas() throws SQLException {
        WorkerState w = PostgresStateStoreTest.worker();
        try (StateStore s = open()) {
            s.merge(w);
            w.revoked().add("kept");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("UPDATE celeriac_revoked SET revoked_at = 'yesterday'");
        }
        WorkerState fresh = PostgresStateStoreTest.worker();
        try (StateStore s = open()) {
            assertThat(catchThrowable(() -> s.merge(fresh))).isInstanceOf(CorruptStateException.class)
                    .hasMessageContaining(s.location())
                    .hasMessageContaining("celeriac_revoked")
                    .hasMessageContaining("'kept'")
                    .hasMessageContaining("revoked_at of type text ('yesterday')");
        }
        assertThat(fresh.revoked().isEmpty()).isTrue();
        assertThat(fresh.clock().isGuarded()).isFalse();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT revoked_at FROM celeriac_revoked")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("left as it was").isEqualTo("yesterday");
        }
    }

    @Test
    void aFileThatCannotBeCreatedFailsTheOpen() {
        String missing = "db+sqlite:///" + dir.resolve("no-such-directory").resolve("state.sqlite").toAbsolutePath();
        Throwable e = catchThrowable(() -> CELERIAC.openStateStore(missing, StateStoreOptions.defaults()));
        assertThat(e).isInstanceOf(UnableToOpenStateStoreException.class).hasMessageContaining("no-such-directory");
    }
}
