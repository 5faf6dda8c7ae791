package io.celeriac.backend.jdbc.state;

import io.celeriac.Celeriac;
import io.celeriac.state.LamportClock;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database state store on a real PostgreSQL beyond the kit: workers sharing one state see each other's
 * revokes and a clock that only grows; eight threads of two workers revoking overlapping ids during syncs
 * lose nothing and never deadlock; only Celery's limits trim what another worker stored; other state names
 * and Celery's tables are never touched. Every test works in a schema of its own, dropped after.
 */
class PostgresStateStoreTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private PostgresTestServer pg;
    private String schema;
    private final List<StateStore> opened = new ArrayList<>();

    @BeforeEach
    void freshSchema() {
        pg = TestServices.postgres();
        schema = pg.createSchema();
    }

    @AfterEach
    void dropSchema() {
        for (StateStore s : opened) {
            s.close();
        }
        pg.dropSchema(schema);
    }

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    static WorkerState worker() {
        return new WorkerState(new RevokedSet(RevokedSet.DEFAULT_MAXLEN, Duration.ofSeconds(10_800), Clock.systemUTC()), new LamportClock());
    }

    private String url(String params) {
        return pg.celeryUrl(pg.database()) + "?state_schema=" + schema + (params.isEmpty() ? "" : "&" + params);
    }

    private StateStore open(String params) {
        StateStore s = CELERIAC.openStateStore(url(params), StateStoreOptions.builder().property("shutdown_hook", "false").build());
        opened.add(s);
        return s;
    }

    private long storedClock(String state) throws SQLException {
        try (Connection c = pg.connect(pg.database());
             PreparedStatement st = c.prepareStatement("SELECT clock FROM " + schema + ".celeriac_state_clock WHERE state_name = ?")) {
            st.setString(1, state);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private Map<String, Double> storedRevokes(String state) throws SQLException {
        Map<String, Double> out = new LinkedHashMap<>();
        try (Connection c = pg.connect(pg.database());
             PreparedStatement st = c.prepareStatement("SELECT task_id, EXTRACT(EPOCH FROM revoked_at) FROM " + schema
                     + ".celeriac_revoked WHERE state_name = ? ORDER BY revoked_at, task_id")) {
            st.setString(1, state);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getDouble(2));
                }
            }
        }
        return out;
    }

    private void exec(String sql) throws SQLException {
        try (Connection c = pg.connect(pg.database()); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void twoWorkersOnOneStateSeeEachOthersRevokesAndAClockThatOnlyGrows() throws SQLException {
        WorkerState a = worker();
        StateStore sa = open("");
        sa.merge(a);
        long afterA = storedClock("default");
        assertThat(afterA).as("merge writes the adjusted clock back, as a ceiling").isGreaterThanOrEqualTo(a.clock().value());
        a.revoked().add("from-a");
        assertThat(storedRevokes("default")).as("committed when add returns").containsKey("from-a");

        WorkerState b = worker();
        StateStore sb = open("");
        sb.merge(b);
        assertThat(b.revoked().contains("from-a")).as("b merges what a stored").isTrue();
        assertThat(b.clock().value()).as("b's clock is above every value a may hand out").isGreaterThan(afterA);
        long afterB = storedClock("default");
        assertThat(afterB).isGreaterThan(afterA);
        b.revoked().add("from-b");

        long highest = 0;
        for (int i = 0; i < 2_500; i++) {
            highest = Math.max(highest, a.clock().forward());
        }
        long afterSteps = storedClock("default");
        assertThat(afterSteps).as("the ceiling covers every value handed out").isGreaterThanOrEqualTo(highest).isGreaterThanOrEqualTo(afterB);
        sa.close();
        assertThat(storedClock("default")).as("a close never lowers the shared clock").isEqualTo(afterSteps);

        WorkerState a2 = worker();
        StateStore sa2 = open("");
        sa2.merge(a2);
        assertThat(a2.revoked().contains("from-a")).isTrue();
        assertThat(a2.revoked().contains("from-b")).as("a restarted a sees b's revoke").isTrue();
        assertThat(a2.clock().value()).isGreaterThan(Math.max(highest, b.clock().value()));
        sb.save(b);
        sa2.save(a2);
        assertThat(storedClock("default")).isGreaterThanOrEqualTo(a2.clock().value());

        try (Connection c = pg.connect(pg.database()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("only celeriac_revoked and celeriac_state_clock; no Celery table created").isEqualTo(2);
        }
    }

    @Test
    void eightThreadsOfTwoWorkersRevokeOverlappingIdsDuringSyncsWithoutDeadlockOrLoss() throws Exception {
        String db = pg.createDatabase();
        String dbUrl = pg.celeryUrl(db);
        List<StateStore> stores = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            WorkerState[] workers = {worker(), worker()};
            for (WorkerState w : workers) {
                StateStore s = CELERIAC.openStateStore(dbUrl, StateStoreOptions.builder().property("shutdown_hook", "false").build());
                stores.add(s);
                s.merge(w);
            }
            List<String> shared = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                shared.add("shared-" + UUID.randomUUID());
            }
            Set<String> expected = Collections.synchronizedSet(new HashSet<>(shared));
            AtomicBoolean revoking = new AtomicBoolean(true);
            List<Future<?>> revokers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                WorkerState w = workers[t % 2];
                java.util.Random random = new java.util.Random(t);
                int k = t;
                revokers.add(pool.submit(() -> {
                    for (int round = 0; round < 10; round++) {
                        // the same ids, refreshed in another order on every thread: rows both workers lock at once
                        List<String> mine = new ArrayList<>(shared);
                        Collections.shuffle(mine, random);
                        Map<String, Double> refresh = new LinkedHashMap<>();
                        double now = w.revoked().now();
                        for (String id : mine) {
                            refresh.put(id, now);
                        }
                        w.revoked().update(refresh);
                        for (int i = 0; i < 2; i++) {
                            String own = "own-" + k + "-" + round + "-" + i;
                            w.revoked().add(own);
                            expected.add(own);
                        }
                    }
                    return null;
                }));
            }
            List<Future<Integer>> syncers = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                StateStore store = stores.get(s);
                WorkerState w = workers[s];
                syncers.add(pool.submit(() -> {
                    int n = 0;
                    while (revoking.get() && n < 10_000) {
                        store.sync(w);
                        n++;
                    }
                    return n;
                }));
            }
            for (Future<?> f : revokers) {
                f.get(t(60).toSeconds(), TimeUnit.SECONDS);
            }
            revoking.set(false);
            for (Future<Integer> f : syncers) {
                assertThat(f.get(t(60).toSeconds(), TimeUnit.SECONDS)).as("syncs ran during the revokes").isPositive();
            }
            for (StateStore s : stores) {
                s.close();
            }
            stores.clear();

            WorkerState third = worker();
            try (StateStore s = CELERIAC.openStateStore(dbUrl, StateStoreOptions.builder().property("shutdown_hook", "false").build())) {
                s.merge(third);
            }
            assertThat(expected).hasSize(200 + 8 * 10 * 2);
            assertThat(third.revoked().asMap().keySet()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(deadlocks(db)).as("no transaction of the two workers ever deadlocked").isZero();
        } finally {
            pool.shutdownNow();
            for (StateStore s : stores) {
                s.close();
            }
            pg.dropDatabase(db);
        }
    }

    /** The deadlocks PostgreSQL detected in a database, once every session on it has ended (and flushed its statistics). */
    private long deadlocks(String db) throws SQLException {
        try (Connection c = pg.connect(pg.database())) {
            org.awaitility.Awaitility.await().atMost(t(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ?")) {
                    st.setString(1, db);
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        return rs.getInt(1) == 0;
                    }
                }
            });
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_stat_clear_snapshot()");
            }
            try (PreparedStatement st = c.prepareStatement("SELECT deadlocks FROM pg_stat_database WHERE datname = ?")) {
                st.setString(1, db);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
    }

    @Test
    void onlyCelerysLimitsTrimWhatAnotherWorkerStored_andOtherStatesAreUntouched() throws SQLException {
        WorkerState generous = worker();
        StateStore s = open("");
        s.merge(generous);
        StateStore other = open("state_name=other");
        WorkerState otherWorker = worker();
        other.merge(otherWorker);
        double now = generous.revoked().now();
        Map<String, Double> old = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            old.put("two-hours-old-" + i, now - 7200 + i);
        }
        Map<String, Double> recent = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            recent.put("recent-" + i, now - 60 + i);
        }
        generous.revoked().update(old);
        generous.revoked().update(recent);
        otherWorker.revoked().update(old);
        s.sync(generous);
        assertThat(storedRevokes("default")).as("a sync trims only by the worker's own limits (3 h, 50,000)").hasSize(15);

        WorkerState unlimited = new WorkerState(new RevokedSet(0, Duration.ZERO, Clock.systemUTC()), new LamportClock());
        open("").merge(unlimited);
        assertThat(storedRevokes("default")).as("a worker without limits trims nothing").hasSize(15);

        WorkerState strict = new WorkerState(new RevokedSet(6, Duration.ofHours(1), Clock.systemUTC()), new LamportClock());
        open("").merge(strict); // trims with its limits after merging
        List<String> kept = new ArrayList<>();
        for (int i = 4; i < 10; i++) {
            kept.add("recent-" + i);
        }
        assertThat(storedRevokes("default").keySet()).as("expired ids, then all but the 6 newest, are trimmed; nothing else")
                .containsExactlyElementsOf(kept);
        assertThat(strict.revoked().asMap().keySet()).containsExactlyElementsOf(kept);
        assertThat(storedRevokes("other")).as("another state name is never trimmed by this one").hasSize(5);
        assertThat(generous.revoked().size()).as("the generous worker keeps its own set in memory").isEqualTo(15);
    }

    @Test
    void timestampsKeepTheNewestAcrossWorkersToTheMicrosecond() throws SQLException {
        WorkerState a = worker();
        WorkerState b = worker();
        open("").merge(a);
        open("").merge(b);
        double now = a.revoked().now();
        a.revoked().update(Map.of("refreshed", now - 100.000_001));
        b.revoked().update(Map.of("refreshed", now - 50.123_457));
        a.revoked().update(Map.of("refreshed", now - 75)); // older than b's: must not move the stored time back
        Map<String, Double> stored = storedRevokes("default");
        assertThat(stored.get("refreshed")).isCloseTo(b.revoked().asMap().get("refreshed"), org.assertj.core.data.Offset.offset(1e-6));

        WorkerState c = worker();
        open("").merge(c);
        assertThat(c.revoked().asMap().get("refreshed")).as("exact to the microsecond").isEqualTo(b.revoked().asMap().get("refreshed"));
    }

    @Test
    void stateNamesIsolateWorkersOnTheSameTables() {
        WorkerState billing = worker();
        StateStore sb = open("state_name=billing");
        sb.merge(billing);
        billing.revoked().add("billing-task");
        for (int i = 0; i < 5_000; i++) {
            billing.clock().forward();
        }
        WorkerState reports = worker();
        open("state_name=reports").merge(reports);
        assertThat(reports.revoked().isEmpty()).isTrue();
        assertThat(reports.clock().value()).as("reports' clock does not follow billing's").isLessThan(5_000);
        assertThat(sb.location()).endsWith("?state_name=billing");
    }
}
