package io.celeriac.backend.jdbc.backend.internal;

import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.SqlStatement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;

import static io.celeriac.backend.jdbc.internal.SqlNames.qualified;
import static io.celeriac.backend.jdbc.internal.SqlNames.quote;
import static io.celeriac.backend.jdbc.internal.SqlNames.sha256;

/**
 * The SQL of one database: Celery's tables and celeriac's own ({@code celeriac_chord},
 * {@code celeriac_chord_part} and {@code celeriac_seen_<task table>}), with the statements the backend runs
 * on them. Subclasses give the dialect's upserts, date columns and schema handling. Thread-safe (holds SQL
 * text only).
 */
abstract class Dialect {

    static final String TASK_COLUMNS = "task_id, status, result, date_done, traceback, name, args, kwargs, worker, retries, queue";
    static final String[] EXTENDED = {"name", "args", "kwargs", "worker", "retries", "queue"};
    static final String READY_STATES = "('SUCCESS', 'FAILURE', 'REVOKED')";
    static final int PAGE = 1000;

    final JdbcBackendConfig settings;
    final String task;
    final String group;
    final String chord;
    final String chordPart;
    final String seen;
    final String taskName;
    private final String selectOne;

    Dialect(JdbcBackendConfig settings) {
        this.settings = settings;
        this.task = qualified(settings.taskTable().schema(), settings.taskTable().name());
        this.group = qualified(settings.groupTable().schema(), settings.groupTable().name());
        String sideSchema = settings.taskTable().schema();
        this.chord = qualified(sideSchema, "celeriac_chord");
        this.chordPart = qualified(sideSchema, "celeriac_chord_part");
        this.taskName = settings.taskTable().toString();
        this.seen = qualified(sideSchema, seenTableName(settings.taskTable().name()));
        this.selectOne = "SELECT " + TASK_COLUMNS + " FROM " + task + " WHERE task_id = ?";
    }

    /** The name of the table that remembers when cleanup first saw an unfinished task. */
    static String seenTableName(String taskTable) {
        String name = "celeriac_seen_" + taskTable;
        if (name.length() <= 63) {
            return name;
        }
        return name.substring(0, 46) + "_" + sha256(taskTable).substring(0, 16);
    }

    /** The name of a row, for messages: {@code celery_taskmeta row with task_id 'x'}. */
    String taskRow(String taskId) {
        return taskName + " row with task_id '" + taskId + "'";
    }

    String groupRow(String groupId) {
        return settings.groupTable() + " row with taskset_id '" + groupId + "'";
    }

    // ------------------------------------------------------------------------------------------
    // binding

    static Argument str(String v) {
        return (p, st, ctx) -> {
            if (v == null) {
                st.setNull(p, Types.VARCHAR);
            } else {
                st.setString(p, v);
            }
        };
    }

    static Argument bytes(byte[] v) {
        return (p, st, ctx) -> {
            if (v == null) {
                st.setNull(p, Types.BINARY);
            } else {
                st.setBytes(p, v);
            }
        };
    }

    static Argument integer(Integer v) {
        return (p, st, ctx) -> {
            if (v == null) {
                st.setNull(p, Types.INTEGER);
            } else {
                st.setInt(p, v);
            }
        };
    }

    /** Binds a {@code date_done} or timestamp value as the dialect stores it. */
    abstract Argument date(Instant v);

    /** Reads a {@code date_done} or timestamp column. */
    abstract Instant readDate(ResultSet rs, int column, String row) throws SQLException;

    /** The null-safe "differs" operator: PostgreSQL {@code IS DISTINCT FROM}, SQLite {@code IS NOT}. */
    abstract String distinct();

    static <S extends SqlStatement<S>> S bind(S st, Argument... args) {
        for (int i = 0; i < args.length; i++) {
            st.bind(i, args[i]);
        }
        return st;
    }

    // ------------------------------------------------------------------------------------------
    // tasks

    /*
     * The three statements on the hot path (store, read one, read many) run as plain prepared statements on
     * the JDBI handle's connection: JDBI's statement machinery would double the client's CPU per operation
     * (measured: about 19 us against 10 us per read), and the drivers cache the server-side statement anyway.
     */

