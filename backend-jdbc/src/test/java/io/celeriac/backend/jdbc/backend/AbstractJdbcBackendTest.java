package io.celeriac.backend.jdbc.backend;

import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.backend.internal.JdbcBackend;
import io.celeriac.json.CeleryJson;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Behaviour of the database backend beyond the kit, on each database: cleanup of rows Celery leaves
 * without {@code date_done}, the JSON result format next to pickled rows, the schema modes, custom table
 * names, the pickle protocol, duplicate chord parts. Subclasses give the database.
 */
abstract class AbstractJdbcBackendTest extends JdbcTestBase {

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    byte[] rawResult(String taskId) throws SQLException {
        try (Connection c = connect();
             PreparedStatement st = c.prepareStatement("SELECT result FROM " + table("celery_taskmeta") + " WHERE task_id = ?")) {
            st.setString(1, taskId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    int count(String sql) throws SQLException {
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    // ------------------------------------------------------------------------------------------

    @Test
    void cleanupDeletesExpiredRowsAndUnfinishedRowsOnceTheyHaveBeenSeenForTheExpiry() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
        Duration expiry = Duration.ofHours(1);
        JdbcBackend b = open(BackendOptions.builder().clock(clock).resultExpires(expiry));
        String old = id();
        String running = id();
        String retrying = id();
        String flapping = id();
        String group = id();
        b.storeResult(old, "old", TaskState.SUCCESS);
        b.markAsStarted(running, Map.of("pid", 1L));
        b.markAsRetry(retrying, ExceptionInfo.builtin("RuntimeError", "again"), null, null);
        b.markAsStarted(flapping, Map.of("pid", 2L));
        b.saveGroup(GroupResult.ofTaskIds(group, List.of(old)));
        assertThat(b.cleanup()).as("nothing has expired yet").isZero();

        clock.advance(Duration.ofMinutes(40));
        b.storeResult(flapping, "progress", TaskState.of("PROGRESS")); // changed: its age starts again
        assertThat(b.cleanup()).isZero();

        clock.advance(Duration.ofMinutes(21)); // 61 minutes after the first writes
        String fresh = id();
        String newRunning = id();
        b.storeResult(fresh, "fresh", TaskState.SUCCESS);
        b.markAsStarted(newRunning, Map.of("pid", 3L));
        assertThat(b.cleanup()).as("old, running, retrying and the group").isEqualTo(4);
        assertThat(b.getStatus(old)).isEqualTo(TaskState.PENDING);
        assertThat(b.getStatus(running)).isEqualTo(TaskState.PENDING);
        assertThat(b.getStatus(retrying)).isEqualTo(TaskState.PENDING);
        assertThat(b.restoreGroup(group)).isEmpty();
        assertThat(b.getStatus(flapping)).isEqualTo(TaskState.of("PROGRESS"));
        assertThat(b.getResult(fresh)).isEqualTo("fresh");
        assertThat(b.getStatus(newRunning)).isEqualTo(TaskState.STARTED);

        clock.advance(Duration.ofMinutes(61));
        assertThat(b.cleanup()).as("fresh, newRunning and flapping").isEqualTo(3);
        assertThat(b.getStatus(fresh)).isEqualTo(TaskState.PENDING);
        assertThat(b.getStatus(newRunning)).isEqualTo(TaskState.PENDING);
        assertThat(b.getStatus(flapping)).isEqualTo(TaskState.PENDING);
    }

    @Test
    void cleanupAlsoRemovesAbandonedChordCounters() throws SQLException {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
        JdbcBackend b = open(BackendOptions.builder().clock(clock).resultExpires(Duration.ofHours(1)));
        String gid = id();
        b.setChordSize(gid, 3);
        b.onChordPartReturn(new ChordPart(gid, "p0-" + gid, 0, TaskState.SUCCESS, 1L, null, null));
        assertThat(count("SELECT count(*) FROM " + table("celeriac_chord_part") + " WHERE group_id = '" + gid + "'")).isEqualTo(1);
        clock.advance(Duration.ofHours(2));
        b.cleanup();
        assertThat(count("SELECT count(*) FROM " + table("celeriac_chord_part") + " WHERE group_id = '" + gid + "'")).isZero();
        assertThat(count("SELECT count(*) FROM " + table("celeriac_chord") + " WHERE group_id = '" + gid + "'")).isZero();
    }

    @Test
    void aWaitThatTimesOutNamesTheLastStateSeen() {
        JdbcBackend b = open(BackendOptions.builder());
        String id = id();
        b.storeResult(id, java.util.Map.of("current", 4L), io.celeriac.backend.TaskState.of("PROGRESS"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.waitFor(id, io.celeriac.tck.Tck.timeout(Duration.ofSeconds(1))))
                .isInstanceOf(io.celeriac.backend.WaitTimeoutException.class)
                .hasMessageEndingWith("; last state PROGRESS {\"current\": 4}");
    }

    @Test
    void aPartReportedTwiceIsCountedOnce() {
        JdbcBackend b = open(BackendOptions.builder());
        String gid = id();
        b.setChordSize(gid, 2);
        ChordPart first = new ChordPart(gid, "a-" + gid, 0, TaskState.SUCCESS, "a", null, null);
        assertThat(b.onChordPartReturn(first)).isEmpty();
        assertThat(b.onChordPartReturn(first)).as("the same task again").isEmpty();
        Optional<ChordCompletion> done = b.onChordPartReturn(new ChordPart(gid, "b-" + gid, 1, TaskState.SUCCESS, "b", null, null));
        assertThat(done.orElseThrow().results()).containsExactly("a", "b");
        assertThat(b.onChordPartReturn(first)).as("after completion").isEmpty();
    }

    @Test
    void theJsonFormatWritesCeleryJsonAndReadsPickledRowsToo() throws SQLException {
        JdbcBackend pickle = open(BackendOptions.builder());
        JdbcBackend json = open(BackendOptions.builder().property(JdbcBackendConfig.RESULT_FORMAT, "json"));
        String a = id();
        String b = id();
        String f = id();
        pickle.storeResult(a, Map.of("n", 1L), TaskState.SUCCESS);
        json.storeResult(b, Map.of("n", 2L), TaskState.SUCCESS);
        json.markAsFailure(f, ExceptionInfo.builtin("ValueError", "x"), null, null);
        assertThat(rawResult(a)[0] & 0xff).as("a pickle").isEqualTo(0x80);
        assertThat(new String(rawResult(b), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"n\": 2}");
        assertThat(new String(rawResult(f), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"exc_type\": \"ValueError\", \"exc_message\": [\"x\"], \"exc_module\": \"builtins\"}");
        for (JdbcBackend reader : List.of(pickle, json)) {
            assertThat(reader.getResult(a)).isEqualTo(Map.of("n", 1L));
            assertThat(reader.getResult(b)).isEqualTo(Map.of("n", 2L));
            assertThat(reader.getResult(f)).isEqualTo(ExceptionInfo.builtin("ValueError", "x"));
        }
        String g = id();
        json.saveGroup(GroupResult.ofTaskIds(g, List.of(a, b)));
        assertThat(pickle.restoreGroup(g)).contains(GroupResult.ofTaskIds(g, List.of(a, b)));
    }

    @Test
    void pickleProtocolFiveIsWrittenWhenAsked() throws SQLException {
        JdbcBackend b = open(BackendOptions.builder().property(JdbcBackendConfig.PICKLE_PROTOCOL, "5"));
        String a = id();
        b.storeResult(a, 42L, TaskState.SUCCESS);
        assertThat(HexFormat.of().formatHex(rawResult(a))).isEqualTo("80054b2a2e"); // what Python 3.11 writes
        assertThat(b.getResult(a)).isEqualTo(42L);
        String c = id();
        open(BackendOptions.builder()).storeResult(c, 42L, TaskState.SUCCESS);
        assertThat(HexFormat.of().formatHex(rawResult(c))).isEqualTo("80044b2a2e");
    }

    @Test
    void validateModeReportsEveryMissingTableAndNoneModeTouchesNothing() throws SQLException {
        assertThatThrownBy(() -> open(BackendOptions.builder().property(JdbcConnectionConfig.SCHEMA_MODE, "validate")))
                .isInstanceOf(SchemaMismatchException.class)
                .satisfies(e -> assertThat(((SchemaMismatchException) e).problems()).hasSizeGreaterThanOrEqualTo(5))
                .hasMessageContaining("celery_taskmeta").hasMessageContaining("celery_tasksetmeta")
                .hasMessageContaining("celeriac_chord").hasMessageContaining("schema_mode=create");
        JdbcBackend none = open(BackendOptions.builder().property(JdbcConnectionConfig.SCHEMA_MODE, "none")
                .retryPolicy(RetryPolicy.NONE));
        String a = id();
        assertThatThrownBy(() -> none.storeResult(a, 1L, TaskState.SUCCESS))
                .isInstanceOf(UnableToStoreResultException.class).hasMessageContaining(a);
        JdbcBackend created = open(BackendOptions.builder());
        assertThat(created.schemaStatements()).hasSize(tablesAndSequences());
        JdbcBackend validated = open(BackendOptions.builder().property(JdbcConnectionConfig.SCHEMA_MODE, "validate"));
        validated.storeResult(a, 1L, TaskState.SUCCESS);
        assertThat(none.getResult(a)).isEqualTo(1L);
    }

    @Test
    void theDdlForDbasCreatesTablesThatValidateModeAccepts() throws SQLException {
        BackendOptions options = base(BackendOptions.builder().property(JdbcConnectionConfig.SCHEMA_MODE, "validate")).build();
        List<String> ddl = JdbcBackendProvider.schemaStatements(
                JdbcBackendConfig.parse(io.celeriac.url.BackendUrl.parse(url()), options));
        assertThat(ddl).hasSize(tablesAndSequences());
        try (Connection c = connect(); java.sql.Statement st = c.createStatement()) {
            for (String sql : ddl) {
                st.execute(sql);
            }
        }
        JdbcBackend b = open(BackendOptions.builder().property(JdbcConnectionConfig.SCHEMA_MODE, "validate"));
        String a = id();
        b.storeResult(a, List.of("made", "by", "hand"), TaskState.SUCCESS);
        assertThat(b.waitFor(a, Duration.ofSeconds(10)).result()).isEqualTo(List.of("made", "by", "hand"));
    }

    /** How many objects {@code create} mode makes. */
    abstract int tablesAndSequences();

    @Test
    void theTablesCeleriacCreatesHaveCelery56sDateDoneIndexes() throws SQLException {
        open(BackendOptions.builder());
        for (String t : List.of("celery_taskmeta", "celery_tasksetmeta")) {
            String qualified = table(t);
            String schema = qualified.contains(".") ? qualified.substring(0, qualified.indexOf('.')) : null;
            List<String> indexed = new java.util.ArrayList<>();
            try (Connection c = connect(); java.sql.ResultSet rs = c.getMetaData().getIndexInfo(null, schema, t, false, false)) {
                while (rs.next()) {
                    if (("ix_" + t + "_date_done").equals(rs.getString("INDEX_NAME"))) {
                        indexed.add(rs.getString("COLUMN_NAME"));
                    }
                }
            }
            assertThat(indexed).as("the index ix_%s_date_done", t).containsExactly("date_done");
        }
    }

    @Test
    void customTableNamesAreUsed() throws SQLException {
        JdbcBackend b = open(BackendOptions.builder()
                .property(JdbcBackendConfig.TASK_TABLE, "app_results")
                .property(JdbcBackendConfig.GROUP_TABLE, "app_groups"));
        String a = id();
        b.storeResult(a, "custom", TaskState.SUCCESS);
        b.saveGroup(GroupResult.ofTaskIds(a, List.of(a)));
        assertThat(count("SELECT count(*) FROM " + table("app_results") + " WHERE task_id = '" + a + "'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM " + table("app_groups") + " WHERE taskset_id = '" + a + "'")).isEqualTo(1);
        assertThat(b.getResult(a)).isEqualTo("custom");
    }

    @Test
    void aCorruptRowNamesItselfAndLeavesOtherRowsReadable() throws SQLException {
        JdbcBackend b = open(BackendOptions.builder());
        String good = id();
        String bad = id();
        b.storeResult(good, "fine", TaskState.SUCCESS);
        b.storeResult(bad, "soon corrupt", TaskState.SUCCESS);
        try (Connection c = connect();
             PreparedStatement st = c.prepareStatement("UPDATE " + table("celery_taskmeta") + " SET result = ? WHERE task_id = ?")) {
            st.setBytes(1, new byte[]{(byte) 0x80, 4, (byte) 0x95, 1});
            st.setString(2, bad);
            st.executeUpdate();
        }
        assertThatThrownBy(() -> b.getTaskMeta(bad)).isInstanceOf(io.celeriac.backend.CorruptResultException.class)
                .hasMessageContaining(bad).hasCauseInstanceOf(PickleFormatException.class);
        assertThat(b.getResult(good)).isEqualTo("fine");
        assertThat(CeleryJson.encodeToString(b.getMany(List.of(good)).get(good).result())).isEqualTo("\"fine\"");
    }

    @Test
    void hotPathStatementsGiveTheirConnectionBackAlsoWhenTheyFail() throws SQLException {
        // one connection: a statement that kept its connection would make the next one wait for the pool and fail
        JdbcBackend b = open(BackendOptions.builder().property(JdbcConnectionConfig.POOL_SIZE, "1"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String id = id();
            ids.add(id);
            b.storeResult(id, List.of((long) i, "v" + i), TaskState.SUCCESS);
            assertThat(b.getTaskMeta(id).result()).isEqualTo(List.of((long) i, "v" + i));
            assertThat(b.getTaskMeta(id()).status()).isEqualTo(TaskState.PENDING);
        }
        assertThat(b.getMany(ids)).hasSize(30).allSatisfy((id, m) -> assertThat(m.status()).isEqualTo(TaskState.SUCCESS));
        String table = table("celery_taskmeta");
        String renamed = "celery_taskmeta_away";
        try (Connection c = connect(); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + table + " RENAME TO " + renamed);
        }
        try {
            for (int i = 0; i < 3; i++) { // each fails inside the statement, on the pool's only connection
                assertThatThrownBy(() -> b.getTaskMeta(ids.get(0))).isInstanceOf(io.celeriac.CeleriacException.class);
                assertThatThrownBy(() -> b.getMany(ids)).isInstanceOf(io.celeriac.CeleriacException.class);
            }
        } finally {
            try (Connection c = connect(); java.sql.Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + table.substring(0, table.length() - "celery_taskmeta".length()) + renamed
                        + " RENAME TO celery_taskmeta");
            }
        }
        assertThat(b.getTaskMeta(ids.get(7)).result()).isEqualTo(List.of(7L, "v7"));
        String after = id();
        b.storeResult(after, "after", TaskState.SUCCESS);
        assertThat(b.getMany(List.of(after, ids.get(0))).get(after).result()).isEqualTo("after");
    }

    // ------------------------------------------------------------------------------------------
    // values planted with raw SQL, and odd task ids

    /** Result column contents no Celery writes, by name. */
    static Map<String, byte[]> badResults() {
        Map<String, byte[]> m = new java.util.LinkedHashMap<>();
        m.put("not a pickle", "not a pickle".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        m.put("empty", new byte[0]);
        m.put("a truncated pickle", HexFormat.of().parseHex("80049534000000000000007d948c026f6b94"));
        m.put("a pickle without STOP", HexFormat.of().parseHex("80044b01"));
        // os.system, as Python's pickle.dumps writes it: reading it must never run anything
        m.put("a hostile pickle (os.system)", HexFormat.of().parseHex(
                "63706f7369780a73797374656d0a70300a2856746f756368202f6e6f6e6578697374656e742f63656c65726961632d6d61726b65720a70310a7470320a5270330a2e"));
        m.put("a hostile pickle (subprocess.Popen)", HexFormat.of().parseHex(
                "80059539000000000000008c0a73756270726f63657373948c05506f70656e9493945d94288c05746f756368948c0e2f6e6f6e6578697374656e742f6d9465859452942e"));
        m.put("JSON of the wrong shape", "[1, 2".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        m.put("a pickle nested 100000 deep", nestedPickle(100_000));
        byte[] garbage = new byte[8 * 1024 * 1024];
        new java.util.Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0x80;
        garbage[1] = 4;
        m.put("8 MB of random bytes after a pickle header", garbage);
        return m;
    }

    private static byte[] nestedPickle(int depth) {
        byte[] b = new byte[2 + depth * 2 + 1];
        b[0] = (byte) 0x80;
        b[1] = 4;
        for (int i = 0; i < depth; i++) {
            b[2 + i] = ']'; // EMPTY_LIST
        }
        for (int i = 0; i < depth; i++) {
            b[2 + depth + i] = 'a'; // APPEND
        }
        b[b.length - 1] = '.';
        return b;
    }

    @Test
    void plantedResultsReadOrFailTypedAndTheBackendStaysUsable() throws Exception {
        JdbcBackend b = open(BackendOptions.builder());
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(io.celeriac.tck.Tck.timeout(Duration.ofSeconds(120)), () -> {
            for (Map.Entry<String, byte[]> e : badResults().entrySet()) {
                String bad = id();
                b.storeResult(bad, "soon replaced", TaskState.SUCCESS);
                try (Connection c = connect();
                     PreparedStatement st = c.prepareStatement("UPDATE " + table("celery_taskmeta") + " SET result = ? WHERE task_id = ?")) {
                    st.setBytes(1, e.getValue());
                    st.setString(2, bad);
                    assertThat(st.executeUpdate()).isEqualTo(1);
                }
                for (java.util.function.Supplier<Object> read : List.<java.util.function.Supplier<Object>>of(
                        () -> b.getTaskMeta(bad), () -> b.getMany(List.of(bad)).get(bad), () -> b.waitFor(bad, Duration.ofSeconds(5)))) {
                    try {
                        Object got = read.get();
                        org.assertj.core.api.Assertions.fail(e.getKey() + " was read as " + got);
                    } catch (io.celeriac.backend.CorruptResultException expected) {
                        assertThat(expected.getMessage()).as(e.getKey()).contains(bad);
                        assertThat(expected).hasCauseInstanceOf(PickleFormatException.class);
                    } catch (RuntimeException | StackOverflowError | OutOfMemoryError other) {
                        org.assertj.core.api.Assertions.fail(e.getKey() + " raised " + other, other);
                    }
                }
                assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/nonexistent/celeriac-marker"))).isFalse();
                // the backend, and this task id, are still usable
                b.forget(bad);
                b.storeResult(bad, "fine after " + e.getKey(), TaskState.SUCCESS);
                assertThat(b.getResult(bad)).isEqualTo("fine after " + e.getKey());
            }
        });
    }

    @Test
    void plantedColumnsOfTheWrongKindReadOrFailTyped() throws Exception {
        JdbcBackend b = open(BackendOptions.builder());
        String[][] updates = {
                {"status", "NOT-A-CELERY-STATE"},
                {"status", ""},
                {"traceback", "Traceback 'quoted' \"x\"\n\\ ".repeat(10_000)},
                {"date_done", null},
        };
        for (String[] u : updates) {
            String tid = id();
            b.storeResult(tid, 5L, TaskState.SUCCESS);
            try (Connection c = connect();
                 PreparedStatement st = c.prepareStatement("UPDATE " + table("celery_taskmeta") + " SET " + u[0]
                         + (u[1] == null ? " = NULL" : " = ?") + " WHERE task_id = ?")) {
                int i = 1;
                if (u[1] != null) {
                    st.setString(i++, u[1]);
                }
                st.setString(i, tid);
                assertThat(st.executeUpdate()).isEqualTo(1);
            }
            try {
                io.celeriac.backend.TaskMeta m = b.getTaskMeta(tid);
                assertThat(m.taskId()).isEqualTo(tid);
                if (u[0].equals("status") && !u[1].isEmpty()) {
                    assertThat(m.status().name()).isEqualTo(u[1]);
                    assertThat(m.result()).isEqualTo(5L);
                }
            } catch (io.celeriac.backend.CorruptResultException expected) {
                assertThat(expected.getMessage()).contains(tid);
            }
            b.forget(tid);
            assertThat(b.getTaskMeta(tid).status()).isEqualTo(TaskState.PENDING);
        }
    }

    @Test
    void oddTaskIdsRoundTripOrAreRefusedTyped() throws Exception {
        JdbcBackend b = open(BackendOptions.builder());
        List<String> ids = List.of("quo\"te'd", "semi;colon -- drop table x", "new\nline\r\n", "uni-日本-é-\ud83d\ude80",
                "x".repeat(155), "percent-%s-_%", "back\\slash");
        for (String tid : ids) {
            java.util.concurrent.CompletableFuture<io.celeriac.backend.TaskMeta> w =
                    b.waitForAsync(tid, io.celeriac.tck.Tck.timeout(Duration.ofSeconds(30)));
            b.storeResult(tid, Map.of("id", tid), TaskState.SUCCESS);
            assertThat(w.get(io.celeriac.tck.Tck.timeout(Duration.ofSeconds(30)).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .result()).as(tid).isEqualTo(Map.of("id", tid));
            assertThat(b.getTaskMeta(tid).result()).as(tid).isEqualTo(Map.of("id", tid));
            assertThat(b.getMany(List.of(tid)).get(tid).result()).as(tid).isEqualTo(Map.of("id", tid));
            b.forget(tid);
            assertThat(b.getTaskMeta(tid).status()).as(tid).isEqualTo(TaskState.PENDING);
        }
        // Celery's task_id column holds 155 characters: a longer id is stored whole or refused, never cut
        String tooLong = "L".repeat(156) + "-end";
        try {
            b.storeResult(tooLong, 1L, TaskState.SUCCESS);
            assertThat(b.getTaskMeta(tooLong).taskId()).isEqualTo(tooLong);
            assertThat(b.getResult(tooLong)).isEqualTo(1L);
        } catch (io.celeriac.CeleriacException refused) {
            assertThat(refused.getMessage()).contains("155");
        }
        assertThat(b.getTaskMeta("L".repeat(155)).status()).isEqualTo(TaskState.PENDING);
        // PostgreSQL text cannot hold NUL: such an id is stored whole or refused with a typed error
        String nul = "nul-\u0000-id";
        try {
            b.storeResult(nul, 1L, TaskState.SUCCESS);
            assertThat(b.getResult(nul)).isEqualTo(1L);
        } catch (io.celeriac.CeleriacException refused) {
            assertThat(refused.getMessage()).contains("nul-");
        }
        String after = id();
        b.storeResult(after, "still usable", TaskState.SUCCESS);
        assertThat(b.getResult(after)).isEqualTo("still usable");
    }
}
