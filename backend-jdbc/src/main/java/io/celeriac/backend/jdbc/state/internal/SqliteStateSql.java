package io.celeriac.backend.jdbc.state.internal;

import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.internal.SqlNames;
import io.celeriac.backend.jdbc.state.JdbcStateStoreConfig;
import io.celeriac.state.RevokedEntries;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * SQLite: {@code revoked_at} is a {@code REAL} of wall-clock epoch seconds (Celery's float timestamps; exact to
 * the microsecond at today's magnitudes), and since SQLite columns take any type, every value read is checked
 * with {@code typeof}. SQLite serializes writers itself (one write lock per file, waited for with the busy
 * timeout), so the same statements are safe for several processes on one file.
 */
final class SqliteStateSql extends StateSql {

    private final String upsert;
    private final String raiseClock;
    private final String load;

    SqliteStateSql(JdbcStateStoreConfig settings) {
        super(settings);
        this.upsert = "INSERT INTO " + revoked + " AS t (state_name, task_id, revoked_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (state_name, task_id) DO UPDATE SET revoked_at = excluded.revoked_at"
                + " WHERE t.revoked_at < excluded.revoked_at";
        this.raiseClock = "INSERT INTO " + clock + " AS t (state_name, clock) VALUES (?, ?) ON CONFLICT (state_name)"
                + " DO UPDATE SET clock = excluded.clock WHERE t.clock < excluded.clock";
        this.load = "SELECT task_id, revoked_at, typeof(task_id), typeof(revoked_at) FROM " + revoked
                + " WHERE state_name = ? ORDER BY revoked_at, task_id";
    }

    private Map<String, String> objects() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(settings.revokedTable().name(), "CREATE TABLE IF NOT EXISTS " + revoked + " (state_name VARCHAR(155) NOT NULL,"
                + " task_id TEXT NOT NULL, revoked_at REAL NOT NULL, PRIMARY KEY (state_name, task_id))");
        m.put(settings.indexName(), "CREATE INDEX IF NOT EXISTS " + SqlNames.quote(settings.indexName()) + " ON " + revoked
                + " (state_name, revoked_at)");
        m.put(settings.clockTable().name(), "CREATE TABLE IF NOT EXISTS " + clock
                + " (state_name VARCHAR(155) NOT NULL PRIMARY KEY, clock BIGINT NOT NULL)");
        return m;
    }

    @Override
    List<String> ddl() {
        return new ArrayList<>(objects().values());
    }

    private static boolean exists(Connection c, String type, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM sqlite_master WHERE type = ? AND name = ?")) {
            st.setString(1, type);
            st.setString(2, name);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    @Override
    SchemaCheck prepare(Connection c) throws SQLException {
        JdbcConnectionConfig.SchemaMode mode = settings.connection().schemaMode();
        if (mode == JdbcConnectionConfig.SchemaMode.NONE) {
            return new SchemaCheck(List.of(), List.of());
        }
        SchemaCheck found = check(c);
        if (mode == JdbcConnectionConfig.SchemaMode.VALIDATE || !found.wrongShape().isEmpty()) {
            return found; // a table of the wrong shape: refuse before creating anything beside it
        }
        boolean missing = !exists(c, "table", settings.revokedTable().name()) || !exists(c, "index", settings.indexName())
                || !exists(c, "table", settings.clockTable().name());
        if (!missing) {
            return found.ok() ? found : check(c); // another process created them since the first look
        }
        c.setAutoCommit(false); // BEGIN IMMEDIATE: one creator at a time, across processes
        try (Statement st = c.createStatement()) {
            for (String ddl : objects().values()) {
                st.execute(ddl);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        return check(c);
    }

    private SchemaCheck check(Connection c) throws SQLException {
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        Map<String, String> revokedCols = new LinkedHashMap<>();
        revokedCols.put("state_name", "TEXT");
        revokedCols.put("task_id", "TEXT");
        revokedCols.put("revoked_at", "REAL");
        check(c, settings.revokedTable().name(), revokedCols, Set.of("state_name", "task_id"), missing, wrong);
        Map<String, String> clockCols = new LinkedHashMap<>();
        clockCols.put("state_name", "TEXT");
        clockCols.put("clock", "INTEGER");
        check(c, settings.clockTable().name(), clockCols, Set.of("state_name"), missing, wrong);
        return new SchemaCheck(missing, wrong);
    }

    /** SQLite's type affinity of a declared column type (section 3.1 of its datatype documentation). */
    static String affinity(String declared) {
        String t = declared == null ? "" : declared.toUpperCase(Locale.ROOT);
        if (t.contains("INT")) {
            return "INTEGER";
        }
        if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
            return "TEXT";
        }
        if (t.isEmpty() || t.contains("BLOB")) {
            return "BLOB";
        }
        if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
            return "REAL";
        }
        return "NUMERIC";
    }

    private void check(Connection c, String table, Map<String, String> expected, Set<String> key, List<String> missing,
                       List<String> wrong) throws SQLException {
        if (!exists(c, "table", table)) {
            String ddl = objects().get(table) + (table.equals(settings.revokedTable().name()) ? "; " + objects().get(settings.indexName()) : "");
            missing.add("the table " + table + " does not exist: create it with " + ddl + ", or open with schema_mode=create");
            return;
        }
        Map<String, String> actual = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(" + SqlNames.quote(table) + ")")) {
            while (rs.next()) {
                actual.put(rs.getString("name"), rs.getString("type"));
            }
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            if (!actual.containsKey(e.getKey())) {
                wrong.add("the table " + table + " has no column " + e.getKey());
            } else if (!affinity(actual.get(e.getKey())).equals(e.getValue())) {
                wrong.add("the column " + table + "." + e.getKey() + " is declared '" + actual.get(e.getKey()) + "', not a type of "
                        + e.getValue() + " affinity");
            }
        }
        boolean unique = false;
        List<String> indexes = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA index_list(" + SqlNames.quote(table) + ")")) {
            while (rs.next()) {
                if (rs.getInt("unique") == 1 && rs.getInt("partial") == 0) {
                    indexes.add(rs.getString("name"));
                }
            }
        }
        for (String idx : indexes) {
            Set<String> cols = new HashSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA index_info(" + SqlNames.quote(idx) + ")")) {
                while (rs.next()) {
                    cols.add(rs.getString("name"));
                }
            }
            unique |= cols.equals(key);
        }
        if (!unique) {
            wrong.add("the table " + table + " has no primary key or unique constraint on (" + String.join(", ", new java.util.TreeSet<>(key))
                    + "), which the store's atomic upserts need");
        }
    }

    @Override
    RevokedEntries loadRevoked(Connection c, String state) throws SQLException, BadValue {
        try (PreparedStatement st = c.prepareStatement(load)) {
            st.setString(1, state);
            try (ResultSet rs = st.executeQuery()) {
                RevokedEntries.Builder b = RevokedEntries.builder(1024);
                while (rs.next()) {
                    String id = rs.getString(1);
                    String idType = rs.getString(3);
                    String tsType = rs.getString(4);
                    if (!"text".equals(idType)) {
                        throw new BadValue("a task_id of the state '" + state + "' in the table " + revokedName + " is of type "
                                + idType + ", not text");
                    }
                    if (!"real".equals(tsType) && !"integer".equals(tsType)) {
                        throw new BadValue("the revoked id '" + abbreviate(id) + "' of the state '" + state + "' in the table "
                                + revokedName + " has a revoked_at of type " + tsType + " ('" + abbreviate(String.valueOf(rs.getString(2)))
                                + "'), not a number of epoch seconds");
                    }
                    b.add(id, Math.round(rs.getDouble(2) * 1e6));
                }
                return b.buildDistinct(); // the primary key (state_name, task_id) keeps ids distinct
            }
        }
    }

    @Override
    void upsert(Connection c, String state, String[] ids, long[] micros) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(upsert)) {
            for (int from = 0; from < ids.length; from += CHUNK) {
                int to = Math.min(ids.length, from + CHUNK);
                for (int i = from; i < to; i++) {
                    st.setString(1, state);
                    st.setString(2, ids[i]);
                    st.setDouble(3, micros[i] / 1e6);
                    st.addBatch();
                }
                st.executeBatch();
            }
        }
    }

    @Override
    boolean isOneStatement(int rows) {
        return rows <= 1; // a batch of statements needs a transaction to be atomic (and to sync once)
    }

    @Override
    void raiseClock(Connection c, String state, long value) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(raiseClock)) {
            st.setString(1, state);
            st.setLong(2, value);
            st.executeUpdate();
        }
    }

    @Override
    int trim(Connection c, String state, Long cutoffMicros, int maxlen) throws SQLException {
        List<String> conditions = new ArrayList<>(2);
        if (cutoffMicros != null) {
            conditions.add("revoked_at <= ?");
        }
        if (maxlen > 0) {
            conditions.add("revoked_at < (SELECT revoked_at FROM " + revoked + " WHERE state_name = ? ORDER BY revoked_at DESC"
                    + " LIMIT 1 OFFSET ?)");
        }
        if (conditions.isEmpty()) {
            return 0;
        }
        String sql = "DELETE FROM " + revoked + " WHERE state_name = ? AND (" + String.join(" OR ", conditions) + ")";
        try (PreparedStatement st = c.prepareStatement(sql)) {
            int p = 1;
            st.setString(p++, state);
            if (cutoffMicros != null) {
                st.setDouble(p++, cutoffMicros / 1e6);
            }
            if (maxlen > 0) {
                st.setString(p++, state);
                st.setInt(p, maxlen - 1);
            }
            return st.executeUpdate();
        }
    }
}
