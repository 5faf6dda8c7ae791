package io.celeriac.backend.jdbc;

import io.celeriac.spi.Settings;
import io.celeriac.backend.BackendOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of a database result backend, parsed once from its URL and {@link BackendOptions#properties()}:
 * which database, which tables, how the schema is handled, how results are encoded and how the pool is
 * sized. Every setting can be given as a URL query parameter or as a property of the same name; the URL
 * wins. Parsing collects every problem and reports them together.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>values</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #TASK_TABLE}</td><td>a table name</td><td>{@code celery_taskmeta}</td>
 *       <td>Celery's {@code database_table_names['task']}</td></tr>
 *   <tr><td>{@value #GROUP_TABLE}</td><td>a table name</td><td>{@code celery_tasksetmeta}</td>
 *       <td>Celery's {@code database_table_names['group']}</td></tr>
 *   <tr><td>{@value #TASK_SCHEMA}</td><td>a schema name</td><td>the connection's default</td>
 *       <td>Celery's {@code database_table_schemas['task']} (PostgreSQL only)</td></tr>
 *   <tr><td>{@value #GROUP_SCHEMA}</td><td>a schema name</td><td>the connection's default</td>
 *       <td>Celery's {@code database_table_schemas['group']} (PostgreSQL only)</td></tr>
 *   <tr><td>{@value #SCHEMA_MODE}</td><td>{@code create}, {@code validate}, {@code none}</td><td>{@code create}</td>
 *       <td>create missing tables (then validate), only validate, or touch nothing</td></tr>
 *   <tr><td>{@value #RESULT_FORMAT}</td><td>{@code pickle}, {@code json}</td><td>{@code pickle}</td>
 *       <td>how the {@code result} column is written; reads accept both</td></tr>
 *   <tr><td>{@value #PICKLE_PROTOCOL}</td><td>{@code 4}, {@code 5}</td><td>{@code 4}</td>
 *       <td>the pickle protocol written (4 is read by Python 3.4+, 5 by 3.8+)</td></tr>
 *   <tr><td>{@value #POOL_SIZE}</td><td>1 to 1000</td><td>10 (PostgreSQL), 4 (SQLite file), 1 (SQLite memory)</td>
 *       <td>the most connections the pool holds</td></tr>
 *   <tr><td>{@value #POLL_INTERVAL}</td><td>seconds &gt; 0</td><td>{@link BackendOptions#pollInterval()}</td>
 *       <td>the longest interval between two polls of a wait that has no push</td></tr>
 *   <tr><td>{@value #CONNECT_TIMEOUT}</td><td>seconds &gt; 0</td><td>10</td>
 *       <td>how long to wait for a connection</td></tr>
 *   <tr><td>{@value #BUSY_TIMEOUT}</td><td>seconds &ge; 0</td><td>30</td>
 *       <td>SQLite: how long a statement waits for a lock held by another connection or process
 *       (SQLAlchemy's {@code timeout} parameter is accepted too)</td></tr>
 *   <tr><td>{@value #SYNCHRONOUS}</td><td>{@code off}, {@code normal}, {@code full}, {@code extra}</td>
 *       <td>{@code normal}</td><td>SQLite's {@code PRAGMA synchronous} (with WAL, {@code normal} never
 *       corrupts and loses nothing on an application crash; {@code full} also survives power loss)</td></tr>
 *   <tr><td>{@value #NOTIFY_TRIGGER}</td><td>{@code true}, {@code false}</td><td>{@code true}</td>
 *       <td>PostgreSQL: in {@code create} mode, install a trigger that notifies waiters of every ready
 *       result, Python's writes included</td></tr>
 *   <tr><td>{@value #GROUP_MEMBER_BACKEND}</td><td>{@code url}, {@code app}</td><td>{@code url}</td>
 *       <td>what a saved group's members carry for Python: this database's URL without its password,
 *       or nothing (Python then uses its app's configured backend)</td></tr>
 * </table>
 *
 * <p>Any other query parameter of a PostgreSQL URL ({@code sslmode}, {@code sslrootcert},
 * {@code application_name}, ...) is passed to the PostgreSQL JDBC driver ({@code application_name} is
 * translated to the driver's {@code ApplicationName}; libpq's {@code connect_timeout} is the setting above);
 * properties named {@code driver.<name>}
 * are passed too. Other parameters of a SQLite URL are passed to the SQLite driver as pragmas.
 * {@code result_expires} and {@code result_extended} are {@link BackendOptions} overrides and not handled here.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 */
public final class JdbcBackendSettings {

    /** Celery's {@code database_table_names['task']}. */
    public static final String TASK_TABLE = "database_table_names.task";
    /** Celery's {@code database_table_names['group']}. */
    public static final String GROUP_TABLE = "database_table_names.group";
    /** Celery's {@code database_table_schemas['task']}. */
    public static final String TASK_SCHEMA = "database_table_schemas.task";
    /** Celery's {@code database_table_schemas['group']}. */
    public static final String GROUP_SCHEMA = "database_table_schemas.group";
    /** The schema mode: {@code create}, {@code validate} or {@code none}. */
    public static final String SCHEMA_MODE = "schema_mode";
    /** The result column's format: {@code pickle} or {@code json}. */
    public static final String RESULT_FORMAT = "result_format";
    /** The pickle protocol written: 4 or 5. */
    public static final String PICKLE_PROTOCOL = "pickle_protocol";
    /** The connection pool's size. */
    public static final String POOL_SIZE = "pool_size";
    /** The longest interval between polls, in seconds. */
    public static final String POLL_INTERVAL = "poll_interval";
    /** The connection timeout, in seconds. */
    public static final String CONNECT_TIMEOUT = "connect_timeout";
    /** SQLite's busy timeout, in seconds. */
    public static final String BUSY_TIMEOUT = "busy_timeout";
    /** SQLite's {@code PRAGMA synchronous}. */
    public static final String SYNCHRONOUS = "synchronous";
    /** Whether to install the PostgreSQL notify trigger in {@code create} mode. */
    public static final String NOTIFY_TRIGGER = "notify_trigger";
    /** What a saved group's members carry for Python: {@code url} or {@code app}. */
    public static final String GROUP_MEMBER_BACKEND = "group_member_backend";
    /** The prefix of properties passed to the JDBC driver. */
    public static final String DRIVER_PREFIX = "driver.";

    private static final Set<String> KNOWN = Set.of(TASK_TABLE, GROUP_TABLE, TASK_SCHEMA, GROUP_SCHEMA, SCHEMA_MODE,
            RESULT_FORMAT, PICKLE_PROTOCOL, POOL_SIZE, POLL_INTERVAL, CONNECT_TIMEOUT, BUSY_TIMEOUT, SYNCHRONOUS,
            NOTIFY_TRIGGER, GROUP_MEMBER_BACKEND);
    private static final Set<String> OPTION_OVERRIDES = Set.of("result_expires", "result_extended");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private static final Set<String> SECRET_PARAMETERS = Set.of("password", "sslpassword");

    /** The databases this plugin speaks to. */
    public enum Database {
        /** PostgreSQL, through the PostgreSQL JDBC driver. */
        POSTGRESQL,
        /** SQLite, through the xerial SQLite JDBC driver (a file, or memory). */
        SQLITE
    }

    /** What to do with the schema when a backend opens. */
    public enum SchemaMode {
        /** Create missing tables, sequences and celeriac's own tables (and the notify trigger), then validate. */
        CREATE,
        /** Create nothing; check every table and column the backend needs and fail listing what is wrong. */
        VALIDATE,
        /** Create and check nothing (the tables are managed elsewhere, e.g. by migrations). */
        NONE
    }

    /** How the {@code result} columns are written. */
    public enum ResultFormat {
        /** A Python pickle, as Celery 5.2 to 5.6 write and read (SQLAlchemy's {@code PickleType}). */
        PICKLE,
        /**
         * Celery's JSON bytes, as Celery after Aug 2026 (PR #10536) writes with {@code result_serializer='json'};
         * <b>Celery 5.2 to 5.6 cannot read these rows</b>.
         */
        JSON
    }

    /** What the members of a saved group carry as their backend when pickled for Python. */
    public enum GroupMemberBackend {
        /**
         * A {@code DatabaseBackend} for this database, as Celery writes it, but with the password removed from
         * its URL: Python connects with that URL, so it needs the password from {@code PGPASSWORD} or
         * {@code ~/.pgpass} (or trust authentication).
         */
        URL,
        /** No backend ({@code None}): Python's {@code AsyncResult} then uses its app's configured backend. */
        APP
    }

    /**
     * A table: an optional schema and a name.
     *
     * @param schema the schema, or {@code null} for the connection's default
     * @param name the table name
     */
    public record Table(String schema, String name) {
        /**
         * Validates.
         *
         * @param schema the schema, or {@code null}
         * @param name the table name
         * @throws NullPointerException when the name is null
         */
        public Table {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return schema == null ? name : schema + "." + name;
        }
    }

    private final BackendUrl url;
    private final Database database;
    private final String jdbcUrl;
    private final String host;
    private final int port;
    private final String databaseName;
    private final String user;
    private final String password;
    private final String sqlitePath;
    private final Table taskTable;
    private final Table groupTable;
    private final SchemaMode schemaMode;
    private final ResultFormat resultFormat;
    private final int pickleProtocol;
    private final int poolSize;
    private final Duration pollInterval;
    private final Duration connectTimeout;
    private final Duration busyTimeout;
    private final String synchronous;
    private final boolean notifyTrigger;
    private final GroupMemberBackend groupMemberBackend;
    private final Map<String, String> driverProperties;
    private final String celeryUrl;

    private JdbcBackendSettings(Builder b) {
        this.url = b.url;
        this.database = b.database;
        this.jdbcUrl = b.jdbcUrl;
        this.host = b.host;
        this.port = b.port;
        this.databaseName = b.databaseName;
        this.user = b.user;
        this.password = b.password;
        this.sqlitePath = b.sqlitePath;
        this.taskTable = b.taskTable;
        this.groupTable = b.groupTable;
        this.schemaMode = b.schemaMode;
        this.resultFormat = b.resultFormat;
        this.pickleProtocol = b.pickleProtocol;
        this.poolSize = b.poolSize;
        this.pollInterval = b.pollInterval;
        this.connectTimeout = b.connectTimeout;
        this.busyTimeout = b.busyTimeout;
        this.synchronous = b.synchronous;
        this.notifyTrigger = b.notifyTrigger;
        this.groupMemberBackend = b.groupMemberBackend;
        this.driverProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.driverProperties));
        this.celeryUrl = b.celeryUrl;
    }

    /**
     * Parses the settings of a {@code db+postgresql://}, {@code db+sqlite://}, {@code jdbc:postgresql:} or
     * {@code jdbc:sqlite:} URL and the options' properties.
     *
     * @param url the backend URL
     * @param options the options, whose {@link BackendOptions#properties()} hold settings too
     * @return the settings
     * @throws InvalidUrlException listing every problem found, with the URL's password masked
     */
    public static JdbcBackendSettings parse(BackendUrl url, BackendOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();
        Builder b = new Builder(url);
        String scheme = url.scheme();
        String driver = scheme.startsWith("jdbc:") ? scheme.substring(5) : url.driverScheme();
        int plus = driver.indexOf('+');
        String dialect = plus < 0 ? driver : driver.substring(0, plus);
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : options.properties().entrySet()) {
            if (KNOWN.contains(e.getKey())) {
                settings.put(e.getKey(), e.getValue());
            } else if (e.getKey().startsWith(DRIVER_PREFIX) && e.getKey().length() > DRIVER_PREFIX.length()) {
                b.driverProperties.put(e.getKey().substring(DRIVER_PREFIX.length()), e.getValue());
            }
        }
        Map<String, String> passThrough = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : url.query().entrySet()) {
            if (KNOWN.contains(e.getKey())) {
                settings.put(e.getKey(), e.getValue());
            } else if (!OPTION_OVERRIDES.contains(e.getKey())) {
                passThrough.put(e.getKey(), e.getValue());
            }
        }
        switch (dialect) {
            case "postgresql":
            case "postgres":
            case "pgsql":
                b.database = Database.POSTGRESQL;
                parsePostgres(url, b, passThrough, problems);
                break;
            case "sqlite":
                b.database = Database.SQLITE;
                parseSqlite(url, b, passThrough, settings, problems);
                break;
            default:
                problems.add("the scheme '" + scheme + "' names no database this plugin speaks to; use db+postgresql://,"
                        + " db+sqlite:///, jdbc:postgresql:// or jdbc:sqlite:");
                throw InvalidUrlException.of(url, problems);
        }

        String taskSchema = identifier(settings.get(TASK_SCHEMA), TASK_SCHEMA, problems);
        String groupSchema = identifier(settings.get(GROUP_SCHEMA), GROUP_SCHEMA, problems);
        if (b.database == Database.SQLITE) {
            for (String[] s : new String[][]{{TASK_SCHEMA, taskSchema}, {GROUP_SCHEMA, groupSchema}}) {
                if (s[1] != null && !s[1].equals("main")) {
                    problems.add("'" + s[0] + "' is '" + s[1] + "', but SQLite has no schemas (only 'main'); leave it unset");
                }
            }
            taskSchema = null;
            groupSchema = null;
        }
        String taskName = identifier(settings.getOrDefault(TASK_TABLE, "celery_taskmeta"), TASK_TABLE, problems);
        String groupName = identifier(settings.getOrDefault(GROUP_TABLE, "celery_tasksetmeta"), GROUP_TABLE, problems);
        b.taskTable = taskName == null ? null : new Table(taskSchema, taskName);
        b.groupTable = groupName == null ? null : new Table(groupSchema, groupName);
        if (taskName != null && groupName != null && taskName.equals(groupName) && Objects.equals(taskSchema, groupSchema)) {
            problems.add("'" + TASK_TABLE + "' and '" + GROUP_TABLE + "' name the same table " + b.taskTable);
        }
        b.schemaMode = choice(settings, SCHEMA_MODE, SchemaMode.CREATE, SchemaMode.class, problems);
        b.resultFormat = choice(settings, RESULT_FORMAT, ResultFormat.PICKLE, ResultFormat.class, problems);
        b.groupMemberBackend = choice(settings, GROUP_MEMBER_BACKEND, GroupMemberBackend.URL, GroupMemberBackend.class, problems);
        int protocol = integer(settings, PICKLE_PROTOCOL, 4, 4, 5, problems);
        b.pickleProtocol = protocol;
        int defaultPool = b.database == Database.POSTGRESQL ? 10 : b.sqlitePath == null ? 1 : 4;
        b.poolSize = integer(settings, POOL_SIZE, defaultPool, 1, 1000, problems);
        if (b.database == Database.SQLITE && b.sqlitePath == null && b.poolSize != 1) {
            problems.add("'" + POOL_SIZE + "' must be 1 for an in-memory SQLite database (one connection holds it)");
        }
        b.pollInterval = seconds(settings, POLL_INTERVAL, options.pollInterval(), false, problems);
        b.connectTimeout = seconds(settings, CONNECT_TIMEOUT, Duration.ofSeconds(10), false, problems);
        b.busyTimeout = seconds(settings, BUSY_TIMEOUT, b.busyTimeout, true, problems);
        String sync = settings.getOrDefault(SYNCHRONOUS, "normal").toLowerCase(Locale.ROOT);
        if (!Set.of("off", "normal", "full", "extra").contains(sync)) {
            problems.add("'" + SYNCHRONOUS + "' must be off, normal, full or extra, not '" + settings.get(SYNCHRONOUS) + "'");
        }
        b.synchronous = sync;
        b.notifyTrigger = bool(settings, NOTIFY_TRIGGER, true, problems);
        if (!problems.isEmpty()) {
            throw InvalidUrlException.of(url, problems);
        }
        return new JdbcBackendSettings(b);
    }

    private static void parsePostgres(BackendUrl url, Builder b, Map<String, String> passThrough, List<String> problems) {
        if (url.isOpaque()) {
            problems.add("a PostgreSQL URL needs a host: jdbc:postgresql://host:5432/database");
            return;
        }
        b.host = url.host("localhost");
        b.port = url.port(5432);
        b.databaseName = url.pathWithoutLeadingSlash();
        if (b.databaseName.contains("/")) {
            problems.add("the database name '" + b.databaseName + "' holds a '/'; the path of a PostgreSQL URL is one database name");
        }
        b.user = url.user();
        b.password = url.password();
        for (Map.Entry<String, String> e : passThrough.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            switch (name) {
                case "user":
                    if (b.user == null) {
                        b.user = value;
                    }
                    break;
                case "password":
                    if (b.password == null) {
                        b.password = value;
                    }
                    break;
                case "application_name": // libpq's name
                    b.driverProperties.put("ApplicationName", value);
                    break;
                case "host":
                    problems.add("the 'host' query parameter (a libpq Unix socket directory) is not supported by the"
                            + " PostgreSQL JDBC driver; connect over TCP with host:port in the URL");
                    break;
                default:
                    b.driverProperties.put(name, value);
            }
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(b.host);
        jdbc.append(':').append(b.port).append('/').append(urlEncode(b.databaseName));
        b.jdbcUrl = jdbc.toString();
        StringBuilder celery = new StringBuilder("postgresql://");
        if (b.user != null) {
            celery.append(urlEncode(b.user)).append('@');
        }
        celery.append(b.host);
        if (url.port() >= 0) {
            celery.append(':').append(url.port());
        }
        celery.append('/').append(urlEncode(b.databaseName));
        b.celeryUrl = celery.toString();
    }

    private static void parseSqlite(BackendUrl url, Builder b, Map<String, String> passThrough, Map<String, String> settings,
                                    List<String> problems) {
        String path;
        if (url.isOpaque()) {
            path = url.path();
        } else {
            if (url.host() != null || url.user() != null || url.port() >= 0) {
                problems.add("a SQLite URL has no host, user or port: use db+sqlite:///relative/path.db,"
                        + " db+sqlite:////absolute/path.db or db+sqlite:// (in memory)");
            }
            path = url.pathWithoutLeadingSlash();
        }
        if (path.isEmpty() || path.equals(":memory:")) {
            b.sqlitePath = null;
            b.jdbcUrl = "jdbc:sqlite:file:celeriac-" + java.util.UUID.randomUUID() + "?mode=memory&cache=shared";
            b.celeryUrl = "sqlite://";
        } else {
            b.sqlitePath = path;
            b.jdbcUrl = "jdbc:sqlite:" + path;
            b.celeryUrl = "sqlite:///" + path;
        }
        b.busyTimeout = Duration.ofSeconds(30);
        for (Map.Entry<String, String> e : passThrough.entrySet()) {
            if (e.getKey().equals("timeout")) { // SQLAlchemy/pysqlite's busy timeout, in seconds
                settings.putIfAbsent(BUSY_TIMEOUT, e.getValue());
            } else if (!Set.of("check_same_thread", "uri", "isolation_level", "detect_types", "cached_statements").contains(e.getKey())) {
                b.driverProperties.put(e.getKey(), e.getValue()); // SQLite pragmas and driver settings
            }
        }
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String identifier(String value, String name, List<String> problems) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (!IDENTIFIER.matcher(v).matches() || v.length() > 63) {
            problems.add("'" + name + "' must be a plain SQL identifier of at most 63 characters (letters, digits,"
                    + " '_' and '$', not starting with a digit), not '" + value + "'");
            return null;
        }
        return v;
    }

    private static <E extends Enum<E>> E choice(Map<String, String> settings, String name, E defaultValue, Class<E> type,
                                                List<String> problems) {
        String v = settings.get(name);
        if (v == null) {
            return defaultValue;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v.strip())) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT));
        }
        problems.add("'" + name + "' must be one of " + String.join(", ", allowed) + ", not '" + v + "'");
        return defaultValue;
    }

    private static int integer(Map<String, String> settings, String name, int defaultValue, int min, int max, List<String> problems) {
        String v = settings.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int i = Integer.parseInt(v.strip());
            if (i < min || i > max) {
                problems.add("'" + name + "' must be between " + min + " and " + max + ", not " + i);
                return defaultValue;
            }
            return i;
        } catch (NumberFormatException e) {
            problems.add("'" + name + "' must be an integer, not '" + v + "'");
            return defaultValue;
        }
    }

    private static Duration seconds(Map<String, String> settings, String name, Duration defaultValue, boolean zeroAllowed,
                                    List<String> problems) {
        String v = settings.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            double s = Double.parseDouble(v.strip());
            if (Double.isNaN(s) || Double.isInfinite(s) || s < 0 || (!zeroAllowed && s == 0) || s > 86_400) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(s * 1e9));
        } catch (NumberFormatException e) {
            problems.add("'" + name + "' must be a number of seconds " + (zeroAllowed ? "from 0" : "above 0")
                    + " to 86400, not '" + v + "'");
            return defaultValue;
        }
    }

    private static boolean bool(Map<String, String> settings, String name, boolean defaultValue, List<String> problems) {
        return Settings.bool(settings, name, problems).orElse(defaultValue);
    }

    // ------------------------------------------------------------------------------------------
    // accessors

    /** @return the URL the settings were parsed from */
    public BackendUrl url() {
        return url;
    }

    /** @return the database */
    public Database database() {
        return database;
    }

    /**
     * The JDBC URL the pool connects with; it never holds credentials (they go to the driver as properties).
     *
     * @return the JDBC URL
     */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** @return the PostgreSQL host, or {@code null} for SQLite */
    public String host() {
        return host;
    }

    /** @return the PostgreSQL port, or 0 for SQLite */
    public int port() {
        return port;
    }

    /** @return the PostgreSQL database name (empty for the user's default), or {@code null} for SQLite */
    public String databaseName() {
        return databaseName;
    }

    /** @return the user, or {@code null} */
    public String user() {
        return user;
    }

    /**
     * The password, if any. <b>Never log or print it.</b>
     *
     * @return the password, or empty
     */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /**
     * The SQLite file as given in the URL (relative to the working directory, or absolute).
     *
     * @return the path, or empty for an in-memory database (and for PostgreSQL)
     */
    public Optional<String> sqlitePath() {
        return Optional.ofNullable(sqlitePath);
    }

    /** @return the task table (Celery's {@code celery_taskmeta}) */
    public Table taskTable() {
        return taskTable;
    }

    /** @return the group table (Celery's {@code celery_tasksetmeta}) */
    public Table groupTable() {
        return groupTable;
    }

    /** @return the schema mode */
    public SchemaMode schemaMode() {
        return schemaMode;
    }

    /** @return how result columns are written */
    public ResultFormat resultFormat() {
        return resultFormat;
    }

    /** @return the pickle protocol written, 4 or 5 */
    public int pickleProtocol() {
        return pickleProtocol;
    }

    /** @return the most connections the pool holds */
    public int poolSize() {
        return poolSize;
    }

    /** @return the longest interval between two polls of a wait without push */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** @return how long to wait for a connection */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return SQLite's busy timeout */
    public Duration busyTimeout() {
        return busyTimeout;
    }

    /** @return SQLite's {@code PRAGMA synchronous}, lower-case */
    public String synchronous() {
        return synchronous;
    }

    /** @return whether the PostgreSQL notify trigger is installed in {@code create} mode */
    public boolean notifyTrigger() {
        return notifyTrigger;
    }

    /** @return what a saved group's members carry for Python */
    public GroupMemberBackend groupMemberBackend() {
        return groupMemberBackend;
    }

    /**
     * Properties passed to the JDBC driver (values may be secrets such as {@code sslpassword}).
     *
     * @return the properties
     */
    public Map<String, String> driverProperties() {
        return driverProperties;
    }

    /**
     * The URL Python's SQLAlchemy would use for this database, <b>without the password</b>
     * ({@code postgresql://user@host:5432/db}, {@code sqlite:///path}): what saved groups embed.
     *
     * @return the URL
     */
    public String celeryUrlWithoutPassword() {
        return celeryUrl;
    }

    /**
     * Every secret these settings hold (the password, a password given as a query parameter, the SSL key
     * password), so that messages can be scrubbed of them.
     *
     * @return the secrets, never empty strings
     */
    public List<String> secrets() {
        List<String> out = new ArrayList<>();
        if (password != null && !password.isEmpty()) {
            out.add(password);
        }
        for (String p : SECRET_PARAMETERS) {
            String v = url.query().get(p);
            if (v != null && !v.isEmpty() && !out.contains(v)) {
                out.add(v);
            }
            String d = driverProperties.get(p);
            if (d != null && !d.isEmpty() && !out.contains(d)) {
                out.add(d);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "JdbcBackendSettings{" + database + " " + url.masked() + ", tasks=" + taskTable + ", groups=" + groupTable
                + ", schemaMode=" + schemaMode + ", resultFormat=" + resultFormat + ", pickleProtocol=" + pickleProtocol
                + ", poolSize=" + poolSize + ", driverProperties=" + driverProperties.keySet() + '}';
    }

    private static final class Builder {
        final BackendUrl url;
        Database database;
        String jdbcUrl;
        String host;
        int port;
        String databaseName;
        String user;
        String password;
        String sqlitePath;
        Table taskTable;
        Table groupTable;
        SchemaMode schemaMode;
        ResultFormat resultFormat;
        int pickleProtocol;
        int poolSize;
        Duration pollInterval;
        Duration connectTimeout;
        Duration busyTimeout = Duration.ofSeconds(30);
        String synchronous;
        boolean notifyTrigger;
        GroupMemberBackend groupMemberBackend;
        final Map<String, String> driverProperties = new LinkedHashMap<>();
        String celeryUrl;

        Builder(BackendUrl url) {
            this.url = url;
        }
    }
}
