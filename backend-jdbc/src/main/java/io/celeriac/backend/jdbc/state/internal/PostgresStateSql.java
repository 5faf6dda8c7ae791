package io.celeriac.backend.jdbc.state.internal;

import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.internal.SqlNames;
import io.celeriac.backend.jdbc.state.JdbcStateStoreConfig;
import io.celeriac.state.RevokedEntries;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PostgreSQL: {@code revoked_at} is a {@code timestamp with time zone} (exact to the microsecond, readable
 * by people), ids are upserted in bulk through {@code unnest} in code-point order (so that concurrent
 * transactions lock rows in one order and cannot deadlock each other), the clock is raised with a
 * conditional upsert, and trimming skips rows other transactions hold ({@code FOR UPDATE SKIP LOCKED}): it
 * never waits, so it never takes part in a deadlock.
 */
final class PostgresStateSql extends StateSql {

    private static final Set<String> TEXT = Set.of("text", "character varying");

    private final String index;
    private final String upsert;
    private final String raiseClock;
    private final String load;

    PostgresStateSql(JdbcStateStoreConfig settings) {
        super(settings);
        this.index = SqlNames.qualified(settings.revokedTable().schema(), settings.indexName());
        this.upsert = "INSERT INTO " + revoked + " AS t (state_name, task_id, revoked_at)"
                + " SELECT ?, u.id, TIMESTAMPTZ 'epoch' + u.m * INTERVAL '1 microsecond'"
                + " FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[])) AS u(id, m) ORDER BY u.id COLLATE \"C\""
                + " ON CONFLICT (state_name, task_id) DO UPDATE SET revoked_at = excluded.revoked_at"
                + " WHERE t.revoked_at < excluded.revoked_at";
        this.raiseClock = "INSERT INTO " + clock + " AS t (state_name, clock) VALUES (?, ?) ON CONFLICT (state_name)"
                + " DO UPDATE SET clock = excluded.clock WHERE t.clock < excluded.clock";
        this.load = "SELECT task_id, CASE WHEN isfinite(revoked_at) THEN CAST(EXTRACT(EPOCH FROM revoked_at) * 1000000 AS BIGINT) END"
                + " FROM " + revoked + " WHERE state_name = ? ORDER BY revoked_at, task_id";
    }

