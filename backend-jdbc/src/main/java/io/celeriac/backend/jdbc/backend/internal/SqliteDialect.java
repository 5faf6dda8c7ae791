package io.celeriac.backend.jdbc.backend.internal;

import io.celeriac.backend.CorruptResultException;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static io.celeriac.backend.jdbc.internal.SqlNames.quote;

/**
 * SQLite: Celery's tables as SQLAlchemy 1.4 creates them ({@code INTEGER PRIMARY KEY AUTOINCREMENT}),
 * upserts with {@code INSERT ... ON CONFLICT ... DO UPDATE ... WHERE status IS NOT 'SUCCESS'} (SQLite
 * 3.24+), {@code date_done} as SQLAlchemy's text {@code YYYY-MM-DD HH:MM:SS.ffffff} (UTC), and chord
 * counting in an immediate transaction with {@code RETURNING} (SQLite 3.35+).
 */
final class SqliteDialect extends Dialect {

    private static final DateTimeFormatter SQLALCHEMY = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final String[] upserts = new String[2];
    private final String upsertGroup;
    private final String selectMany;

    SqliteDialect(JdbcBackendConfig settings) {
        super(settings);
        for (int ext = 0; ext < 2; ext++) {
            StringBuilder cols = new StringBuilder("task_id, status, result, date_done, traceback");
            StringBuilder vals = new StringBuilder("?, ?, ?, ?, ?");
            StringBuilder set = new StringBuilder("status = excluded.status, result = excluded.result,"
                    + " date_done = excluded.date_done, traceback = excluded.traceback");
            if (ext == 1) {
                for (String c : EXTENDED) {
                    cols.append(", ").append(c);
                    vals.append(", ?");
                    set.append(", ").append(c).append(" = excluded.").append(c);
                }
            }
            upserts[ext] = "INSERT INTO " + task + " AS t (" + cols + ") VALUES (" + vals + ") ON CONFLICT (task_id) DO UPDATE SET "
                    + set + " WHERE t.status IS NOT 'SUCCESS'";
        }
        // column 12 says whether any extended column holds a value: most rows have none, and each column read is a
        // call into the native library
        this.selectMany = "SELECT " + TASK_COLUMNS + ", name IS NOT NULL OR args IS NOT NULL OR kwargs IS NOT NULL"
                + " OR worker IS NOT NULL OR retries IS NOT NULL OR queue IS NOT NULL FROM " + task
                + " WHERE task_id IN (SELECT value FROM json_each(?))";
        this.upsertGroup = "INSERT INTO " + group + " (taskset_id, result, date_done) VALUES (?, ?, ?)"
                + " ON CONFLICT (taskset_id) DO UPDATE SET result = excluded.result, date_done = excluded.date_done";
    }

    /**
     * Formats a time as SQLAlchemy stores a SQLite {@code DATETIME}: {@code 2026-11-21 12:15:21.142259}.
     *
     * @param v the time
     * @return the text
     */
    static String format(Instant v) {
        return SQLALCHEMY.format(v);
    }

    @Override
    Argument date(Instant v) {
        return str(v == null ? null : SQLALCHEMY.withZone(settings.timeZone()).format(v));
    }

    @Override
    Instant readDate(ResultSet rs, int column, String row) throws SQLException {
        String s = rs.getString(column);
        if (s == null) {
            return null;
        }
        Instant fast = sqlalchemyDate(s);
        if (fast != null) {
            return fast;
        }
        try {
            String text = s.strip();
            java.time.Instant utc = CeleryJson.parseDateDone(text);
            if (CeleryJson.parseDateDoneOffset(text) != null || settings.timeZone().equals(ZoneOffset.UTC)) {
                return utc;
            }
            // a naive wall time in the writer's zone (Celery 5.5+ writes its app's timezone here)
            return java.time.LocalDateTime.ofInstant(utc, ZoneOffset.UTC).atZone(settings.timeZone()).toInstant();
        } catch (JsonFormatException e) {
            throw new CorruptResultException(row, "its date_done is not a date-time: " + e.getMessage(), e);
        }
    }

