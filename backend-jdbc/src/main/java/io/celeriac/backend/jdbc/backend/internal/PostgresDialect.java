package io.celeriac.backend.jdbc.backend.internal;

import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.Table;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.celeriac.backend.jdbc.internal.SqlNames.qualified;
import static io.celeriac.backend.jdbc.internal.SqlNames.quote;
import static io.celeriac.backend.jdbc.internal.SqlNames.sha256;

/**
 * PostgreSQL: Celery's tables as SQLAlchemy 1.4 creates them (sequences {@code task_id_sequence} and
 * {@code taskset_id_sequence}, ids taken with an explicit {@code nextval}), upserts with
 * {@code INSERT ... ON CONFLICT ... DO UPDATE ... WHERE status IS DISTINCT FROM 'SUCCESS'}, naive UTC
 * {@code timestamp without time zone}, and push waits through {@code LISTEN/NOTIFY}: a trigger on the task
 * table notifies every ready row (Python's writes too); without the trigger, celeriac's own upserts notify
 * in the same statement.
 */
final class PostgresDialect extends Dialect {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresDialect.class);
    static final String TRIGGER = "celeriac_notify_ready";

    private final String taskSeq;
    private final String groupSeq;
    private final String[] upserts = new String[4];
    private final String upsertGroup;
    private final String countPart;
    private final String selectMany;
    private volatile String channel;
    private volatile boolean triggerInstalled;

    PostgresDialect(JdbcBackendConfig settings) {
        super(settings);
        this.taskSeq = qualified(settings.taskTable().schema(), "task_id_sequence");
        this.groupSeq = qualified(settings.groupTable().schema(), "taskset_id_sequence");
        for (int ext = 0; ext < 2; ext++) {
            for (int notify = 0; notify < 2; notify++) {
                upserts[ext * 2 + notify] = upsertSql(ext == 1, notify == 1);
            }
        }
        this.upsertGroup = "INSERT INTO " + group + " AS g (id, taskset_id, result, date_done) VALUES ("
                + "COALESCE((SELECT id FROM " + group + " WHERE taskset_id = ?), nextval('" + groupSeq + "')), ?, ?, ?)"
                + " ON CONFLICT (taskset_id) DO UPDATE SET result = excluded.result, date_done = excluded.date_done";
        this.selectMany = "SELECT " + TASK_COLUMNS + " FROM " + task + " WHERE task_id = ANY(?)";
        this.countPart = "WITH p AS (INSERT INTO " + chordPart + " (group_id, task_id, group_index, state, result)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, task_id) DO NOTHING RETURNING group_id)"
                + " INSERT INTO " + chord + " AS c (group_id, chord_size, counted, created_at)"
                + " SELECT p.group_id, NULL, 1, ? FROM p"
                + " ON CONFLICT (group_id) DO UPDATE SET counted = c.counted + 1 RETURNING c.counted, c.chord_size";
    }

    /**
     * The task upsert. The id is the existing row's, or a new {@code nextval}: no sequence value is spent
     * on an update. It never overwrites a SUCCESS. With {@code notify}, it also sends {@code NOTIFY} for a
     * ready row it wrote, in the same statement (used when the trigger is not installed).
     */
    private String upsertSql(boolean extended, boolean notify) {
        StringBuilder cols = new StringBuilder("id, task_id, status, result, date_done, traceback");
        StringBuilder vals = new StringBuilder("COALESCE((SELECT id FROM " + task + " WHERE task_id = ?), nextval('"
                + taskSeq + "')), ?, ?, ?, ?, ?");
        StringBuilder set = new StringBuilder("status = excluded.status, result = excluded.result,"
                + " date_done = excluded.date_done, traceback = excluded.traceback");
        if (extended) {
            for (String c : EXTENDED) {
                cols.append(", ").append(c);
                vals.append(", ?");
                set.append(", ").append(c).append(" = excluded.").append(c);
            }
        }
        String sql = "INSERT INTO " + task + " AS t (" + cols + ") VALUES (" + vals + ") ON CONFLICT (task_id) DO UPDATE SET "
                + set + " WHERE t.status IS DISTINCT FROM 'SUCCESS'";
        if (!notify) {
            return sql;
        }
        return "WITH w AS (" + sql + " RETURNING t.task_id, t.status) SELECT CASE WHEN w.status IN " + READY_STATES
                + " THEN pg_notify(?, w.task_id) END FROM w";
    }

    /** The channel waiters listen on (set once the schema is prepared). */
    String channel() {
        return channel;
    }

    /** Whether the notify trigger is on the task table. */
    boolean triggerInstalled() {
        return triggerInstalled;
    }

    @Override
    Argument date(Instant v) {
        LocalDateTime ldt = v == null ? null : LocalDateTime.ofInstant(v, settings.timeZone());
        return (p, st, ctx) -> {
            if (ldt == null) {
                st.setNull(p, Types.TIMESTAMP);
            } else {
                st.setObject(p, ldt);
            }
        };
    }

    @Override
    Instant readDate(ResultSet rs, int column, String row) throws SQLException {
        LocalDateTime ldt = rs.getObject(column, LocalDateTime.class);
        return ldt == null ? null : ldt.atZone(settings.timeZone()).toInstant();
    }

    @Override
    String distinct() {
        return "IS DISTINCT FROM";
    }

    // ------------------------------------------------------------------------------------------

    @Override
    String plainUpsert(boolean extended) {
        return upserts[extended ? 2 : 0];
    }

    @Override
    void afterBatch(Connection c, List<TaskRow> rows, boolean[] written) throws SQLException {
        if (triggerInstalled) {
            return; // the trigger notified, row by row
        }
        List<String> ready = new ArrayList<>();
        for (int i = 0; i < written.length; i++) {
            String status = rows.get(i).status();
            if (written[i] && ("SUCCESS".equals(status) || "FAILURE".equals(status) || "REVOKED".equals(status))) {
                ready.add(rows.get(i).taskId());
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        // delivered at the commit, as the single upsert's notification is
        try (PreparedStatement st = c.prepareStatement("SELECT pg_notify(?, t) FROM unnest(?::text[]) AS t")) {
            java.sql.Array array = c.createArrayOf("text", ready.toArray());
            try {
                st.setString(1, channel);
                st.setArray(2, array);
                st.executeQuery().close();
            } finally {
                array.free();
            }
        }
    }

    @Override
    boolean upsertTask(Connection c, TaskRow r, boolean extended) throws SQLException {
        boolean notify = !triggerInstalled;
        List<Argument> args = upsertArgs(r, extended);
        if (notify) {
            args.add(str(channel));
        }
        try (PreparedStatement st = c.prepareStatement(upserts[(extended ? 2 : 0) + (notify ? 1 : 0)])) {
            apply(st, args);
            if (!notify) {
                return st.executeUpdate() > 0;
            }
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    List<Argument> upsertArgs(TaskRow r, boolean extended) {
        List<Argument> args = new ArrayList<>(14);
        args.add(str(r.taskId()));
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
            java.sql.Array array = c.createArrayOf("varchar", taskIds.toArray());
            try {
                st.setArray(1, array);
                return readTasks(st, this);
            } finally {
                array.free();
            }
        }
    }

    @Override
    void upsertGroup(Handle h, String groupId, byte[] result, Instant now) {
        bind(h.createUpdate(upsertGroup), str(groupId), str(groupId), bytes(result), date(now)).execute();
    }

    @Override
    Optional<int[]> countPart(Handle h, String groupId, String taskId, Integer groupIndex, String state, byte[] result,
                              Instant now) {
        return bind(h.createQuery(countPart), str(groupId), str(taskId), integer(groupIndex), str(state), bytes(result), date(now))
                .map((rs, ctx) -> {
                    int counted = rs.getInt(1);
                    int size = rs.getInt(2);
                    return new int[]{counted, rs.wasNull() ? -1 : size};
                })
                .findFirst();
    }

    // ------------------------------------------------------------------------------------------
    // schema

    private String sideTable(String name) {
        return qualified(settings.taskTable().schema(), name);
    }

    @Override
    List<String> ddl() {
        List<String> out = new ArrayList<>();
        out.addAll(objects().values());
        out.addAll(new java.util.LinkedHashSet<>(dateDoneIndexes().values()));
        return out;
    }

    /** Every object the backend needs, by qualified name, with its DDL (SQLAlchemy's text for Celery's). */
    private Map<String, String> objects() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(taskSeq, "CREATE SEQUENCE " + taskSeq + " START WITH 1");
        m.put(task, "\nCREATE TABLE " + task + " (\n\tid INTEGER NOT NULL, \n\ttask_id VARCHAR(155), \n\tstatus VARCHAR(50), "
                + "\n\tresult BYTEA, \n\tdate_done TIMESTAMP WITHOUT TIME ZONE, \n\ttraceback TEXT, \n\tname VARCHAR(155), "
                + "\n\targs BYTEA, \n\tkwargs BYTEA, \n\tworker VARCHAR(155), \n\tretries INTEGER, \n\tqueue VARCHAR(155), "
                + "\n\tPRIMARY KEY (id), \n\tUNIQUE (task_id)\n)\n\n");
        m.put(groupSeq, "CREATE SEQUENCE " + groupSeq + " START WITH 1");
        m.put(group, "\nCREATE TABLE " + group + " (\n\tid INTEGER NOT NULL, \n\ttaskset_id VARCHAR(155), \n\tresult BYTEA, "
                + "\n\tdate_done TIMESTAMP WITHOUT TIME ZONE, \n\tPRIMARY KEY (id), \n\tUNIQUE (taskset_id)\n)\n\n");
        m.put(chord, "CREATE TABLE " + chord + " (group_id VARCHAR(155) NOT NULL PRIMARY KEY, chord_size INTEGER,"
                + " counted INTEGER NOT NULL DEFAULT 0, created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL)");
        m.put(chordPart, "CREATE TABLE " + chordPart + " (group_id VARCHAR(155) NOT NULL, task_id VARCHAR(155) NOT NULL,"
                + " group_index INTEGER, state VARCHAR(50) NOT NULL, result BYTEA, PRIMARY KEY (group_id, task_id))");
        m.put(seen, "CREATE TABLE " + seen + " (task_id VARCHAR(155) NOT NULL PRIMARY KEY, status VARCHAR(50),"
                + " seen_at TIMESTAMP WITHOUT TIME ZONE NOT NULL)");
        return m;
    }

    private static boolean exists(Handle h, String qualifiedName) {
        return h.createQuery("SELECT to_regclass(?) IS NOT NULL").bind(0, qualifiedName).mapTo(Boolean.class).one();
    }

    private static String resolveSchema(Handle h, String schema) {
        return schema != null ? schema : h.createQuery("SELECT current_schema()").mapTo(String.class).one();
    }

    private static long lockKey(String s) {
        byte[] d = sha256(s).substring(0, 16).getBytes(StandardCharsets.US_ASCII);
        return Long.parseUnsignedLong(new String(d, StandardCharsets.US_ASCII), 16);
    }

    @Override
    List<String> prepareSchema(Handle h) {
        String taskSchema = resolveSchema(h, settings.taskTable().schema());
        String ch = "celeriac:" + taskSchema + "." + settings.taskTable().name();
        this.channel = ch.getBytes(StandardCharsets.UTF_8).length <= 63 ? ch
                : "celeriac:" + sha256(taskSchema + "." + settings.taskTable().name()).substring(0, 40);
        long key = lockKey("celeriac-schema:" + taskSchema + "." + settings.taskTable().name());
        JdbcConnectionConfig.SchemaMode mode = settings.connection().schemaMode();
        if (mode == JdbcConnectionConfig.SchemaMode.CREATE) {
            h.useTransaction(th -> {
                th.execute("SELECT pg_advisory_xact_lock(" + key + ")");
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
            if (settings.notifyTrigger()) {
                installTrigger(h, key, taskSchema);
            }
        }
        List<String> problems = mode == JdbcConnectionConfig.SchemaMode.NONE ? List.of() : validate(h);
        try {
            triggerInstalled = triggerPresent(h);
        } catch (RuntimeException e) {
            triggerInstalled = false;
        }
        return problems;
    }

    private boolean triggerPresent(Handle h) {
        return h.createQuery("SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?")
                .bind(0, task).bind(1, TRIGGER).mapTo(Integer.class).one() > 0;
    }

    private void installTrigger(Handle h, long key, String taskSchema) {
        String fn = quote(taskSchema) + "." + TRIGGER;
        try {
            if (triggerPresent(h)) {
                return; // never replaced: that would lock the table on every start
            }
            h.useTransaction(th -> {
                th.execute("SELECT pg_advisory_xact_lock(" + key + ")");
                if (triggerPresent(th)) {
                    return;
                }
                th.execute("CREATE OR REPLACE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $celeriac$"
                        + " BEGIN PERFORM pg_notify(TG_ARGV[0], NEW.task_id); RETURN NULL; END $celeriac$");
                th.execute("CREATE TRIGGER " + TRIGGER + " AFTER INSERT OR UPDATE ON " + task + " FOR EACH ROW WHEN (NEW.status IN "
                        + READY_STATES + ") EXECUTE PROCEDURE " + fn + "('" + channel + "')");
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not install the notify trigger on {} ({}); celeriac's own writes still notify waiters, but"
                    + " writes by Python Celery are seen only by a poll every few seconds", taskName,
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        }
    }

    private List<String> validate(Handle h) {
        List<String> problems = new ArrayList<>();
        Map<String, String[]> taskCols = new LinkedHashMap<>();
        taskCols.put("id", new String[]{"integer", null});
        taskCols.put("task_id", new String[]{"character varying", "155"});
        taskCols.put("status", new String[]{"character varying", "50"});
        taskCols.put("result", new String[]{"bytea", null});
        taskCols.put("date_done", new String[]{"timestamp without time zone", null});
        taskCols.put("traceback", new String[]{"text", null});
        taskCols.put("name", new String[]{"character varying", "155"});
        taskCols.put("args", new String[]{"bytea", null});
        taskCols.put("kwargs", new String[]{"bytea", null});
        taskCols.put("worker", new String[]{"character varying", "155"});
        taskCols.put("retries", new String[]{"integer", null});
        taskCols.put("queue", new String[]{"character varying", "155"});
        checkTable(h, settings.taskTable(), task, taskCols, "task_id", problems);
        Map<String, String[]> groupCols = new LinkedHashMap<>();
        groupCols.put("id", new String[]{"integer", null});
        groupCols.put("taskset_id", new String[]{"character varying", "155"});
        groupCols.put("result", new String[]{"bytea", null});
        groupCols.put("date_done", new String[]{"timestamp without time zone", null});
        checkTable(h, settings.groupTable(), group, groupCols, "taskset_id", problems);
        for (String seq : List.of(taskSeq, groupSeq)) {
            if (!exists(h, seq)) {
                problems.add("the sequence " + seq + " does not exist (Celery's tables take their ids from it): create it with"
                        + " CREATE SEQUENCE " + seq + " START WITH 1, or open with schema_mode=create");
            }
        }
        for (String side : List.of(chord, chordPart, seen)) {
            if (!exists(h, side)) {
                problems.add("celeriac's table " + side + " does not exist: create it with " + objects().get(side)
                        + ", or open with schema_mode=create");
            }
        }
        return problems;
    }

    private void checkTable(Handle h, Table table, String qualifiedName, Map<String, String[]> expected,
                            String uniqueColumn, List<String> problems) {
        if (!exists(h, qualifiedName)) {
            problems.add("the table " + table + " does not exist: open with schema_mode=create, or let Python Celery create it");
            return;
        }
        Map<String, String[]> actual = new LinkedHashMap<>();
        for (String[] c : h.createQuery("SELECT a.attname, format_type(a.atttypid, NULL), CASE WHEN a.atttypmod > 4 THEN"
                        + " a.atttypmod - 4 END FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attnum > 0"
                        + " AND NOT a.attisdropped")
                .bind(0, qualifiedName)
                .map((rs, ctx) -> new String[]{rs.getString(1), rs.getString(2), rs.getString(3)})
                .list()) {
            actual.put(c[0], new String[]{c[1], c[2]});
        }
        for (Map.Entry<String, String[]> e : expected.entrySet()) {
            String[] a = actual.get(e.getKey());
            String[] want = e.getValue();
            if (a == null) {
                problems.add("the table " + table + " has no column " + e.getKey() + " (" + want[0]
                        + (want[1] == null ? "" : "(" + want[1] + ")") + ")");
            } else if (!a[0].equals(want[0])) {
                problems.add("the column " + table + "." + e.getKey() + " is " + a[0] + ", not " + want[0]);
            } else if (want[1] != null && a[1] != null && Integer.parseInt(a[1]) < Integer.parseInt(want[1])) {
                problems.add("the column " + table + "." + e.getKey() + " holds " + a[1] + " characters, fewer than Celery's " + want[1]);
            }
        }
        int unique = h.createQuery("SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                        + " AND a.attnum = i.indkey[0] WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indnatts = 1"
                        + " AND a.attname = ?")
                .bind(0, qualifiedName).bind(1, uniqueColumn).mapTo(Integer.class).one();
        if (unique == 0) {
            problems.add("the column " + table + "." + uniqueColumn + " has no UNIQUE constraint, which Celery's schema has"
                    + " and celeriac's atomic upsert needs");
        }
    }
}