    /**
     * Inserts or updates a task row in one statement, never over a stored SUCCESS, and notifies waiters
     * when the dialect has push.
     *
     * @return whether the row was written ({@code false} when a SUCCESS was kept)
     */
    abstract boolean upsertTask(Connection c, TaskRow r, boolean extended) throws SQLException;

    /** The upsert of one row that never overwrites a stored SUCCESS, without notifying. */
    abstract String plainUpsert(boolean extended);

    /** The arguments of {@link #plainUpsert}, from position 1. */
    abstract List<Argument> upsertArgs(TaskRow r, boolean extended);

    /**
     * Upserts several rows in one transaction, in their order, as one JDBC batch of {@link #plainUpsert}: each row
     * never over a stored SUCCESS (a later row of the same id sees the earlier one), and waiters notified as
     * {@link #upsertTask} does. Rolled back as a whole when any row fails.
     *
     * @return for each row, whether it was written ({@code false} when a SUCCESS was kept or the driver did not say)
     */
    boolean[] upsertTasks(Connection c, List<TaskRow> rows, boolean extended) throws SQLException {
        c.setAutoCommit(false);
        boolean ok = false;
        try {
            int[] counts;
            try (PreparedStatement st = c.prepareStatement(plainUpsert(extended))) {
                for (TaskRow r : rows) {
                    apply(st, upsertArgs(r, extended));
                    st.addBatch();
                }
                counts = st.executeBatch();
            }
            boolean[] written = new boolean[rows.size()];
            for (int i = 0; i < written.length; i++) {
                written[i] = i < counts.length && counts[i] > 0;
            }
            afterBatch(c, rows, written);
            c.commit();
            ok = true;
            return written;
        } finally {
            try {
                if (!ok) {
                    c.rollback();
                }
                c.setAutoCommit(true);
            } catch (SQLException e) {
                if (ok) {
                    throw e;
                }
                // the failure that brought us here is the one to report; the pool drops a broken connection
            }
        }
    }

    /** Runs in a batch's transaction after its upserts, before the commit: PostgreSQL notifies waiters there. */
    void afterBatch(Connection c, List<TaskRow> rows, boolean[] written) throws SQLException {
    }

