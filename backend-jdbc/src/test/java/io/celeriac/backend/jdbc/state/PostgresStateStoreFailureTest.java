package io.celeriac.backend.jdbc.state;

import io.celeriac.Celeriac;
import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.state.CorruptStateException;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.UnableToOpenStateStoreException;
import io.celeriac.state.UnableToSaveStateException;
import io.celeriac.state.WorkerState;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Failures on a real PostgreSQL: an unreachable server fails the open; a database that stops accepting
 * connections fails a merge with {@link UnableToOpenStateStoreException} and a revoke with
 * {@link UnableToSaveStateException} (loudly, within the retry bounds, with the password masked), and the
 * store recovers when it comes back, a sync then storing the revoke that failed; connections killed under
 * revoking threads are replaced; stored values and tables the store cannot use are refused with
 * {@link CorruptStateException} naming the table, with nothing merged or overwritten.
 */
class PostgresStateStoreFailureTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final String PASSWORD = "pw-" + UUID.randomUUID().toString().substring(0, 8);

    private PostgresTestServer pg;
    private String schema;
    private String db;
    private final List<StateStore> opened = new ArrayList<>();

    @BeforeEach
    void freshSchema() {
        pg = TestServices.postgres();
        schema = pg.createSchema();
    }

    @AfterEach
    void dropAll() throws SQLException {
        for (StateStore s : opened) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // a test left the database refusing connections; nothing more to store
            }
        }
        if (db != null) {
            admin("ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
            pg.dropDatabase(db);
        }
        pg.dropSchema(schema);
    }

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    /** The test server trusts loopback, so a URL may carry a password that must never show. */
    private String url(String database, String params) {
        String pw = pg.password() != null ? pg.password() : PASSWORD;
        return "db+postgresql://" + pg.user() + ":" + pw + "@" + pg.host() + ":" + pg.port() + "/" + database
                + (params.isEmpty() ? "" : "?" + params);
    }

    private String secret() {
        return pg.password() != null ? pg.password() : PASSWORD;
    }

    private StateStore open(String url) {
        StateStore s = CELERIAC.openStateStore(url, StateStoreOptions.builder().property("shutdown_hook", "false").build());
        opened.add(s);
        return s;
    }

    private void admin(String sql) throws SQLException {
        try (Connection c = pg.connect(pg.database()); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private int terminate(String applicationName) throws SQLException {
        try (Connection c = pg.connect(pg.database());
             PreparedStatement st = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE application_name = ?")) {
            st.setString(1, applicationName);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private void assertNoSecret(Throwable e) {
        for (Throwable x = e; x != null; x = x.getCause()) {
            assertThat(String.valueOf(x.getMessage())).doesNotContain(secret());
            for (Throwable s : x.getSuppressed()) {
                assertThat(String.valueOf(s.getMessage())).doesNotContain(secret());
            }
        }
    }

    @Test
    void anUnreachableServerFailsTheOpenWithTheMaskedUrl() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        String url = "db+postgresql://celery:" + secret() + "@127.0.0.1:" + port + "/celery?connect_timeout=2";
        Throwable e = assertTimeoutPreemptively(t(30), () -> catchThrowable(() -> open(url)));
        assertThat(e).isInstanceOf(UnableToOpenStateStoreException.class)
                .hasMessageContaining("postgresql://celery:**@127.0.0.1:" + port + "/celery")
                .hasMessageContaining("unreachable");
        assertThat(((UnableToOpenStateStoreException) e).location()).contains("celery:**@").doesNotContain(secret());
        assertThat(e.getCause()).as("the neutral unreachable-service error, not the result backend's")
                .isInstanceOf(ServiceUnavailableException.class).isNotInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("postgresql://celery:**@127.0.0.1:" + port + "/celery");
        assertNoSecret(e);
    }

    @Test
    void aDatabaseThatStopsAcceptingConnectionsFailsMergeAndRevokesLoudly_thenTheStoreRecovers() throws Exception {
        db = pg.createDatabase();
        String app = "celeriac-state-" + UUID.randomUUID().toString().substring(0, 8);
        String url = url(db, "application_name=" + app + "&connect_timeout=1&retry_timeout=1");

        StateStore early = open(url);
        admin("ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
        terminate(app);
        WorkerState refused = PostgresStateStoreTest.worker();
        Throwable onMerge = assertTimeoutPreemptively(t(30), () -> catchThrowable(() -> early.merge(refused)));
        assertThat(onMerge).isInstanceOf(UnableToOpenStateStoreException.class)
                .hasMessageContaining("postgresql://" + pg.user() + ":**@");
        assertNoSecret(onMerge);
        assertThat(refused.clock().isGuarded()).as("nothing merged").isFalse();
        assertThat(refused.clock().value()).isZero();

        admin("ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
        WorkerState w = PostgresStateStoreTest.worker();
        StateStore s = open(url);
        s.merge(w);
        w.revoked().add("stored-before");
        w.revoked().add("discarded-while-down");
        admin("ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
        assertThat(terminate(app)).isPositive();
        long start = System.nanoTime();
        Throwable onRevoke = assertTimeoutPreemptively(t(30), () -> catchThrowable(() -> w.revoked().add("lost-at-first")));
        assertThat(onRevoke).as("the revoke fails loudly").isInstanceOf(UnableToSaveStateException.class)
                .hasMessageContaining("lost-at-first")
                .hasMessageContaining("postgresql://" + pg.user() + ":**@");
        assertNoSecret(onRevoke);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("within the retry bounds").isLessThan(t(20));
        assertThat(w.revoked().contains("lost-at-first")).as("revoked in memory regardless").isTrue();
        assertThat(catchThrowable(() -> w.revoked().discard("discarded-while-down"))).isInstanceOf(UnableToSaveStateException.class)
                .hasMessageContaining("discarded-while-down");

        admin("ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
        w.revoked().add("stored-after"); // the pool reconnects
        s.sync(w);                      // rewrites the set and redoes the discard, since changes failed
        s.close();

        WorkerState restarted = PostgresStateStoreTest.worker();
        open(url).merge(restarted);
        assertThat(restarted.revoked().asMap().keySet()).containsExactlyInAnyOrder("stored-before", "stored-after", "lost-at-first");
    }

    @Test
    void connectionsKilledUnderRevokingThreadsAreReplaced() throws Exception {
        String app = "celeriac-state-" + UUID.randomUUID().toString().substring(0, 8);
        StateStore s = open(url(pg.database(), "state_schema=" + schema + "&application_name=" + app));
        WorkerState w = PostgresStateStoreTest.worker();
        s.merge(w);
        List<String> acked = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int k = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000 && !stop.get(); i++) {
                        String id = "kill-" + k + "-" + i;
                        try {
                            w.revoked().add(id);
                            acked.add(id);
                        } catch (RuntimeException e) {
                            errors.add(e);
                        }
                        if (i % 50 == 0) {
                            w.clock().adjust(w.clock().value() + 500); // clock ceilings are written during the kills too
                        }
                    }
                }));
            }
            int killed = 0;
            for (int round = 0; round < 5; round++) {
                int before = acked.size();
                org.awaitility.Awaitility.await().atMost(t(30)).until(() -> acked.size() >= before + 50);
                killed += terminate(app);
            }
            int afterKills = acked.size();
            org.awaitility.Awaitility.await().atMost(t(30)).until(() -> acked.size() >= afterKills + 100);
            stop.set(true);
            for (Future<?> f : futures) {
                f.get(t(60).toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(killed).as("connections were killed").isPositive();
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        for (Throwable e : errors) {
            assertThat(e).as("a failure is typed").isInstanceOf(UnableToSaveStateException.class);
        }
        assertThat(errors).as("retries replaced the killed connections").isEmpty();
        long clock = w.clock().value();
        s.close();
        WorkerState restarted = PostgresStateStoreTest.worker();
        open(url(pg.database(), "state_schema=" + schema)).merge(restarted);
        assertThat(restarted.revoked().asMap().keySet()).containsAll(acked);
        assertThat(restarted.clock().value()).isGreaterThan(clock);
    }

    private void corruptClock() throws SQLException {
        admin("ALTER TABLE " + schema + ".celeriac_state_clock ALTER COLUMN clock TYPE TEXT");
        admin("UPDATE " + schema + ".celeriac_state_clock SET clock = 'seven'");
    }

    private String clockText() throws SQLException {
        try (Connection c = pg.connect(pg.database()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT clock FROM " + schema + ".celeriac_state_clock")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private WorkerState savedState(String url) {
        WorkerState w = PostgresStateStoreTest.worker();
        StateStore s = open(url);
        s.merge(w);
        w.revoked().add("kept");
        s.save(w);
        return w;
    }

    @Test
    void aClockThatIsNotANumberIsRefusedNamingTheTable_nothingMergedNothingOverwritten() throws SQLException {
        String url = url(pg.database(), "state_schema=" + schema);
        savedState(url);
        corruptClock();

        // create mode checks the tables' shape at open
        Throwable atOpen = catchThrowable(() -> open(url));
        assertThat(atOpen).isInstanceOf(CorruptStateException.class)
                .hasMessageContaining(schema + ".celeriac_state_clock")
                .hasMessageContaining("clock is text, not bigint");

        // with schema_mode=none nothing is checked at open: the value itself is refused at merge
        StateStore unchecked = open(url + "&schema_mode=none");
        WorkerState w = PostgresStateStoreTest.worker();
        Throwable atMerge = catchThrowable(() -> unchecked.merge(w));
        assertThat(atMerge).isInstanceOf(CorruptStateException.class)
                .hasMessageContaining(unchecked.location())
                .hasMessageContaining(schema + ".celeriac_state_clock")
                .hasMessageContaining("'seven', not a non-negative whole number");
        assertThat(w.revoked().isEmpty()).as("nothing merged").isTrue();
        assertThat(w.clock().isGuarded()).isFalse();
        w.revoked().add("after-the-failed-merge"); // not followed: must not be stored
        unchecked.close();
        assertThat(clockText()).as("nothing overwritten").isEqualTo("seven");
        try (Connection c = pg.connect(pg.database()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT task_id FROM " + schema + ".celeriac_revoked")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("kept");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void aRevokedAtThatIsNotAFiniteTimeIsRefusedNamingTheTable() throws SQLException {
        String url = url(pg.database(), "state_schema=" + schema);
        savedState(url);
        admin("UPDATE " + schema + ".celeriac_revoked SET revoked_at = 'infinity'");
        StateStore s = open(url);
        WorkerState w = PostgresStateStoreTest.worker();
        assertThat(catchThrowable(() -> s.merge(w))).isInstanceOf(CorruptStateException.class)
                .hasMessageContaining(schema + ".celeriac_revoked")
                .hasMessageContaining("'kept'")
                .hasMessageContaining("not a finite time");
        assertThat(w.revoked().isEmpty()).isTrue();
    }

    @Test
    void tablesOfTheWrongShapeAreRefused_andMissingOnesNamedWithTheirDdl() throws SQLException {
        String url = url(pg.database(), "state_schema=" + schema);
        admin("CREATE TABLE " + schema + ".celeriac_revoked (state_name TEXT, task_id TEXT, revoked_at DOUBLE PRECISION)");
        Throwable wrong = catchThrowable(() -> open(url));
        assertThat(wrong).isInstanceOf(CorruptStateException.class)
                .hasMessageContaining(schema + ".celeriac_revoked")
                .hasMessageContaining("revoked_at is double precision, not timestamp with time zone")
                .hasMessageContaining("no primary key or unique constraint on (state_name, task_id)");
        try (Connection c = pg.connect(pg.database()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('" + schema + ".celeriac_state_clock') IS NULL")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("a refused open creates nothing more").isTrue();
        }

        admin("DROP TABLE " + schema + ".celeriac_revoked");
        Throwable missing = catchThrowable(() -> open(url + "&schema_mode=validate"));
        assertThat(missing).isInstanceOf(UnableToOpenStateStoreException.class)
                .hasMessageContaining("the table " + schema + ".celeriac_revoked does not exist")
                .hasMessageContaining("CREATE TABLE IF NOT EXISTS " + schema + ".celeriac_revoked")
                .hasMessageContaining("CREATE INDEX IF NOT EXISTS celeriac_revoked_time")
                .hasMessageContaining("the table " + schema + ".celeriac_state_clock does not exist");

        StateStore unchecked = open(url + "&schema_mode=none");
        Throwable atMerge = catchThrowable(() -> unchecked.merge(PostgresStateStoreTest.worker()));
        assertThat(atMerge).as("schema_mode=none checks nothing at open; the merge names what is missing")
                .isInstanceOf(UnableToOpenStateStoreException.class).hasMessageContaining("does not exist");

        StateStore created = open(url + "&state_table_prefix=mine_");
        created.merge(PostgresStateStoreTest.worker());
        open(url + "&state_table_prefix=mine_&schema_mode=validate").merge(PostgresStateStoreTest.worker());
        try (Connection c = pg.connect(pg.database()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema
                     + "' AND tablename IN ('mine_revoked', 'mine_state_clock')")) {
            rs.next();
            assertThat(rs.getInt(1)).as("a prefix names both tables").isEqualTo(2);
        }
    }
}
