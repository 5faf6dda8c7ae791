package io.celeriac.backend.jdbc.state.internal;

import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.internal.SqlNames;
import io.celeriac.backend.jdbc.state.JdbcStateStoreConfig;
import io.celeriac.state.RevokedEntries;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The SQL of the worker state store on one database: celeriac's two tables
 * ({@code <prefix>revoked(state_name, task_id, revoked_at)} and {@code <prefix>state_clock(state_name, clock)}),
 * their creation and validation, and the statements the store runs on them. Every statement is scoped to
 * one state name, and none touches Celery's tables. Thread-safe (holds SQL text only).
 */
abstract class StateSql {

    /** The most rows one upsert statement carries. */
    static final int CHUNK = 10_000;

    final JdbcStateStoreConfig settings;
    /** The revoked table, quoted and qualified, for SQL. */
    final String revoked;
    /** The clock table, quoted and qualified, for SQL. */
    final String clock;
    /** The revoked table as users name it, for messages. */
    final String revokedName;
    /** The clock table as users name it, for messages. */
    final String clockName;

    StateSql(JdbcStateStoreConfig settings) {
        this.settings = settings;
        this.revoked = SqlNames.qualified(settings.revokedTable().schema(), settings.revokedTable().name());
        this.clock = SqlNames.qualified(settings.clockTable().schema(), settings.clockTable().name());
        this.revokedName = settings.revokedTable().toString();
        this.clockName = settings.clockTable().toString();
    }

    static StateSql of(JdbcStateStoreConfig settings) {
        return settings.connection().database() == JdbcConnectionConfig.Database.POSTGRESQL
                ? new PostgresStateSql(settings) : new SqliteStateSql(settings);
    }

    // ------------------------------------------------------------------------------------------
    // schema

    /** What a schema check found: tables that are missing, and tables that exist in the wrong shape. */
    record SchemaCheck(List<String> missing, List<String> wrongShape) {
        boolean ok() {
            return missing.isEmpty() && wrongShape.isEmpty();
        }
    }

    /** The DDL of both tables and the index, in order, as {@code create} mode runs it. */
    abstract List<String> ddl();

    /**
     * Creates what is missing (in {@code create} mode), then checks both tables (in {@code create} and
     * {@code validate} mode); runs with auto-commit on.
     */
    abstract SchemaCheck prepare(Connection c) throws SQLException;

    // ------------------------------------------------------------------------------------------
    // reads

    /** A stored value that is not what the store writes, found while loading. */
    static final class BadValue extends Exception {
        private static final long serialVersionUID = 1L;

        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The stored revokes of a state, oldest first.
     *
     * @throws BadValue when a row holds a value the store never writes
     */
    abstract RevokedEntries loadRevoked(Connection c, String state) throws SQLException, BadValue;

    /**
     * The stored clock of a state, empty when none is stored.
     *
     * @throws BadValue when the value is not a non-negative whole number
     */
    OptionalLong loadClock(Connection c, String state) throws SQLException, BadValue {
        try (PreparedStatement st = c.prepareStatement("SELECT CAST(clock AS TEXT) FROM " + clock + " WHERE state_name = ?")) {
            st.setString(1, state);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return OptionalLong.empty();
                }
                String v = rs.getString(1);
                if (v == null) {
                    throw new BadValue("the clock of the state '" + state + "' in the table " + clockName + " is NULL, not a number");
                }
                try {
                    long n = Long.parseLong(v.strip());
                    if (n < 0) {
                        throw new NumberFormatException();
                    }
                    return OptionalLong.of(n);
                } catch (NumberFormatException e) {
                    throw new BadValue("the clock of the state '" + state + "' in the table " + clockName + " is '" + abbreviate(v)
                            + "', not a non-negative whole number");
                }
            }
        }
    }

    static String abbreviate(String v) {
        return v.length() <= 40 ? v : v.substring(0, 40) + "...";
    }

    // ------------------------------------------------------------------------------------------
    // writes (each in the caller's transaction)

    /**
     * Inserts revokes or refreshes their timestamps, never moving a stored timestamp back. The ids are
     * distinct and sorted by code point (PostgreSQL's "C" order), so that concurrent transactions lock rows
     * in the same order.
     */
    abstract void upsert(Connection c, String state, String[] ids, long[] micros) throws SQLException;

    void discard(Connection c, String state, String id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("DELETE FROM " + revoked + " WHERE state_name = ? AND task_id = ?")) {
            st.setString(1, state);
            st.setString(2, id);
            st.executeUpdate();
        }
    }

    void clear(Connection c, String state) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("DELETE FROM " + revoked + " WHERE state_name = ?")) {
            st.setString(1, state);
            st.executeUpdate();
        }
    }

    /** Whether {@link #upsert} of this many rows is one statement (which then commits atomically by itself). */
    abstract boolean isOneStatement(int rows);

    /** Raises the stored clock to {@code value} unless it is higher already (atomic). */
    abstract void raiseClock(Connection c, String state, long value) throws SQLException;

    /**
     * Deletes the revokes of a state that Celery's limits drop: those stamped at or before
     * {@code cutoffMicros} (when not null) and those older than the {@code maxlen} newest (when above 0).
     * Rows another transaction is writing are left for a later trim.
     *
     * @return how many rows were deleted
     */
    abstract int trim(Connection c, String state, Long cutoffMicros, int maxlen) throws SQLException;

    // ------------------------------------------------------------------------------------------

    static List<String> list(String... items) {
        return new ArrayList<>(List.of(items));
    }
}
