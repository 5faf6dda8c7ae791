package io.celeriac.backend.jdbc;

import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * How to reach a database, shared by every area of this module (the result backend and the worker state
 * store): which database the URL names, the credentials, the driver's parameters (TLS and the rest), the pool
 * and its timeouts, SQLite's pragmas, and what to do with the tables on open. Each area parses it from its URL
 * and properties as part of its own configuration ({@link io.celeriac.backend.jdbc.backend.JdbcBackendConfig},
 * {@link io.celeriac.backend.jdbc.state.JdbcStateStoreConfig}), with its own defaults. Every setting can be
 * given as a URL query parameter or as a property of the same name; the URL wins.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>values</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #SCHEMA_MODE}</td><td>{@code create}, {@code validate}, {@code none}</td><td>{@code create}</td>
 *       <td>create missing tables (then validate), only validate, or touch nothing</td></tr>
 *   <tr><td>{@value #POOL_SIZE}</td><td>1 to 1000</td><td>the area's ({@link Defaults}); 1 for in-memory SQLite</td>
 *       <td>the most connections the pool holds</td></tr>
 *   <tr><td>{@value #CONNECT_TIMEOUT}</td><td>seconds &gt; 0, at most a day</td><td>10</td>
 *       <td>how long to wait for a connection</td></tr>
 *   <tr><td>{@value #BUSY_TIMEOUT}</td><td>seconds &ge; 0, at most a day</td><td>30</td>
 *       <td>SQLite: how long a statement waits for a lock held by another connection or process
 *       (SQLAlchemy's {@code timeout} parameter is accepted too)</td></tr>
 *   <tr><td>{@value #SYNCHRONOUS}</td><td>{@code off}, {@code normal}, {@code full}, {@code extra}</td>
 *       <td>the area's ({@link Defaults})</td><td>SQLite's {@code PRAGMA synchronous} (with WAL, {@code normal}
 *       never corrupts and loses nothing on an application crash; {@code full} also survives power loss)</td></tr>
 * </table>
 *
 * <p>Any other query parameter of a PostgreSQL URL ({@code sslmode}, {@code sslrootcert},
 * {@code application_name}, ...) is passed to the PostgreSQL JDBC driver ({@code application_name} is
 * translated to the driver's {@code ApplicationName}; libpq's {@code connect_timeout} is the setting above);
 * properties named {@code driver.<name>} are passed too. Other parameters of a SQLite URL are passed to the
 * SQLite driver as pragmas. The settings an area reads itself are never passed to a driver.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 */
public final class JdbcConnectionConfig {

    /** The schema mode: {@code create}, {@code validate} or {@code none}. */
    public static final String SCHEMA_MODE = "schema_mode";
    /** The connection pool's size. */
    public static final String POOL_SIZE = "pool_size";
    /** The connection timeout, in seconds. */
    public static final String CONNECT_TIMEOUT = "connect_timeout";
    /** SQLite's busy timeout, in seconds. */
    public static final String BUSY_TIMEOUT = "busy_timeout";
    /** SQLite's {@code PRAGMA synchronous}. */
    public static final String SYNCHRONOUS = "synchronous";
    /** The prefix of properties passed to the JDBC driver. */
    public static final String DRIVER_PREFIX = "driver.";
    /** Every setting read here. */
    public static final Set<String> SETTINGS = Set.of(SCHEMA_MODE, POOL_SIZE, CONNECT_TIMEOUT, BUSY_TIMEOUT, SYNCHRONOUS);

    /**
     * The longest connect and busy timeouts: less than the settings reader's year, because both drivers count
     * them in milliseconds in an {@code int} (the PostgreSQL driver multiplies its whole seconds by 1000, SQLite
     * parses its {@code busy_timeout} pragma as an {@code int}), which overflows beyond 24 days. No wait for a
     * connection or a lock should be longer than a day.
     */
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    private static final Set<String> SECRET_PARAMETERS = Set.of("password", "sslpassword");
    /** Parameters of Python's sqlite3 module that SQLAlchemy users write and that mean nothing to the JDBC driver. */
    private static final Set<String> SQLITE_PYTHON_ONLY = Set.of("check_same_thread", "uri", "isolation_level",
            "detect_types", "cached_statements");

    /** The databases this module speaks to. */
    public enum Database {
        /** PostgreSQL, through the PostgreSQL JDBC driver. */
        POSTGRESQL,
        /** SQLite, through the xerial SQLite JDBC driver (a file, or memory). */
        SQLITE;

        /**
         * The database a URL's scheme names: {@code db+postgresql}, {@code database+postgresql} (with any
         * driver suffix such as {@code +psycopg2}) and {@code jdbc:postgresql}, {@code db+sqlite} and
         * {@code jdbc:sqlite}.
         *
         * @param url the URL
         * @return the database, or empty when the scheme names none this module speaks to
         */
        public static Optional<Database> of(BackendUrl url) {
            String scheme = url.scheme();
            String driver = scheme.startsWith("jdbc:") ? scheme.substring(5) : url.driverScheme();
            int plus = driver.indexOf('+');
            switch (plus < 0 ? driver : driver.substring(0, plus)) {
                case "postgresql":
                case "postgres":
                case "pgsql":
                    return Optional.of(POSTGRESQL);
                case "sqlite":
                    return Optional.of(SQLITE);
                default:
                    return Optional.empty();
            }
        }
    }

    /** What to do with an area's tables when it opens. */
    public enum SchemaMode {
        /** Create missing tables, sequences and indexes (and the backend's notify trigger), then validate. */
        CREATE,
        /** Create nothing; check every table and column the area needs and fail listing what is wrong. */
        VALIDATE,
        /** Create and check nothing (the tables are managed elsewhere, e.g. by migrations). */
        NONE
    }

    /**
     * What differs between the areas: the pool sizes they need, how durable SQLite writes must be, and driver
     * parameters they set unless the user does.
     *
     * @param postgresPoolSize the pool size on PostgreSQL
     * @param sqlitePoolSize the pool size on a SQLite file (an in-memory database always has 1)
     * @param synchronous SQLite's {@code PRAGMA synchronous}
     * @param postgresDriverProperties PostgreSQL driver parameters used unless given in the URL or as
     *        {@code driver.} properties
     */
    public record Defaults(int postgresPoolSize, int sqlitePoolSize, String synchronous,
                           Map<String, String> postgresDriverProperties) {
        /**
         * Validates and copies.
         *
         * @param postgresPoolSize the pool size on PostgreSQL
         * @param sqlitePoolSize the pool size on a SQLite file
         * @param synchronous SQLite's {@code PRAGMA synchronous}
         * @param postgresDriverProperties PostgreSQL driver parameters used unless given
         * @throws NullPointerException when a reference is null
         */
        public Defaults {
            Objects.requireNonNull(synchronous, "synchronous");
            postgresDriverProperties = Map.copyOf(postgresDriverProperties);
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
    private final SchemaMode schemaMode;
    private final int poolSize;
    private final Duration connectTimeout;
    private final Duration busyTimeout;
    private final String synchronous;
    private final Map<String, String> driverProperties;
    private final String celeryUrl;

    private JdbcConnectionConfig(Builder b) {
        this.url = b.url;
        this.database = b.database;
        this.jdbcUrl = b.jdbcUrl;
        this.host = b.host;
        this.port = b.port;
        this.databaseName = b.databaseName;
        this.user = b.user;
        this.password = b.password;
        this.sqlitePath = b.sqlitePath;
        this.schemaMode = b.schemaMode;
        this.poolSize = b.poolSize;
        this.connectTimeout = b.connectTimeout;
        this.busyTimeout = b.busyTimeout;
        this.synchronous = b.synchronous;
        this.driverProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.driverProperties));
        this.celeryUrl = b.celeryUrl;
    }

    /**
     * Parses the connection settings of a {@code db+postgresql://}, {@code db+sqlite://},
     * {@code jdbc:postgresql:} or {@code jdbc:sqlite:} URL and an area's properties, adding every problem found
     * to the area's list, so that the area reports them with its own in one exception.
     *
     * @param url the URL
     * @param properties the area's properties ({@code driver.*} properties are passed to the driver)
     * @param defaults the area's defaults
     * @param areaSettings the names of the settings the area reads itself: never passed to a driver
     * @param problems where problems are added (full sentences, naming the setting, never a password)
     * @return the settings, or {@code null} when a problem was added
     * @throws NullPointerException when an argument is null
     */
    public static JdbcConnectionConfig parse(BackendUrl url, Map<String, String> properties, Defaults defaults,
                                             Set<String> areaSettings, List<String> problems) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(areaSettings, "areaSettings");
        int before = problems.size();
        Builder b = new Builder(url);
        Optional<Database> database = Database.of(url);
        if (database.isEmpty()) {
            problems.add("the scheme '" + url.scheme() + "' names no database this plugin speaks to; use db+postgresql://,"
                    + " db+sqlite:///, jdbc:postgresql:// or jdbc:sqlite:");
            return null;
        }
        b.database = database.get();
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (SETTINGS.contains(e.getKey())) {
                settings.put(e.getKey(), e.getValue());
            } else if (e.getKey().startsWith(DRIVER_PREFIX) && e.getKey().length() > DRIVER_PREFIX.length()) {
                b.driverProperties.put(e.getKey().substring(DRIVER_PREFIX.length()), e.getValue());
            }
        }
        Map<String, String> passThrough = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : url.query().entrySet()) {
            if (SETTINGS.contains(e.getKey())) {
                settings.put(e.getKey(), e.getValue());
            } else if (!areaSettings.contains(e.getKey())) {
                passThrough.put(e.getKey(), e.getValue());
            }
        }
        if (b.database == Database.POSTGRESQL) {
            parsePostgres(url, b, passThrough, problems);
        } else {
            parseSqlite(url, b, passThrough, settings, problems);
        }

        SettingsReader reader = new SettingsReader(settings, problems);
        b.schemaMode = reader.choice(SCHEMA_MODE, SchemaMode.CREATE, SchemaMode.class);
        int defaultPool = b.database == Database.POSTGRESQL ? defaults.postgresPoolSize()
                : b.sqlitePath == null ? 1 : defaults.sqlitePoolSize();
        b.poolSize = reader.integer(POOL_SIZE, defaultPool, 1, 1000);
        if (b.database == Database.SQLITE && b.sqlitePath == null && b.poolSize != 1) {
            reader.problem(POOL_SIZE + " must be 1 for an in-memory SQLite database (one connection holds it)");
        }
        b.connectTimeout = reader.seconds(CONNECT_TIMEOUT, Duration.ofSeconds(10), false, MAX_TIMEOUT);
        b.busyTimeout = reader.seconds(BUSY_TIMEOUT, Duration.ofSeconds(30), true, MAX_TIMEOUT);
        b.synchronous = reader.choice(SYNCHRONOUS, defaults.synchronous(), List.of("off", "normal", "full", "extra"));
        if (b.database == Database.POSTGRESQL) {
            defaults.postgresDriverProperties().forEach(b.driverProperties::putIfAbsent);
        }
        return problems.size() > before ? null : new JdbcConnectionConfig(b);
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
            b.jdbcUrl = "jdbc:sqlite:file:celeriac-" + UUID.randomUUID() + "?mode=memory&cache=shared";
            b.celeryUrl = "sqlite://";
        } else {
            b.sqlitePath = path;
            b.jdbcUrl = "jdbc:sqlite:" + path;
            b.celeryUrl = "sqlite:///" + path;
        }
        for (Map.Entry<String, String> e : passThrough.entrySet()) {
            if (e.getKey().equals("timeout")) { // SQLAlchemy/pysqlite's busy timeout, in seconds
                settings.putIfAbsent(BUSY_TIMEOUT, e.getValue());
            } else if (!SQLITE_PYTHON_ONLY.contains(e.getKey())) {
                b.driverProperties.put(e.getKey(), e.getValue()); // SQLite pragmas and driver settings
            }
        }
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
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

    /** @return what the area does with its tables when it opens */
    public SchemaMode schemaMode() {
        return schemaMode;
    }

    /** @return the most connections the pool holds */
    public int poolSize() {
        return poolSize;
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
        return "JdbcConnectionConfig{" + database + " " + url.masked() + ", schemaMode=" + schemaMode + ", poolSize=" + poolSize
                + ", driverProperties=" + driverProperties.keySet() + '}';
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
        SchemaMode schemaMode;
        int poolSize;
        Duration connectTimeout;
        Duration busyTimeout;
        String synchronous;
        final Map<String, String> driverProperties = new LinkedHashMap<>();
        String celeryUrl;

        Builder(BackendUrl url) {
            this.url = url;
        }
    }
}
