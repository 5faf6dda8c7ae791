package io.celeriac.backend.jdbc.backend;

import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.Table;
import io.celeriac.backend.jdbc.internal.SqlNames;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The configuration of a database result backend, parsed once from its URL and
 * {@link BackendOptions#properties()}: how to reach the database ({@link JdbcConnectionConfig}: the database,
 * credentials, driver parameters, pool, timeouts, schema mode), and the backend's own settings below: which
 * tables, how results are encoded, how waits poll. Every setting can be given as a URL query parameter or as a
 * property of the same name; the URL wins. Parsing collects every problem and reports them together.
 *
 * <table>
 *   <caption>The result backend's own settings</caption>
 *   <tr><th>name</th><th>values</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #TASK_TABLE}</td><td>a table name</td><td>{@code celery_taskmeta}</td>
 *       <td>Celery's {@code database_table_names['task']}</td></tr>
 *   <tr><td>{@value #GROUP_TABLE}</td><td>a table name</td><td>{@code celery_tasksetmeta}</td>
 *       <td>Celery's {@code database_table_names['group']}</td></tr>
 *   <tr><td>{@value #TASK_SCHEMA}</td><td>a schema name</td><td>the connection's default</td>
 *       <td>Celery's {@code database_table_schemas['task']} (PostgreSQL only)</td></tr>
 *   <tr><td>{@value #GROUP_SCHEMA}</td><td>a schema name</td><td>the connection's default</td>
 *       <td>Celery's {@code database_table_schemas['group']} (PostgreSQL only)</td></tr>
 *   <tr><td>{@value #RESULT_FORMAT}</td><td>{@code pickle}, {@code json}</td><td>{@code pickle}</td>
 *       <td>how the {@code result} column is written; reads accept both</td></tr>
 *   <tr><td>{@value #PICKLE_PROTOCOL}</td><td>{@code 4}, {@code 5}</td><td>{@code 4}</td>
 *       <td>the pickle protocol written (4 is read by Python 3.4+, 5 by 3.8+)</td></tr>
 *   <tr><td>{@value #POLL_INTERVAL}</td><td>seconds &gt; 0</td><td>{@link BackendOptions#pollInterval()}</td>
 *       <td>the longest interval between two polls of a wait that has no push</td></tr>
 *   <tr><td>{@value #NOTIFY_TRIGGER}</td><td>{@code true}, {@code false}</td><td>{@code true}</td>
 *       <td>PostgreSQL: in {@code create} mode, install a trigger that notifies waiters of every ready
 *       result, Python's writes included</td></tr>
 *   <tr><td>{@value #BATCHING}</td><td>{@code true}, {@code false}</td><td>{@code true}</td>
 *       <td>combine calls that arrive while one is in flight: concurrent stores are written together in one
 *       transaction (each call still fails on its own and returns once its row is committed), concurrent single
 *       reads on PostgreSQL share one {@code SELECT}; a lone call runs at once, as without batching</td></tr>
 *   <tr><td>{@value #TIMEZONE}</td><td>a time zone id ({@code Europe/Paris}, {@code UTC})</td><td>{@code UTC}</td>
 *       <td>the zone of the {@code date_done} wall times: the Celery app's {@code timezone} when Celery 5.5+ writes a
 *       SQLite file, the server's {@code TimeZone} when it writes PostgreSQL (Celery 5.2 writes UTC)</td></tr>
 *   <tr><td>{@value #GROUP_MEMBER_BACKEND}</td><td>{@code url}, {@code app}</td><td>{@code url}</td>
 *       <td>what a saved group's members carry for Python: this database's URL without its password,
 *       or nothing (Python then uses its app's configured backend)</td></tr>
 * </table>
 *
 * <p>The connection's defaults here: {@code pool_size} 10 on PostgreSQL, 4 on a SQLite file (1 in memory);
 * {@code synchronous=normal}. {@code result_expires} and {@code result_extended} are {@link BackendOptions}
 * overrides and not handled here (nor passed to a driver).
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 */
public final class JdbcBackendConfig {

    /** Celery's {@code database_table_names['task']}. */
    public static final String TASK_TABLE = "database_table_names.task";
    /** Celery's {@code database_table_names['group']}. */
    public static final String GROUP_TABLE = "database_table_names.group";
    /** Celery's {@code database_table_schemas['task']}. */
    public static final String TASK_SCHEMA = "database_table_schemas.task";
    /** Celery's {@code database_table_schemas['group']}. */
    public static final String GROUP_SCHEMA = "database_table_schemas.group";
    /** The result column's format: {@code pickle} or {@code json}. */
    public static final String RESULT_FORMAT = "result_format";
    /** The pickle protocol written: 4 or 5. */
    public static final String PICKLE_PROTOCOL = "pickle_protocol";
    /** The longest interval between polls, in seconds. */
    public static final String POLL_INTERVAL = "poll_interval";
    /** Whether to install the PostgreSQL notify trigger in {@code create} mode. */
    public static final String NOTIFY_TRIGGER = "notify_trigger";
    /** Whether concurrent stores share a transaction and concurrent single reads a statement. */
    public static final String BATCHING = "batching";
    /** What a saved group's members carry for Python: {@code url} or {@code app}. */
    public static final String GROUP_MEMBER_BACKEND = "group_member_backend";
    /**
     * The time zone of the wall times in the {@code date_done} columns (they have none): Celery 5.2 writes UTC;
     * Celery 5.5 and later write its app's {@code timezone} on SQLite and the server's {@code TimeZone} on
     * PostgreSQL. Reads, writes and {@code cleanup()} use it, so no result is deleted early or kept late.
     */
    public static final String TIMEZONE = "timezone";
    /**
     * Every query parameter the result backend reads besides the connection's: its own settings above and the
     * {@link BackendOptions} overrides {@code result_expires} and {@code result_extended}. None is passed to a
     * driver.
     */
    public static final Set<String> SETTINGS = Set.of(TASK_TABLE, GROUP_TABLE, TASK_SCHEMA, GROUP_SCHEMA, RESULT_FORMAT,
            PICKLE_PROTOCOL, POLL_INTERVAL, NOTIFY_TRIGGER, BATCHING, GROUP_MEMBER_BACKEND, TIMEZONE, "result_expires",
            "result_extended", "celery_version");

    private static final JdbcConnectionConfig.Defaults DEFAULTS = new JdbcConnectionConfig.Defaults(10, 4, "normal", Map.of());

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

    private final JdbcConnectionConfig connection;
    private final BackendOptions options;
    private final Table taskTable;
    private final Table groupTable;
    private final ResultFormat resultFormat;
    private final int pickleProtocol;
    private final Duration pollInterval;
    private final boolean notifyTrigger;
    private final boolean batching;
    private final GroupMemberBackend groupMemberBackend;
    private final java.time.ZoneId timeZone;

    private JdbcBackendConfig(JdbcConnectionConfig connection, BackendOptions options, Table taskTable, Table groupTable,
                              ResultFormat resultFormat, int pickleProtocol, Duration pollInterval, boolean notifyTrigger,
                              boolean batching, GroupMemberBackend groupMemberBackend, java.time.ZoneId timeZone) {
        this.batching = batching;
        this.timeZone = timeZone;
        this.connection = connection;
        this.options = options;
        this.taskTable = taskTable;
        this.groupTable = groupTable;
        this.resultFormat = resultFormat;
        this.pickleProtocol = pickleProtocol;
        this.pollInterval = pollInterval;
        this.notifyTrigger = notifyTrigger;
        this.groupMemberBackend = groupMemberBackend;
    }

    /**
     * Parses the configuration of a {@code db+postgresql://}, {@code db+sqlite://}, {@code jdbc:postgresql:} or
     * {@code jdbc:sqlite:} URL and the options' properties.
     *
     * @param url the backend URL
     * @param options the options, whose {@link BackendOptions#properties()} hold settings too
     * @return the configuration
     * @throws InvalidUrlException listing every problem found, with the URL's password masked
     * @throws NullPointerException when an argument is null
     */
    public static JdbcBackendConfig parse(BackendUrl url, BackendOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();
        JdbcConnectionConfig connection = JdbcConnectionConfig.parse(url, options.properties(), DEFAULTS, SETTINGS, problems);
        JdbcConnectionConfig.Database database = connection != null ? connection.database()
                : JdbcConnectionConfig.Database.of(url).orElse(null);
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map<String, String> source : List.of(options.properties(), url.query())) { // the URL wins
            source.forEach((name, value) -> {
                if (SETTINGS.contains(name)) {
                    settings.put(name, value);
                }
            });
        }
        SettingsReader reader = new SettingsReader(settings, problems);

        String taskSchema = name(reader, TASK_SCHEMA, null);
        String groupSchema = name(reader, GROUP_SCHEMA, null);
        if (database == JdbcConnectionConfig.Database.SQLITE) {
            for (String[] s : new String[][]{{TASK_SCHEMA, taskSchema}, {GROUP_SCHEMA, groupSchema}}) {
                if (s[1] != null && !s[1].equals("main")) {
                    reader.problem(s[0] + " is '" + s[1] + "', but SQLite has no schemas (only 'main'); leave it unset");
                }
            }
            taskSchema = null;
            groupSchema = null;
        }
        String taskName = name(reader, TASK_TABLE, "celery_taskmeta");
        String groupName = name(reader, GROUP_TABLE, "celery_tasksetmeta");
        Table taskTable = taskName == null ? null : new Table(taskSchema, taskName);
        Table groupTable = groupName == null ? null : new Table(groupSchema, groupName);
        if (taskName != null && groupName != null && taskName.equals(groupName) && Objects.equals(taskSchema, groupSchema)) {
            reader.problem(TASK_TABLE + " and " + GROUP_TABLE + " name the same table " + taskTable);
        }
        ResultFormat resultFormat = reader.choice(RESULT_FORMAT, ResultFormat.PICKLE, ResultFormat.class);
        GroupMemberBackend members = reader.choice(GROUP_MEMBER_BACKEND, GroupMemberBackend.URL, GroupMemberBackend.class);
        int pickleProtocol = reader.integer(PICKLE_PROTOCOL, 4, 4, 5);
        Duration pollInterval = reader.seconds(POLL_INTERVAL, options.pollInterval(), false);
        boolean notifyTrigger = reader.bool(NOTIFY_TRIGGER, true);
        boolean batching = reader.bool(BATCHING, true);
        java.time.ZoneId zone = java.time.ZoneOffset.UTC;
        String zoneText = reader.string(TIMEZONE, null);
        if (zoneText != null) {
            try {
                zone = java.time.ZoneId.of(zoneText.strip());
            } catch (java.time.DateTimeException e) {
                reader.problem(TIMEZONE + " is '" + zoneText + "', which is not a time zone id (e.g. UTC, Europe/Paris)");
            }
        }
        if (!problems.isEmpty()) {
            throw InvalidUrlException.of(url, problems);
        }
        return new JdbcBackendConfig(connection, options, taskTable, groupTable, resultFormat, pickleProtocol, pollInterval,
                notifyTrigger, batching, members, zone);
    }

    /** A table or schema name: the setting's, checked, or the default when it is not set. */
    private static String name(SettingsReader reader, String setting, String defaultValue) {
        return reader.raw(setting).map(v -> SqlNames.checkName(reader, setting, v)).orElse(defaultValue);
    }

    // ------------------------------------------------------------------------------------------
    // accessors

    /** @return how to reach the database */
    public JdbcConnectionConfig connection() {
        return connection;
    }

    /** @return the URL the configuration was parsed from */
    public BackendUrl url() {
        return connection.url();
    }

    /** @return the options the backend is opened with (retries, expiry, clock, ...) */
    public BackendOptions options() {
        return options;
    }

    /** @return the task table (Celery's {@code celery_taskmeta}) */
    public Table taskTable() {
        return taskTable;
    }

    /** @return the group table (Celery's {@code celery_tasksetmeta}) */
    public Table groupTable() {
        return groupTable;
    }

    /** @return how result columns are written */
    public ResultFormat resultFormat() {
        return resultFormat;
    }

    /** @return the pickle protocol written, 4 or 5 */
    public int pickleProtocol() {
        return pickleProtocol;
    }

    /** @return the longest interval between two polls of a wait without push */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** @return whether the PostgreSQL notify trigger is installed in {@code create} mode */
    public boolean notifyTrigger() {
        return notifyTrigger;
    }

    /** @return whether concurrent stores share a transaction and concurrent single reads a statement (see {@link #BATCHING}) */
    public boolean batching() {
        return batching;
    }

    /** @return what a saved group's members carry for Python */
    public GroupMemberBackend groupMemberBackend() {
        return groupMemberBackend;
    }

    /** @return the time zone of the {@code date_done} wall times (see {@link #TIMEZONE}) */
    public java.time.ZoneId timeZone() {
        return timeZone;
    }

    @Override
    public String toString() {
        return "JdbcBackendConfig{" + connection + ", tasks=" + taskTable + ", groups=" + groupTable + ", resultFormat="
                + resultFormat + ", pickleProtocol=" + pickleProtocol + '}';
    }
}
