package io.celeriac.backend.jdbc.state;

import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.Table;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.backend.jdbc.internal.SqlNames;
import io.celeriac.spi.SettingsReader;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The configuration of a database worker state store, parsed once from its URL and
 * {@link StateStoreOptions#properties()}: how to reach the database ({@link JdbcConnectionConfig}, the same
 * URL forms and connection settings as the result backend's), plus the store's own settings below. Every
 * setting can be given as a URL query parameter or as a property of the same name; the URL wins. Parsing
 * collects every problem and reports them together.
 *
 * <table>
 *   <caption>The state store's own settings</caption>
 *   <tr><th>name</th><th>values</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #STATE_NAME}</td><td>1 to 155 characters</td><td>{@value #DEFAULT_STATE_NAME}</td>
 *       <td>which shared state this worker keeps: every worker opened with the same name (on the same tables)
 *       merges the revokes all of them stored and the highest clock any of them stored</td></tr>
 *   <tr><td>{@value #TABLE_PREFIX}</td><td>an SQL identifier prefix</td><td>{@code celeriac_}</td>
 *       <td>the tables are {@code <prefix>revoked} and {@code <prefix>state_clock}</td></tr>
 *   <tr><td>{@value #STATE_SCHEMA}</td><td>a schema name (PostgreSQL only)</td>
 *       <td>{@code database_table_schemas.task} when set, else the connection's default</td>
 *       <td>the schema of both tables</td></tr>
 *   <tr><td>{@value #CLOCK_RESERVE}</td><td>0 or more</td><td>1000</td>
 *       <td>clock steps stored ahead, so that one clock step in this many costs a write</td></tr>
 *   <tr><td>{@value #MAX_RETRIES}</td><td>0 to 1000</td><td>10</td>
 *       <td>retries of a statement that failed for a transient reason (lost connection, serialization failure,
 *       deadlock, SQLite busy)</td></tr>
 *   <tr><td>{@value #RETRY_TIMEOUT}</td><td>seconds &gt; 0</td><td>15</td>
 *       <td>no retry starts later than this after the first attempt</td></tr>
 *   <tr><td>{@value #SHUTDOWN_HOOK}</td><td>{@code true}, {@code false}</td><td>{@code true}</td>
 *       <td>save at JVM exit, as Celery's {@code atexit}</td></tr>
 * </table>
 *
 * <p><b>Why one cluster-wide state by default.</b> Celery broadcasts every revoke to every worker, so all
 * workers of a cluster hold the same revoked set; what a restarted worker needs is that set, whatever its own
 * name. On Kubernetes a restarted pod usually has a new name, so a per-worker state would never be found
 * again. Every worker therefore shares {@value #DEFAULT_STATE_NAME} unless told otherwise; give each Celery
 * application (each set of workers that receive the same revokes) its own {@value #STATE_NAME} when several
 * share one database.
 *
 * <p>The connection's defaults here: {@code schema_mode=create} (missing tables are created),
 * {@code pool_size} 4 on PostgreSQL and 2 on SQLite, {@code synchronous=full} (so that an acknowledged revoke
 * survives a power loss too), and on PostgreSQL the driver's {@code socketTimeout} of 60 seconds, so that a
 * statement on a vanished server fails rather than hangs. An in-memory SQLite database is refused: it would not
 * outlive the worker. A URL shared with the result backend may carry the backend's settings
 * ({@link JdbcBackendConfig#SETTINGS}): they are ignored here and never passed to a driver.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 */
public final class JdbcStateStoreConfig {

    /** The name of the shared state. */
    public static final String STATE_NAME = "state_name";
    /** The prefix of the two table names. */
    public static final String TABLE_PREFIX = "state_table_prefix";
    /** The schema of the two tables (PostgreSQL). */
    public static final String STATE_SCHEMA = "state_schema";
    /** Clock steps stored ahead. */
    public static final String CLOCK_RESERVE = "clock_reserve";
    /** Retries of a transiently failed statement. */
    public static final String MAX_RETRIES = "max_retries";
    /** The longest time retries go on, in seconds. */
    public static final String RETRY_TIMEOUT = "retry_timeout";
    /** Whether merge registers a save at JVM exit. */
    public static final String SHUTDOWN_HOOK = "shutdown_hook";
    /** The state name used when none is given: one state shared by the whole cluster. */
    public static final String DEFAULT_STATE_NAME = "default";
    /** The table prefix used when none is given. */
    public static final String DEFAULT_TABLE_PREFIX = "celeriac_";
    /** The longest state name. */
    public static final int MAX_STATE_NAME_LENGTH = 155;
    /** Every setting the state store reads besides the connection's. */
    public static final Set<String> SETTINGS = Set.of(STATE_NAME, TABLE_PREFIX, STATE_SCHEMA, CLOCK_RESERVE, MAX_RETRIES,
            RETRY_TIMEOUT, SHUTDOWN_HOOK);

    /** A prefix is the start of a plain SQL name: a letter or {@code _}, then letters, digits, {@code _} or {@code $}. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private static final String REVOKED_SUFFIX = "revoked";
    private static final String CLOCK_SUFFIX = "state_clock";
    private static final String INDEX_SUFFIX = "revoked_time";
    private static final String SOCKET_TIMEOUT = "socketTimeout";

    private final JdbcConnectionConfig connection;
    private final String stateName;
    private final Table revokedTable;
    private final Table clockTable;
    private final String indexName;
    private final long clockReserve;
    private final int maxRetries;
    private final Duration retryTimeout;
    private final boolean shutdownHook;
    private final String location;

    private JdbcStateStoreConfig(JdbcConnectionConfig connection, String stateName, String schema, String prefix,
                                 long clockReserve, int maxRetries, Duration retryTimeout, boolean shutdownHook) {
        this.connection = connection;
        this.stateName = stateName;
        this.revokedTable = new Table(schema, prefix + REVOKED_SUFFIX);
        this.clockTable = new Table(schema, prefix + CLOCK_SUFFIX);
        this.indexName = prefix + INDEX_SUFFIX;
        this.clockReserve = clockReserve;
        this.maxRetries = maxRetries;
        this.retryTimeout = retryTimeout;
        this.shutdownHook = shutdownHook;
        this.location = connection.url().masked() + "?" + STATE_NAME + "=" + stateName;
    }

    /**
     * Parses the configuration of a {@code db+postgresql://}, {@code db+sqlite:///}, {@code jdbc:postgresql:} or
     * {@code jdbc:sqlite:} URL and the options' properties.
     *
     * @param url the state store URL
     * @param options the options, whose {@link StateStoreOptions#properties()} hold settings too
     * @return the configuration
     * @throws InvalidUrlException listing every problem found, with the URL's password masked
     * @throws NullPointerException when an argument is null
     */
    public static JdbcStateStoreConfig parse(BackendUrl url, StateStoreOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();
        Map<String, String> properties = options.properties();
        boolean postgres = JdbcConnectionConfig.Database.of(url).orElse(null) == JdbcConnectionConfig.Database.POSTGRESQL;
        boolean socketTimeoutSet = isSet(url, properties, SOCKET_TIMEOUT)
                || isSet(url, properties, JdbcConnectionConfig.DRIVER_PREFIX + SOCKET_TIMEOUT);
        JdbcConnectionConfig.Defaults defaults = new JdbcConnectionConfig.Defaults(4, 2, "full",
                postgres && !socketTimeoutSet ? Map.of(SOCKET_TIMEOUT, "60") : Map.of());
        Set<String> notForTheDriver = new HashSet<>(SETTINGS);
        notForTheDriver.addAll(JdbcBackendConfig.SETTINGS);
        JdbcConnectionConfig connection = JdbcConnectionConfig.parse(url, properties, defaults, notForTheDriver, problems);
        if (connection != null && connection.database() == JdbcConnectionConfig.Database.SQLITE
                && connection.sqlitePath().isEmpty()) {
            problems.add("an in-memory SQLite database would vanish with the worker; give a file, as in"
                    + " db+sqlite:////var/lib/celery/state.sqlite (or use memory://name for tests)");
        }

        Map<String, String> settings = new LinkedHashMap<>();
        for (Map<String, String> source : List.of(properties, url.query())) { // the URL wins
            source.forEach((name, value) -> {
                if (SETTINGS.contains(name) || name.equals(JdbcBackendConfig.TASK_SCHEMA)) {
                    settings.put(name, value);
                }
            });
        }
        SettingsReader reader = new SettingsReader(settings, problems);
        String name = reader.string(STATE_NAME, DEFAULT_STATE_NAME);
        if (name.isBlank() || name.length() > MAX_STATE_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            reader.problem(STATE_NAME + " must be 1 to " + MAX_STATE_NAME_LENGTH + " characters without control characters,"
                    + " not '" + name + "'");
        }
        String prefix = reader.string(TABLE_PREFIX, DEFAULT_TABLE_PREFIX).strip();
        if (!PREFIX.matcher(prefix).matches() || (prefix + CLOCK_SUFFIX).length() > 63 || (prefix + INDEX_SUFFIX).length() > 63) {
            reader.problem(TABLE_PREFIX + " must be the start of an identifier (a letter or _, then letters, digits, _"
                    + " or $) of at most " + (63 - INDEX_SUFFIX.length()) + " characters, not '" + prefix + "'");
        }
        // the tables go beside the result tables unless told otherwise
        String schemaSetting = reader.has(STATE_SCHEMA) ? STATE_SCHEMA : JdbcBackendConfig.TASK_SCHEMA;
        String schema = reader.raw(schemaSetting).map(v -> SqlNames.checkName(reader, schemaSetting, v)).orElse(null);
        JdbcConnectionConfig.Database database = connection != null ? connection.database()
                : JdbcConnectionConfig.Database.of(url).orElse(null);
        if (database == JdbcConnectionConfig.Database.SQLITE) {
            if (schema != null && !schema.equals("main")) {
                reader.problem(schemaSetting + " is '" + schema + "', but SQLite has no schemas (only 'main'); leave it unset");
            }
            schema = null;
        }
        long reserve = reader.integer(CLOCK_RESERVE, 1000L, 0L, Long.MAX_VALUE / 4);
        int retries = reader.integer(MAX_RETRIES, 10, 0, 1000);
        Duration retryTimeout = reader.seconds(RETRY_TIMEOUT, Duration.ofSeconds(15), false);
        boolean hook = reader.bool(SHUTDOWN_HOOK, true);
        if (!problems.isEmpty()) {
            throw InvalidUrlException.of(url, problems);
        }
        return new JdbcStateStoreConfig(connection, name, schema, prefix, reserve, retries, retryTimeout, hook);
    }

    private static boolean isSet(BackendUrl url, Map<String, String> properties, String name) {
        return url.query().containsKey(name) || properties.containsKey(name);
    }

    // ------------------------------------------------------------------------------------------
    // accessors

    /**
     * How to reach the database (database, credentials, pool, timeouts, schema mode, SQLite pragmas).
     *
     * @return the connection settings
     */
    public JdbcConnectionConfig connection() {
        return connection;
    }

    /**
     * The name of the shared state this store keeps.
     *
     * @return the state name
     */
    public String stateName() {
        return stateName;
    }

    /**
     * The table of revoked ids: {@code (state_name, task_id, revoked_at)}.
     *
     * @return the table
     */
    public Table revokedTable() {
        return revokedTable;
    }

    /**
     * The table of clock values: {@code (state_name, clock)}.
     *
     * @return the table
     */
    public Table clockTable() {
        return clockTable;
    }

    /**
     * The name of the index on {@code (state_name, revoked_at)} that loading and trimming use.
     *
     * @return the index name
     */
    public String indexName() {
        return indexName;
    }

    /**
     * Clock steps stored ahead of the clock.
     *
     * @return the reserve, 0 or more
     */
    public long clockReserve() {
        return clockReserve;
    }

    /**
     * How transiently failed statements are retried: {@code max_retries} retries, the first at once, each
     * further one 100 ms later than the one before, at most 1 s apart, and none starting after
     * {@link #retryTimeout()}.
     *
     * @return the policy
     */
    public RetryPolicy retryPolicy() {
        return new RetryPolicy(maxRetries, Duration.ZERO, Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    /**
     * How long after its first attempt a statement may still be retried.
     *
     * @return the timeout
     */
    public Duration retryTimeout() {
        return retryTimeout;
    }

    /**
     * Whether merge registers a save at JVM exit.
     *
     * @return {@code true} by default
     */
    public boolean shutdownHook() {
        return shutdownHook;
    }

    /**
     * Where the state is kept, for messages: the URL with its password masked and the state name, as in
     * {@code db+postgresql://celery:**@db:5432/celery?state_name=default}.
     *
     * @return the location, never holding a password
     */
    public String location() {
        return location;
    }

    @Override
    public String toString() {
        return "JdbcStateStoreConfig{" + location + ", revoked=" + revokedTable + ", clock=" + clockTable
                + ", schemaMode=" + connection.schemaMode() + ", clockReserve=" + clockReserve + ", maxRetries=" + maxRetries
                + ", retryTimeout=" + retryTimeout + ", shutdownHook=" + shutdownHook + '}';
    }
}