    private Map<String, String> objects() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(revoked, "CREATE TABLE IF NOT EXISTS " + revoked + " (state_name VARCHAR(155) NOT NULL, task_id TEXT NOT NULL,"
                + " revoked_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (state_name, task_id))");
        m.put(index, "CREATE INDEX IF NOT EXISTS " + SqlNames.quote(settings.indexName()) + " ON " + revoked + " (state_name, revoked_at)");
        m.put(clock, "CREATE TABLE IF NOT EXISTS " + clock + " (state_name VARCHAR(155) NOT NULL PRIMARY KEY, clock BIGINT NOT NULL)");
        return m;
    }

    @Override
    List<String> ddl() {
        return new ArrayList<>(objects().values());
    }

    private static boolean exists(Connection c, String qualifiedName) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            st.setString(1, qualifiedName);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static long lockKey(String s) {
        return Long.parseUnsignedLong(SqlNames.sha256(s).substring(0, 16), 16);
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
        Map<String, String> objects = objects();
        boolean missing = false;
        for (String name : objects.keySet()) {
            missing |= !exists(c, name);
        }
        if (!missing) {
            return found.ok() ? found : check(c); // another worker created them since the first look
        }
        // one creator at a time: CREATE ... IF NOT EXISTS alone can still collide on the catalog
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + lockKey("celeriac-state-schema:" + revoked) + ")");
            for (Map.Entry<String, String> e : objects.entrySet()) {
                if (!exists(c, e.getKey())) {
                    st.execute(e.getValue());
                }
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
        Map<String, Set<String>> revokedCols = new LinkedHashMap<>();
        revokedCols.put("state_name", TEXT);
        revokedCols.put("task_id", TEXT);
        revokedCols.put("revoked_at", Set.of("timestamp with time zone"));
        check(c, revoked, revokedName, revokedCols, new String[]{"state_name", "task_id"}, missing, wrong);
        Map<String, Set<String>> clockCols = new LinkedHashMap<>();
        clockCols.put("state_name", TEXT);
        clockCols.put("clock", Set.of("bigint"));
        check(c, clock, clockName, clockCols, new String[]{"state_name"}, missing, wrong);
        return new SchemaCheck(missing, wrong);
    }

    private void check(Connection c, String qualified, String shown, Map<String, Set<String>> expected, String[] key,
                       List<String> missing, List<String> wrong) throws SQLException {
        if (!exists(c, qualified)) {
            String ddl = objects().get(qualified) + (qualified.equals(revoked) ? "; " + objects().get(index) : "");
            missing.add("the table " + shown + " does not exist: create it with " + ddl + ", or open with schema_mode=create");
            return;
        }
        Map<String, String> actual = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a"
                + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped")) {
            st.setString(1, qualified);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    actual.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
            String type = actual.get(e.getKey());
            if (type == null) {
                wrong.add("the table " + shown + " has no column " + e.getKey());
            } else if (!e.getValue().contains(type)) {
                wrong.add("the column " + shown + "." + e.getKey() + " is " + type + ", not " + String.join(" or ", new java.util.TreeSet<>(e.getValue())));
            }
        }
        String[] sorted = key.clone();
        java.util.Arrays.sort(sorted);
        Array cols = c.createArrayOf("text", sorted);
        try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM pg_index i WHERE i.indrelid = to_regclass(?)"
                + " AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND i.indnatts = ?"
                + " AND (SELECT array_agg(CAST(a.attname AS TEXT) ORDER BY CAST(a.attname AS TEXT)) FROM pg_attribute a"
                + " WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) = ?")) {
            st.setString(1, qualified);
            st.setInt(2, key.length);
            st.setArray(3, cols);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    wrong.add("the table " + shown + " has no primary key or unique constraint on (" + String.join(", ", key)
                            + "), which the store's atomic upserts need");
                }
            }
        } finally {
            cols.free();
        }
    }

    @Override
    RevokedEntries loadRevoked(Connection c, String state) throws SQLException, BadValue {
        try (PreparedStatement st = c.prepareStatement(load)) {
            st.setFetchSize(5_000);
            st.setString(1, state);
            try (ResultSet rs = st.executeQuery()) {
                RevokedEntries.Builder b = RevokedEntries.builder(1024);
                while (rs.next()) {
                    String id = rs.getString(1);
                    long micros = rs.getLong(2);
                    if (rs.wasNull()) {
                        throw new BadValue("the revoked id '" + abbreviate(id) + "' of the state '" + state + "' in the table "
                                + revokedName + " has a revoked_at that is not a finite time");
                    }
                    b.add(id, micros);
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
                String[] idChunk = java.util.Arrays.copyOfRange(ids, from, to);
                Long[] m = new Long[to - from];
                for (int i = from; i < to; i++) {
                    m[i - from] = micros[i];
                }
                Array a = c.createArrayOf("text", idChunk);
                Array b = c.createArrayOf("int8", m);
                try {
                    st.setString(1, state);
                    st.setArray(2, a);
                    st.setArray(3, b);
                    st.executeUpdate();
                } finally {
                    a.free();
                    b.free();
                }
            }
        }
    }

    @Override
    boolean isOneStatement(int rows) {
        return rows <= CHUNK;
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
            conditions.add("revoked_at <= TIMESTAMPTZ 'epoch' + CAST(? AS BIGINT) * INTERVAL '1 microsecond'");
        }
        if (maxlen > 0) {
            conditions.add("revoked_at < (SELECT revoked_at FROM " + revoked + " WHERE state_name = ? ORDER BY revoked_at DESC"
                    + " LIMIT 1 OFFSET ?)");
        }
        if (conditions.isEmpty()) {
            return 0;
        }
        String sql = "DELETE FROM " + revoked + " WHERE state_name = ? AND task_id IN (SELECT task_id FROM " + revoked
                + " WHERE state_name = ? AND (" + String.join(" OR ", conditions) + ") FOR UPDATE SKIP LOCKED)";
        try (PreparedStatement st = c.prepareStatement(sql)) {
            int p = 1;
            st.setString(p++, state);
            st.setString(p++, state);
            if (cutoffMicros != null) {
                st.setLong(p++, cutoffMicros);
            }
            if (maxlen > 0) {
                st.setString(p++, state);
                st.setInt(p, maxlen - 1);
            }
            return st.executeUpdate();
        }
    }
}
