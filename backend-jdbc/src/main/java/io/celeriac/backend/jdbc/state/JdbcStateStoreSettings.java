package io.celeriac.backend.jdbc.state;

import io.celeriac.spi.Settings;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.jdbc.JdbcBackendSettings;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of a database worker state store, parsed once from its URL and
 * {@link StateStoreOptions#properties()}: the connection, pool, schema mode and SQLite pragmas exactly as the
 * database result backend reads them ({@link JdbcBackendSettings}, which this wraps), plus the store's own
 * settings below. Every setting can be given as a URL query parameter or as a property of the same name; the
 * URL wins. Parsing collects every problem and reports them together.
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
 * <p>Of the backend's settings, these apply: the URL's database and credentials, {@code schema_mode}
 * ({@code create} by default: missing tables are created; {@code validate}; {@code none}),
 * {@code pool_size} (default 4 on PostgreSQL, 2 on SQLite), {@code connect_timeout}, {@code busy_timeout},
 * {@code synchronous} (default {@code full} here, so that an acknowledged revoke survives a power loss too),
 * driver parameters and {@code driver.*} properties. On PostgreSQL the driver's {@code socketTimeout}
 * defaults to 60 seconds, so that a statement on a vanished server fails rather than hangs. An in-memory
 * SQLite database is refused: it would not outlive the worker.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 */
public final class JdbcStateStoreSettings {

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

    private static final Set<String> OWN = Set.of(STATE_NAME, TABLE_PREFIX, STATE_SCHEMA, CLOCK_RESERVE, MAX_RETRIES,
            RETRY_TIMEOUT, SHUTDOWN_HOOK);
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private static final String REVOKED_SUFFIX = "revoked";
    private static final String CLOCK_SUFFIX = "state_clock";
    private static final String INDEX_SUFFIX = "revoked_time";

    private final JdbcBackendSettings connection;
    private final String stateName;
    private final JdbcBackendSettings.Table revokedTable;
    private final JdbcBackendSettings.Table clockTable;
    private final String indexName;
    private final long clockReserve;
    private final int maxRetries;
    private final Duration retryTimeout;
    private final boolean shutdownHook;
    private final String location;

    private JdbcStateStoreSettings(JdbcBackendSettings connection, String stateName, String schema, String prefix,
                                   long clockReserve, int maxRetries, Duration retryTimeout, boolean shutdownHook) {
        this.connection = connection;
        this.stateName = stateName;
        this.revokedTable = new JdbcBackendSettings.Table(schema, prefix + REVOKED_SUFFIX);
        this.clockTable = new JdbcBackendSettings.Table(schema, prefix + CLOCK_SUFFIX);
        this.indexName = prefix + INDEX_SUFFIX;
        this.clockReserve = clockReserve;
        this.maxRetries = maxRetries;
        this.retryTimeout = retryTimeout;
        this.shutdownHook = shutdownHook;
        this.location = connection.url().masked() + "?" + STATE_NAME + "=" + stateName;
    }

    /**
     * Parses the settings of a {@code db+postgresql://}, {@code db+sqlite:///}, {@code jdbc:postgresql:} or
     * {@code jdbc:sqlite:} URL and the options' properties.
     *
     * @param url the state store URL
     * @param options the options, whose {@link StateStoreOptions#properties()} hold settings too
     * @return the settings
     * @throws InvalidUrlException listing every problem found, with the URL's password masked
     * @throws NullPointerException when an argument is null
     */
    public static JdbcStateStoreSettings parse(BackendUrl url, StateStoreOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();
        Map<String, String> own = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : options.properties().entrySet()) {
            if (OWN.contains(e.getKey())) {
                own.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : url.query().entrySet()) {
            if (OWN.contains(e.getKey())) {
                own.put(e.getKey(), e.getValue());
            }
        }

        // the connection: the backend's parser, on the URL without this store's parameters, with the store's defaults
        BackendUrl connectionUrl = withoutParameters(url, OWN);
        BackendOptions.Builder b = BackendOptions.builder();
        options.properties().forEach(b::property);
        boolean postgres = isPostgres(url);
        if (!isSet(url, options, JdbcBackendSettings.POOL_SIZE) && !isSqliteMemory(url, postgres)) {
            b.property(JdbcBackendSettings.POOL_SIZE, postgres ? "4" : "2");
        }
        if (!isSet(url, options, JdbcBackendSettings.SYNCHRONOUS)) {
            b.property(JdbcBackendSettings.SYNCHRONOUS, "full");
        }
        if (postgres && !isSet(url, options, "socketTimeout") && !isSet(url, options, JdbcBackendSettings.DRIVER_PREFIX + "socketTimeout")) {
            b.property(JdbcBackendSettings.DRIVER_PREFIX + "socketTimeout", "60");
        }
        JdbcBackendSettings connection = null;
        try {
            connection = JdbcBackendSettings.parse(connectionUrl, b.build());
        } catch (InvalidConfigurationException e) {
            problems.addAll(e.problems());
        }
        if (connection != null && connection.database() == JdbcBackendSettings.Database.SQLITE && connection.sqlitePath().isEmpty()) {
            problems.add("an in-memory SQLite database would vanish with the worker; give a file, as in"
                    + " db+sqlite:////var/lib/celery/state.sqlite (or use memory://name for tests)");
        }

        String name = own.getOrDefault(STATE_NAME, DEFAULT_STATE_NAME);
        if (name.isBlank() || name.length() > MAX_STATE_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            problems.add("'" + STATE_NAME + "' must be 1 to " + MAX_STATE_NAME_LENGTH + " characters without control characters,"
                    + " not '" + name + "'");
        }
        String prefix = own.getOrDefault(TABLE_PREFIX, DEFAULT_TABLE_PREFIX).strip();
        if (!PREFIX.matcher(prefix).matches() || (prefix + CLOCK_SUFFIX).length() > 63 || (prefix + INDEX_SUFFIX).length() > 63) {
            problems.add("'" + TABLE_PREFIX + "' must be the start of a plain SQL identifier (letters, digits, '_' and '$',"
                    + " not starting with a digit) of at most " + (63 - INDEX_SUFFIX.length()) + " characters, not '" + prefix + "'");
        }
        String schema = own.get(STATE_SCHEMA);
        if (schema != null) {
            schema = schema.strip();
            if (!IDENTIFIER.matcher(schema).matches() || schema.length() > 63) {
                problems.add("'" + STATE_SCHEMA + "' must be a plain SQL identifier of at most 63 characters, not '" + schema + "'");
            }
        } else if (connection != null) {
            schema = connection.taskTable().schema();
        }
        if (connection != null && connection.database() == JdbcBackendSettings.Database.SQLITE) {
            if (schema != null && !schema.equals("main")) {
                problems.add("'" + STATE_SCHEMA + "' is '" + schema + "', but SQLite has no schemas (only 'main'); leave it unset");
            }
            schema = null;
        }
        long reserve = number(own, CLOCK_RESERVE, 1000, 0, Long.MAX_VALUE / 4, problems);
        int retries = (int) number(own, MAX_RETRIES, 10, 0, 1000, problems);
        Duration retryTimeout = Duration.ofSeconds(15);
        String rt = own.get(RETRY_TIMEOUT);
        if (rt != null) {
            try {
                double s = Double.parseDouble(rt.strip());
                if (!(s > 0) || s > 86_400) {
                    throw new NumberFormatException();
                }
                retryTimeout = Duration.ofNanos(Math.round(s * 1e9));
            } catch (NumberFormatException e) {
                problems.add("'" + RETRY_TIMEOUT + "' must be a number of seconds above 0 to 86400, not '" + rt + "'");
            }
        }
        boolean hook = true;
        String h = own.get(SHUTDOWN_HOOK);
        if (h != null) {
            switch (h.strip().toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "on": case "1":
                    hook = true;
                    break;
                case "false": case "no": case "off": case "0":
                    hook = false;
                    break;
                default:
                    problems.add("'" + SHUTDOWN_HOOK + "' must be true or false, not '" + h + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw InvalidUrlException.of(url, problems);
        }
        return new JdbcStateStoreSettings(connection, name, schema, prefix, reserve, retries, retryTimeout, hook);
    }

    private static boolean isPostgres(BackendUrl url) {
        String scheme = url.scheme();
        String driver = scheme.startsWith("jdbc:") ? scheme.substring(5) : url.driverScheme();
        return driver.startsWith("postgres") || driver.startsWith("pgsql");
    }

    private static boolean isSqliteMemory(BackendUrl url, boolean postgres) {
        String path = url.isOpaque() ? url.path() : url.pathWithoutLeadingSlash();
        return !postgres && (path.isEmpty() || path.equals(":memory:"));
    }

    private static boolean isSet(BackendUrl url, StateStoreOptions options, String name) {
        return url.query().containsKey(name) || options.properties().containsKey(name);
    }

    private static long number(Map<String, String> settings, String name, long defaultValue, long min, long max,
                               List<String> problems) {
        return Settings.integer(settings, name, min, max, problems).orElse(defaultValue);
    }

    /** The URL without some query parameters, so that the backend's parser does not pass them to the driver. */
    private static BackendUrl withoutParameters(BackendUrl url, Set<String> names) {
        if (url.query().keySet().stream().noneMatch(names::contains)) {
            return url;
        }
        String text = url.unmaskedText().strip();
        int q = text.indexOf('?');
        if (q < 0) {
            return url;
        }
        StringBuilder kept = new StringBuilder();
        for (String piece : text.substring(q + 1).split("&", -1)) {
            int eq = piece.indexOf('=');
            String name = eq < 0 ? piece : piece.substring(0, eq);
            String decoded;
            try {
                decoded = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = name;
            }
            if (names.contains(decoded) || piece.isEmpty()) {
                continue;
            }
            if (kept.length() > 0) {
                kept.append('&');
            }
            kept.append(piece);
        }
        return BackendUrl.parse(kept.length() == 0 ? text.substring(0, q) : text.substring(0, q + 1) + kept);
    }

    // ------------------------------------------------------------------------------------------
    // accessors

    /**
     * The connection settings, as the database result backend reads them (database, credentials, pool,
     * timeouts, schema mode, SQLite pragmas).
     *
     * @return the connection settings
     */
    public JdbcBackendSettings connection() {
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
    public JdbcBackendSettings.Table revokedTable() {
        return revokedTable;
    }

    /**
     * The table of clock values: {@code (state_name, clock)}.
     *
     * @return the table
     */
    public JdbcBackendSettings.Table clockTable() {
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
        return "JdbcStateStoreSettings{" + location + ", revoked=" + revokedTable + ", clock=" + clockTable
                + ", schemaMode=" + connection.schemaMode() + ", clockReserve=" + clockReserve + ", maxRetries=" + maxRetries
                + ", retryTimeout=" + retryTimeout + ", shutdownHook=" + shutdownHook + '}';
    }
}