    Optional<TaskRow> selectTask(Connection c, String taskId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(selectOne)) {
            st.setString(1, taskId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(readTask(rs)) : Optional.empty();
            }
        }
    }

    /** Reads the rows of several ids (absent ids are missing from the list). */
    abstract List<TaskRow> selectTasks(Connection c, List<String> taskIds) throws SQLException;

    /** Binds arguments to a plain prepared statement, from position 1. */
    static void apply(PreparedStatement st, List<Argument> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            args.get(i).apply(i + 1, st, null);
        }
    }

    static List<TaskRow> readTasks(PreparedStatement st, Dialect d) throws SQLException {
        List<TaskRow> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(d.readTask(rs));
            }
        }
        return out;
    }

    /** How many ids one {@link #selectTasks} reads at most. */
    int batchSize() {
        return 1000;
    }

    TaskRow readTask(ResultSet rs) throws SQLException {
        String taskId = rs.getString(1);
        int retries = rs.getInt(10);
        return new TaskRow(taskId, rs.getString(2), rs.getBytes(3), readDate(rs, 4, taskRow(taskId)), rs.getString(5),
                rs.getString(6), rs.getBytes(7), rs.getBytes(8), rs.getString(9), rs.wasNull() ? null : retries,
                rs.getString(11));
    }

    int deleteTask(Handle h, String taskId) {
        return h.createUpdate("DELETE FROM " + task + " WHERE task_id = ?").bind(0, str(taskId)).execute();
    }

    /** One page of ids: the ids and the last primary key read. */
    record IdPage(List<String> ids, long lastId, int rows) {
    }

    IdPage taskIds(Handle h, long afterId) {
        return page(h, "SELECT id, task_id FROM " + task + " WHERE id > ? ORDER BY id LIMIT " + PAGE, afterId);
    }

    IdPage groupIds(Handle h, long afterId) {
        return page(h, "SELECT id, taskset_id FROM " + group + " WHERE id > ? ORDER BY id LIMIT " + PAGE, afterId);
    }

    private static IdPage page(Handle h, String sql, long afterId) {
        List<String> ids = new ArrayList<>();
        long last = afterId;
        int rows = 0;
        for (Object[] r : h.createQuery(sql).bind(0, afterId)
                .map((rs, ctx) -> new Object[]{rs.getLong(1), rs.getString(2)}).list()) {
            rows++;
            last = (Long) r[0];
            if (r[1] != null) {
                ids.add((String) r[1]);
            }
        }
        return new IdPage(ids, last, rows);
    }

    // ------------------------------------------------------------------------------------------
    // groups

    abstract void upsertGroup(Handle h, String groupId, byte[] result, Instant now);

    /** The group row's {@code result} column; empty when there is no row. */
    Optional<byte[][]> selectGroup(Handle h, String groupId) {
        return h.createQuery("SELECT result FROM " + group + " WHERE taskset_id = ?")
                .bind(0, str(groupId))
                .map((rs, ctx) -> new byte[][]{rs.getBytes(1)})
                .findFirst();
    }

    int deleteGroup(Handle h, String groupId) {
        return h.createUpdate("DELETE FROM " + group + " WHERE taskset_id = ?").bind(0, str(groupId)).execute();
    }

    // ------------------------------------------------------------------------------------------
    // chords

    void setChordSize(Handle h, String groupId, int size, Instant now) {
        bind(h.createUpdate("INSERT INTO " + chord + " (group_id, chord_size, counted, created_at) VALUES (?, ?, 0, ?)"
                        + " ON CONFLICT (group_id) DO UPDATE SET chord_size = excluded.chord_size"),
                str(groupId), integer(size), date(now)).execute();
    }

    /**
     * Records a part and counts it, atomically: the part row and the increment commit together, and a
     * part reported twice is counted once.
     *
     * @return {@code [counted, chordSize or -1]}, or empty when this task was already counted
     */
    abstract Optional<int[]> countPart(Handle h, String groupId, String taskId, Integer groupIndex, String state,
                                       byte[] result, Instant now);

    record PartRow(String taskId, Integer groupIndex, String state, byte[] result) {
    }

    List<PartRow> selectParts(Handle h, String groupId) {
        return h.createQuery("SELECT task_id, group_index, state, result FROM " + chordPart + " WHERE group_id = ? AND state <> ?"
                        + " ORDER BY CASE WHEN group_index IS NULL THEN 1 ELSE 0 END, group_index, task_id")
                .bind(0, str(groupId))
                .bind(1, str(CLAIM_STATE))
                .map((rs, ctx) -> {
                    int idx = rs.getInt(2);
                    return new PartRow(rs.getString(1), rs.wasNull() ? null : idx, rs.getString(3), rs.getBytes(4));
                })
                .list();
    }

    /** The counter row of a chord: {@code [counted, chordSize or -1]}. */
    Optional<int[]> selectChord(Handle h, String groupId) {
        return h.createQuery("SELECT counted, chord_size FROM " + chord + " WHERE group_id = ?")
                .bind(0, str(groupId))
                .map((rs, ctx) -> {
                    int counted = rs.getInt(1);
                    int size = rs.getInt(2);
                    return new int[]{counted, rs.wasNull() ? -1 : size};
                })
                .findFirst();
    }

    /** The state of the row that records a won claim among a chord's parts (never a part's state). */
    static final String CLAIM_STATE = "CELERIAC-CLAIM";
    /** The task id prefix of that row; the rest is the claim's token. */
    static final String CLAIM_TASK_PREFIX = "celeriac-claim:";

    /**
     * Claims a complete chord in one transaction: the caller that deletes the chord's counter row completes
     * the chord, and records its win as a row among the chord's parts (state {@link #CLAIM_STATE}, task id
     * {@code celeriac-claim:<token>}), deleted with the parts. A retry of a claim whose commit went through
     * but whose reply was lost finds the counter gone and its own record, and so still wins; any other
     * claim, such as a later duplicate report of the same part, loses.
     *
     * @param h the handle
     * @param groupId the chord's group id
     * @param token a token unique to this report of the completing part
     * @return whether this claim won
     */
    boolean claimChord(Handle h, String groupId, String token) {
        String record = CLAIM_TASK_PREFIX + token;
        return h.inTransaction(tx -> {
            if (tx.createUpdate("DELETE FROM " + chord + " WHERE group_id = ?").bind(0, str(groupId)).execute() > 0) {
                tx.createUpdate("INSERT INTO " + chordPart + " (group_id, task_id, group_index, state, result)"
                                + " VALUES (?, ?, NULL, ?, NULL)")
                        .bind(0, str(groupId)).bind(1, str(record)).bind(2, str(CLAIM_STATE)).execute();
                return true;
            }
            return tx.createQuery("SELECT 1 FROM " + chordPart + " WHERE group_id = ? AND task_id = ?")
                    .bind(0, str(groupId)).bind(1, str(record)).mapTo(Integer.class).findFirst().isPresent();
        });
    }

    void deleteParts(Handle h, String groupId) {
        h.createUpdate("DELETE FROM " + chordPart + " WHERE group_id = ?").bind(0, str(groupId)).execute();
    }

    // ------------------------------------------------------------------------------------------
    // cleanup

    /**
     * Deletes what expired before {@code cutoff}, in the caller's transaction: task and group rows whose
     * {@code date_done} is older; task rows with no {@code date_done} (STARTED, RETRY, custom states) that
     * cleanup has seen, unchanged, since before {@code cutoff}; abandoned chord counters.
     *
     * @return how many task and group rows were deleted
     */
    long cleanup(Handle h, Instant now, Instant cutoff) {
        long n = h.createUpdate("DELETE FROM " + task + " WHERE date_done < ?").bind(0, date(cutoff)).execute();
        n += h.createUpdate("DELETE FROM " + group + " WHERE date_done < ?").bind(0, date(cutoff)).execute();
        h.createUpdate("INSERT INTO " + seen + " AS s (task_id, status, seen_at)"
                        + " SELECT task_id, status, ? FROM " + task + " WHERE date_done IS NULL AND task_id IS NOT NULL"
                        + " ON CONFLICT (task_id) DO UPDATE SET status = excluded.status, seen_at = excluded.seen_at"
                        + " WHERE s.status " + distinct() + " excluded.status")
                .bind(0, date(now)).execute();
        n += h.createUpdate("DELETE FROM " + task + " WHERE date_done IS NULL AND task_id IN"
                        + " (SELECT task_id FROM " + seen + " WHERE seen_at < ?)")
                .bind(0, date(cutoff)).execute();
        h.createUpdate("DELETE FROM " + seen + " WHERE task_id NOT IN"
                + " (SELECT task_id FROM " + task + " WHERE date_done IS NULL AND task_id IS NOT NULL)").execute();
        h.createUpdate("DELETE FROM " + chordPart + " WHERE group_id IN (SELECT group_id FROM " + chord
                + " WHERE created_at < ?)").bind(0, date(cutoff)).execute();
        h.createUpdate("DELETE FROM " + chord + " WHERE created_at < ?").bind(0, date(cutoff)).execute();
        return n;
    }

    // ------------------------------------------------------------------------------------------
    // schema

    /**
     * Creates what is missing (in {@code create} mode) and validates (in {@code create} and
     * {@code validate} mode).
     *
     * @param h a handle
     * @return the problems found; empty when the schema is usable
     */
    abstract List<String> prepareSchema(Handle h);

    /** The DDL of every object the backend needs, in order, as {@code create} mode runs it. */
    abstract List<String> ddl();

    static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    /**
     * Celery 5.6's indexes on {@code date_done} ({@code index=True} in its models), created with the tables when
     * celeriac creates them (never added to an existing table, which would lock it): table name to DDL.
     */
    final Map<String, String> dateDoneIndexes() {
        String taskIndex = "CREATE INDEX " + quote("ix_" + settings.taskTable().name() + "_date_done") + " ON " + task
                + " (date_done)";
        String groupIndex = "CREATE INDEX " + quote("ix_" + settings.groupTable().name() + "_date_done") + " ON "
                + group + " (date_done)";
        Map<String, String> m = new java.util.LinkedHashMap<>();
        // keyed by the qualified and the plain table name: the dialects key their objects one way or the other
        m.put(task, taskIndex);
        m.put(settings.taskTable().name(), taskIndex);
        m.put(group, groupIndex);
        m.put(settings.groupTable().name(), groupIndex);
        return m;
    }
}
