package io.celeriac.monitor.internal;

import io.celeriac.json.CeleryJson;
import io.celeriac.monitor.MonitorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The task history: one row per task in a SQLite file (WAL mode), written behind the event state in batches,
 * bounded by count and age, and read again at start. Searches of the task list run here, on indexes of the
 * columns Flower filters and sorts by; a row keeps the task's whole document (Flower's fields, nulls dropped).
 *
 * <p>A file that cannot be read as this store (not a database, corrupt, another schema) is renamed aside with a
 * warning naming both paths, and a new store is made, so that the monitor still starts. Without a file the
 * history lives in a temporary file deleted at close.
 *
 * <p>Thread-safe: one writer connection (the history thread) and a small pool of readers.
 */
final class HistoryStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryStore.class);
    private static final int SCHEMA_VERSION = 1;
    /** Files up to this size are fully checked at start ({@code PRAGMA quick_check}). */
    private static final long QUICK_CHECK_LIMIT = 256L << 20;
    private static final String READY = "('SUCCESS','FAILURE','REVOKED')";
    private static final String STATE_RULE = "CASE WHEN tasks.state IN " + READY + " AND excluded.state NOT IN " + READY
            + " THEN tasks.state ELSE excluded.state END";
    private static final String UPSERT = "INSERT INTO tasks(uuid,name,state,worker,received,started,ts,args,kwargs,"
            + "result,exception,doc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(uuid) DO UPDATE SET "
            + "name=COALESCE(excluded.name,tasks.name), state=" + STATE_RULE + ", "
            + "worker=COALESCE(excluded.worker,tasks.worker), received=COALESCE(excluded.received,tasks.received), "
            + "started=COALESCE(excluded.started,tasks.started), ts=MAX(excluded.ts,tasks.ts), "
            + "args=COALESCE(excluded.args,tasks.args), kwargs=COALESCE(excluded.kwargs,tasks.kwargs), "
            + "result=COALESCE(excluded.result,tasks.result), exception=COALESCE(excluded.exception,tasks.exception), "
            + "doc=json_set(json_patch(tasks.doc,excluded.doc),'$.state'," + STATE_RULE
            + ",'$.timestamp',MAX(excluded.ts,tasks.ts))";

    private final Path file;
    private final boolean temporary;
    private final int maxTasks;
    private final double maxAgeSeconds;
    private final Connection writer;
    private final BlockingQueue<Connection> readers;
    private final List<Connection> allReaders = new ArrayList<>();
    private volatile long size;
    private volatile Map<String, Long> byState = Map.of();
    private volatile String setAside;

    /**
     * Opens (or makes) the store.
     *
     * @param file the SQLite file, or {@code null} for a temporary one
     * @param maxTasks the most rows kept
     * @param maxAgeSeconds the oldest task kept, in seconds since its latest event
     * @param readerCount connections for searches
     * @throws MonitorException when no store can be made (the folder is not writable, ...)
     */
    HistoryStore(Path file, int maxTasks, double maxAgeSeconds, int readerCount) {
        this.maxTasks = maxTasks;
        this.maxAgeSeconds = maxAgeSeconds;
        try {
            if (file == null) {
                this.file = Files.createTempFile("celeriac-monitor-", ".db");
                this.temporary = true;
            } else {
                this.file = file.toAbsolutePath();
                this.temporary = false;
                if (this.file.getParent() != null) {
                    Files.createDirectories(this.file.getParent());
                }
                if (Files.exists(this.file)) {
                    checkOrSetAside();
                }
            }
            writer = open();
            createSchema(writer);
            readers = new ArrayBlockingQueue<>(readerCount);
            for (int i = 0; i < readerCount; i++) {
                Connection c = open();
                allReaders.add(c);
                readers.add(c);
            }
            refreshCounts();
        } catch (SQLException | IOException e) {
            throw new MonitorException("cannot open the monitor's history store " + file + ": " + e.getMessage(), e);
        }
        if (!temporary) {
            LOG.info("history store {}: {} tasks", this.file, size);
        }
    }

    private Connection open() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA busy_timeout=5000");
        }
        return c;
    }

    /** Reads the existing file as this store; anything else moves it aside. */
    private void checkOrSetAside() throws IOException {
        String problem;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            problem = null;
            int version;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            boolean hasTasks;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='tasks'")) {
                hasTasks = rs.next() && rs.getInt(1) > 0;
            }
            if (version != SCHEMA_VERSION && (version != 0 || hasTasks)) {
                problem = "it is not a celeriac monitor history (schema version " + version + ")";
            } else if (hasTasks) {
                try (ResultSet rs = s.executeQuery("SELECT uuid, doc FROM tasks ORDER BY ts DESC LIMIT 1")) {
                    if (rs.next()) {
                        CeleryJson.decode(rs.getString(2));
                    }
                }
                if (Files.size(file) <= QUICK_CHECK_LIMIT) {
                    try (ResultSet rs = s.executeQuery("PRAGMA quick_check(1)")) {
                        String r = rs.next() ? rs.getString(1) : "ok";
                        if (!"ok".equalsIgnoreCase(r)) {
                            problem = "it is corrupt (" + r + ")";
                        }
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            problem = "it cannot be read (" + e.getMessage() + ")";
        }
        if (problem != null) {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + stamp);
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            for (String suffix : List.of("-wal", "-shm")) {
                Path extra = file.resolveSibling(file.getFileName() + suffix);
                if (Files.exists(extra)) {
                    Files.move(extra, aside.resolveSibling(aside.getFileName() + suffix),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
            setAside = aside.toString();
            LOG.warn("history store {}: {}; moved it aside to {} and started a new, empty history", file, problem, aside);
        }
    }

    private static void createSchema(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS tasks (uuid TEXT PRIMARY KEY, name TEXT, state TEXT, worker TEXT, "
                    + "received REAL, started REAL, ts REAL NOT NULL DEFAULT 0, args TEXT, kwargs TEXT, result TEXT, "
                    + "exception TEXT, doc TEXT NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS tasks_ts ON tasks(ts)");
            s.execute("CREATE INDEX IF NOT EXISTS tasks_state_ts ON tasks(state, ts)");
            s.execute("CREATE INDEX IF NOT EXISTS tasks_name_ts ON tasks(name, ts)");
            s.execute("CREATE INDEX IF NOT EXISTS tasks_worker_ts ON tasks(worker, ts)");
            s.execute("CREATE INDEX IF NOT EXISTS tasks_received ON tasks(received)");
            s.execute("PRAGMA user_version=" + SCHEMA_VERSION);
        }
    }

    /** @return the file, or {@code null} for a temporary history */
    Path file() {
        return temporary ? null : file;
    }

    /** @return where a corrupt file was moved at start, or {@code null} */
    String setAside() {
        return setAside;
    }

    /** @return the tasks stored, as of the latest count */
    long size() {
        return size;
    }

    /** @return the tasks stored per state, as of the latest count */
    Map<String, Long> countsByState() {
        return byState;
    }

    /**
     * Writes tasks (Flower views), merging with what is stored: a field the new view lacks keeps its stored value,
     * and a finished task is never moved back to an unfinished state.
     *
     * @param tasks the views
     */
    synchronized void write(List<Map<String, Object>> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        try {
            writer.setAutoCommit(false);
            try (PreparedStatement ps = writer.prepareStatement(UPSERT)) {
                for (Map<String, Object> t : tasks) {
                    ps.setString(1, (String) t.get("uuid"));
                    setString(ps, 2, t.get("name"));
                    setString(ps, 3, t.get("state"));
                    setString(ps, 4, t.get("worker"));
                    setDouble(ps, 5, t.get("received"));
                    setDouble(ps, 6, t.get("started"));
                    ps.setDouble(7, t.get("timestamp") instanceof Number n ? n.doubleValue() : 0);
                    setString(ps, 8, t.get("args"));
                    setString(ps, 9, t.get("kwargs"));
                    setString(ps, 10, t.get("result"));
                    setString(ps, 11, t.get("exception"));
                    ps.setString(12, CeleryJson.encodeToString(TaskViews.stored(t)));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            writer.commit();
        } catch (SQLException e) {
            rollback();
            LOG.warn("history store {}: {} tasks not written: {}", file, tasks.size(), e.getMessage());
        } finally {
            try {
                writer.setAutoCommit(true);
            } catch (SQLException e) {
                LOG.debug("autocommit", e);
            }
        }
    }

    private void rollback() {
        try {
            writer.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback", e);
        }
    }

    private static void setString(PreparedStatement ps, int i, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v.toString());
        }
    }

    private static void setDouble(PreparedStatement ps, int i, Object v) throws SQLException {
        if (v instanceof Number n) {
            ps.setDouble(i, n.doubleValue());
        } else {
            ps.setNull(i, Types.REAL);
        }
    }

    /**
     * Drops tasks older than the age bound, then the oldest beyond the count bound, and counts again.
     *
     * @param nowSeconds the time now, epoch seconds
     * @return how many tasks were dropped
     */
    synchronized long prune(double nowSeconds) {
        long dropped = 0;
        try (PreparedStatement old = writer.prepareStatement("DELETE FROM tasks WHERE ts < ?")) {
            old.setDouble(1, nowSeconds - maxAgeSeconds);
            dropped += old.executeUpdate();
            long n = countAll();
            if (n > maxTasks) {
                try (PreparedStatement extra = writer.prepareStatement(
                        "DELETE FROM tasks WHERE rowid IN (SELECT rowid FROM tasks ORDER BY ts ASC LIMIT ?)")) {
                    extra.setLong(1, n - maxTasks);
                    dropped += extra.executeUpdate();
                }
            }
        } catch (SQLException e) {
            LOG.warn("history store {}: pruning failed: {}", file, e.getMessage());
        }
        refreshCounts();
        return dropped;
    }

    private long countAll() throws SQLException {
        try (Statement s = writer.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM tasks")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Counts the rows, in total and per state. */
    synchronized void refreshCounts() {
        try (Statement s = writer.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, count(*) FROM tasks GROUP BY state")) {
            Map<String, Long> m = new LinkedHashMap<>();
            long total = 0;
            while (rs.next()) {
                m.put(rs.getString(1), rs.getLong(2));
                total += rs.getLong(2);
            }
            byState = m;
            size = total;
        } catch (SQLException e) {
            LOG.warn("history store {}: counting failed: {}", file, e.getMessage());
        }
    }

    /** One task's Flower view, if stored. */
    Optional<Map<String, Object>> get(String uuid) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT doc FROM tasks WHERE uuid = ?")) {
                ps.setString(1, uuid);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(decode(rs.getString(1))) : Optional.<Map<String, Object>>empty();
                }
            }
        });
    }

    /** The tasks matching a query, as Flower views, in its order. */
    List<Map<String, Object>> search(TaskQuery q) {
        List<Object> params = new ArrayList<>();
        String sql = "SELECT doc FROM tasks" + where(q, params) + orderBy(q) + " LIMIT ? OFFSET ?";
        params.add(q.limit());
        params.add(q.offset());
        return read(c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(decode(rs.getString(1)));
                    }
                }
            }
            return out;
        });
    }

    /** How many tasks match a query's filters, counting up to {@code cap} (then {@code cap} is returned). */
    long count(TaskQuery q, long cap) {
        List<Object> params = new ArrayList<>();
        String sql = "SELECT count(*) FROM (SELECT 1 FROM tasks" + where(q, params) + " LIMIT ?)";
        params.add(cap);
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** Every task name stored. */
    TreeSet<String> names() {
        return read(c -> {
            TreeSet<String> out = new TreeSet<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT DISTINCT name FROM tasks WHERE name IS NOT NULL")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    private static String where(TaskQuery q, List<Object> params) {
        List<String> w = new ArrayList<>();
        if (!q.states().isEmpty()) {
            w.add("state IN (" + String.join(",", q.states().stream().map(s -> "?").toList()) + ")");
            params.addAll(q.states());
        }
        if (q.worker() != null) {
            w.add("worker = ?");
            params.add(q.worker());
        }
        if (q.name() != null) {
            w.add("name = ?");
            params.add(q.name());
        }
        if (q.receivedStart() != null) {
            w.add("received >= ?");
            params.add(q.receivedStart());
        }
        if (q.receivedEnd() != null) {
            w.add("received <= ?");
            params.add(q.receivedEnd());
        }
        for (String[] term : q.terms()) {
            String like = "%" + term[1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            if (term[0] == null) {
                w.add("(uuid LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR args LIKE ? ESCAPE '\\' OR kwargs LIKE ? "
                        + "ESCAPE '\\' OR result LIKE ? ESCAPE '\\' OR exception LIKE ? ESCAPE '\\')");
                for (int i = 0; i < 6; i++) {
                    params.add(like);
                }
            } else if (term[0].equals("state")) {
                w.add("state = ?");
                params.add(term[1].toUpperCase(java.util.Locale.ROOT));
            } else {
                w.add(term[0] + " LIKE ? ESCAPE '\\'");
                params.add(like);
            }
        }
        return w.isEmpty() ? "" : " WHERE " + String.join(" AND ", w);
    }

    private static String orderBy(TaskQuery q) {
        String col = switch (q.sortBy()) {
            case "name", "state", "received", "started" -> q.sortBy();
            default -> "ts";
        };
        String dir = q.descending() ? " DESC" : " ASC";
        return " ORDER BY " + col + dir + (col.equals("ts") ? "" : ", ts DESC");
    }

    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object p = params.get(i);
            if (p instanceof Double d) {
                ps.setDouble(i + 1, d);
            } else if (p instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else if (p instanceof Long n) {
                ps.setLong(i + 1, n);
            } else {
                ps.setString(i + 1, (String) p);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> decode(String doc) {
        return TaskViews.fromStored((Map<String, Object>) CeleryJson.decode(doc));
    }

    /** A read on a pooled connection. */
    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Read<T> r) {
        Connection c;
        try {
            c = readers.poll(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MonitorException("interrupted while waiting for the history store", e);
        }
        if (c == null) {
            throw new MonitorException("the history store is busy", null);
        }
        try {
            return r.run(c);
        } catch (SQLException e) {
            throw new MonitorException("history store " + file + ": " + e.getMessage(), e);
        } finally {
            readers.add(c);
        }
    }

    @Override
    public synchronized void close() {
        for (Connection c : allReaders) {
            closeQuietly(c);
        }
        try (Statement s = writer.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            LOG.debug("checkpoint", e);
        }
        closeQuietly(writer);
        if (temporary) {
            for (String suffix : List.of("", "-wal", "-shm")) {
                try {
                    Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
                } catch (IOException e) {
                    LOG.debug("delete", e);
                }
            }
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("close", e);
        }
    }
}