    /**
     * The common case read without a parser: SQLAlchemy's naive {@code YYYY-MM-DD HH:MM:SS.ffffff}, a wall time in
     * {@link JdbcBackendConfig#timeZone()}; {@code null} for any other text (the general path reads it).
     */
    private Instant sqlalchemyDate(String s) {
        java.time.LocalDateTime ldt = CeleryJson.parseNaiveDateTime(s);
        if (ldt == null) {
            return null;
        }
        return settings.timeZone().equals(ZoneOffset.UTC) ? ldt.toInstant(ZoneOffset.UTC) : ldt.atZone(settings.timeZone()).toInstant();
    }

    @Override
    String distinct() {
        return "IS NOT";
    }

    @Override
    String plainUpsert(boolean extended) {
        return upserts[extended ? 1 : 0];
    }

    @Override
    boolean upsertTask(Connection c, TaskRow r, boolean extended) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(upserts[extended ? 1 : 0])) {
            apply(st, upsertArgs(r, extended));
            return st.executeUpdate() > 0;
        }
    }

    @Override
    List<Argument> upsertArgs(TaskRow r, boolean extended) {
        List<Argument> args = new ArrayList<>(11);
        args.add(str(r.taskId()));
        args.add(str(r.status()));
        args.add(bytes(r.result()));
        args.add(date(r.dateDone()));
        args.add(str(r.traceback()));
        if (extended) {
            args.add(str(r.name()));
            args.add(bytes(r.args()));
            args.add(bytes(r.kwargs()));
            args.add(str(r.worker()));
            args.add(integer(r.retries()));
            args.add(str(r.queue()));
        }
        return args;
    }

    @Override
    List<TaskRow> selectTasks(Connection c, List<String> taskIds) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(selectMany)) {
            st.setString(1, CeleryJson.encodeToString(taskIds));
            List<TaskRow> out = new ArrayList<>(taskIds.size());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    if (rs.getInt(12) != 0) {
                        out.add(readTask(rs));
                    } else {
                        String taskId = rs.getString(1);
                        out.add(new TaskRow(taskId, rs.getString(2), rs.getBytes(3), readDate(rs, 4, taskRow(taskId)),
                                rs.getString(5), null, null, null, null, null, null));
                    }
                }
            }
            return out;
        }
    }

    @Override
    void upsertGroup(Handle h, String groupId, byte[] result, Instant now) {
        bind(h.createUpdate(upsertGroup), str(groupId), bytes(result), date(now)).execute();
    }

    @Override
    Optional<int[]> countPart(Handle h, String groupId, String taskId, Integer groupIndex, String state, byte[] result,
                              Instant now) {
        return h.inTransaction(th -> {
            int inserted = bind(th.createUpdate("INSERT INTO " + chordPart + " (group_id, task_id, group_index, state, result)"
                            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, task_id) DO NOTHING"),
                    str(groupId), str(taskId), integer(groupIndex), str(state), bytes(result)).execute();
            if (inserted == 0) {
                return Optional.<int[]>empty();
            }
            return bind(th.createQuery("INSERT INTO " + chord + " (group_id, chord_size, counted, created_at) VALUES (?, NULL, 1, ?)"
                            + " ON CONFLICT (group_id) DO UPDATE SET counted = counted + 1 RETURNING counted, chord_size"),
                    str(groupId), date(now))
                    .map((rs, ctx) -> {
                        int counted = rs.getInt(1);
                        int size = rs.getInt(2);
                        return new int[]{counted, rs.wasNull() ? -1 : size};
                    })
                    .findFirst();
        });
    }

    // ------------------------------------------------------------------------------------------
    // schema

    @Override
    List<String> ddl() {
        List<String> out = new ArrayList<>(objects().values());
        out.addAll(new java.util.LinkedHashSet<>(dateDoneIndexes().values()));
        return out;
    }

    private Map<String, String> objects() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(settings.taskTable().name(), "\nCREATE TABLE " + task + " (\n\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "
                + "\n\ttask_id VARCHAR(155), \n\tstatus VARCHAR(50), \n\tresult BLOB, \n\tdate_done DATETIME, \n\ttraceback TEXT, "
                + "\n\tname VARCHAR(155), \n\targs BLOB, \n\tkwargs BLOB, \n\tworker VARCHAR(155), \n\tretries INTEGER, "
                + "\n\tqueue VARCHAR(155), \n\tUNIQUE (task_id)\n)\n\n");
        m.put(settings.groupTable().name(), "\nCREATE TABLE " + group + " (\n\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "
                + "\n\ttaskset_id VARCHAR(155), \n\tresult BLOB, \n\tdate_done DATETIME, \n\tUNIQUE (taskset_id)\n)\n\n");
        m.put("celeriac_chord", "CREATE TABLE " + chord + " (group_id VARCHAR(155) NOT NULL PRIMARY KEY, chord_size INTEGER,"
                + " counted INTEGER NOT NULL DEFAULT 0, created_at DATETIME NOT NULL)");
        m.put("celeriac_chord_part", "CREATE TABLE " + chordPart + " (group_id VARCHAR(155) NOT NULL, task_id VARCHAR(155) NOT NULL,"
                + " group_index INTEGER, state VARCHAR(50) NOT NULL, result BLOB, PRIMARY KEY (group_id, task_id))");
        m.put(seenTableName(settings.taskTable().name()), "CREATE TABLE " + seen + " (task_id VARCHAR(155) NOT NULL PRIMARY KEY,"
                + " status VARCHAR(50), seen_at DATETIME NOT NULL)");
        return m;
    }

    private static boolean exists(Handle h, String table) {
        return h.createQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?")
                .bind(0, table).mapTo(Integer.class).one() > 0;
    }

    @Override
    List<String> prepareSchema(Handle h) {
        JdbcConnectionConfig.SchemaMode mode = settings.connection().schemaMode();
        if (mode == JdbcConnectionConfig.SchemaMode.CREATE) {
            h.useTransaction(th -> {
                Map<String, String> indexes = dateDoneIndexes();
                for (Map.Entry<String, String> e : objects().entrySet()) {
                    if (!exists(th, e.getKey())) {
                        th.execute(e.getValue());
                        String index = indexes.get(e.getKey());
                        if (index != null) {
                            th.execute(index); // as Celery 5.6 creates its tables
                        }
                    }
                }
            });
        }
        if (mode == JdbcConnectionConfig.SchemaMode.NONE) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        checkTable(h, settings.taskTable().name(), List.of("id", "task_id", "status", "result", "date_done", "traceback",
                "name", "args", "kwargs", "worker", "retries", "queue"), "task_id", problems);
        checkTable(h, settings.groupTable().name(), List.of("id", "taskset_id", "result", "date_done"), "taskset_id", problems);
        Map<String, String> objects = objects();
        for (String side : List.of("celeriac_chord", "celeriac_chord_part", seenTableName(settings.taskTable().name()))) {
            if (!exists(h, side)) {
                problems.add("celeriac's table " + side + " does not exist: create it with " + objects.get(side)
                        + ", or open with schema_mode=create");
            }
        }
        return problems;
    }

    private void checkTable(Handle h, String table, List<String> columns, String uniqueColumn, List<String> problems) {
        if (!exists(h, table)) {
            problems.add("the table " + table + " does not exist: open with schema_mode=create, or let Python Celery create it");
            return;
        }
        Map<String, Object[]> actual = new LinkedHashMap<>();
        for (Object[] c : h.createQuery("PRAGMA table_info(" + quote(table) + ")")
                .map((rs, ctx) -> new Object[]{rs.getString("name"), rs.getString("type"), rs.getInt("pk")})
                .list()) {
            actual.put((String) c[0], c);
        }
        for (String c : columns) {
            if (!actual.containsKey(c)) {
                problems.add("the table " + table + " has no column " + c);
            }
        }
        Object[] id = actual.get("id");
        if (id != null && (!"INTEGER".equalsIgnoreCase(String.valueOf(id[1])) || ((Integer) id[2]) != 1)) {
            problems.add("the column " + table + ".id is not an INTEGER PRIMARY KEY, so SQLite cannot number new rows");
        }
        boolean unique = false;
        for (Object[] idx : h.createQuery("PRAGMA index_list(" + quote(table) + ")")
                .map((rs, ctx) -> new Object[]{rs.getString("name"), rs.getInt("unique")})
                .list()) {
            if ((Integer) idx[1] != 1) {
                continue;
            }
            List<String> cols = h.createQuery("PRAGMA index_info(" + quote((String) idx[0]) + ")")
                    .map((rs, ctx) -> rs.getString("name")).list();
            if (cols.size() == 1 && uniqueColumn.equals(cols.get(0))) {
                unique = true;
            }
        }
        if (!unique) {
            problems.add("the column " + table + "." + uniqueColumn + " has no UNIQUE constraint, which Celery's schema has"
                    + " and celeriac's atomic upsert needs");
        }
    }
}
