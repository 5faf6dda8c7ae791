package io.celeriac.backend.redis.state;

import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.backend.redis.backend.RedisBackendConfig;
import io.celeriac.spi.SettingsReader;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The configuration of a Redis worker state store: where Redis is (a {@link RedisConnectionConfig}: everything
 * it reads from a {@code redis://}, {@code rediss://}, {@code socket://} or {@code sentinel://} URL: TLS, unix
 * sockets, sentinels, ACL users, timeouts, the pool and {@code global_keyprefix}), which state the store
 * keeps there, and how it writes. Parsed once by {@link #parse}.
 *
 * <p>Settings of the store itself, given as {@link StateStoreOptions} properties or as query parameters of
 * the URL (which win):
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #STATE_NAME}</td><td>{@value #DEFAULT_STATE_NAME}</td><td>which state: workers that open
 *       the same name on the same Redis database (and key prefix) share their revoked ids and clock. Taken
 *       literally: Celery's {@code %n}-style placeholders are not expanded</td></tr>
 *   <tr><td>{@value #CLOCK_RESERVE}</td><td>{@code 1000}</td><td>clock steps stored ahead, so one step in this
 *       many costs a write; 0 writes every step</td></tr>
 *   <tr><td>{@value #SHUTDOWN_HOOK}</td><td>{@code true}</td><td>save at JVM exit, as Celery's atexit</td></tr>
 *   <tr><td>{@value #MAX_RETRIES}</td><td>{@code 20}</td><td>retries of a command that failed with a
 *       transient error (refused or lost connection, timeout, a loading or read-only server)</td></tr>
 *   <tr><td>{@value #INTERVAL_START}, {@value #INTERVAL_STEP}, {@value #INTERVAL_MAX}</td>
 *       <td>{@code 0}, {@code 1}, {@code 1}</td><td>seconds before the first retry, added per retry, and the
 *       longest wait: Celery's {@code retry_policy}</td></tr>
 * </table>
 * Each attempt waits at most {@code socket_connect_timeout} to connect and {@code socket_timeout} for a
 * reply (Celery's default is 120 s; a worker that must not stall on a vanished server sets a few seconds).
 * The result backend's parameters ({@link RedisBackendConfig#PARAMETERS}) are accepted and ignored, so one URL
 * can serve both. Every value is read with {@link SettingsReader}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows no password.
 */
public final class RedisStateStoreConfig {

    /** Property and query parameter: the name of the shared state. */
    public static final String STATE_NAME = "state_name";
    /** Property and query parameter: clock steps stored ahead (0 or more). */
    public static final String CLOCK_RESERVE = "clock_reserve";
    /** Property and query parameter: {@code true} or {@code false}. */
    public static final String SHUTDOWN_HOOK = "shutdown_hook";
    /** Property and query parameter: retries after the first attempt (0 or more). */
    public static final String MAX_RETRIES = "max_retries";
    /** Property and query parameter: seconds before the first retry. */
    public static final String INTERVAL_START = "interval_start";
    /** Property and query parameter: seconds added to the wait for each further retry. */
    public static final String INTERVAL_STEP = "interval_step";
    /** Property and query parameter: the longest wait between retries, in seconds. */
    public static final String INTERVAL_MAX = "interval_max";

    /** The state name used when none is given: one state per Redis database, as Celery's revokes are cluster-wide. */
    public static final String DEFAULT_STATE_NAME = "celery";
    /** The default {@value #CLOCK_RESERVE}. */
    public static final long DEFAULT_CLOCK_RESERVE = 1000;
    /** Every setting the store reads, besides {@link RedisConnectionConfig}'s. */
    public static final Set<String> PARAMETERS = Set.of(STATE_NAME, CLOCK_RESERVE, SHUTDOWN_HOOK, MAX_RETRIES,
            INTERVAL_START, INTERVAL_STEP, INTERVAL_MAX);
    /** What the store accepts besides the connection's settings: its own and the result backend's (ignored). */
    private static final Set<String> ACCEPTED = union(PARAMETERS, RedisBackendConfig.PARAMETERS);
    /** What every key of a state starts with, after the global key prefix. */
    static final String KEY_STEM = "celeriac-state-";
    private static final int MAX_NAME_LENGTH = 200;
    private static final Duration MAX_INTERVAL = Duration.ofMinutes(10);

    private final BackendUrl url;
    private final RedisConnectionConfig connection;
    private final String stateName;
    private final long clockReserve;
    private final boolean shutdownHook;
    private final RetryPolicy retryPolicy;
    private final String keyBase;

    private RedisStateStoreConfig(BackendUrl url, RedisConnectionConfig connection, String stateName, long clockReserve,
                                  boolean shutdownHook, RetryPolicy retryPolicy) {
        this.url = url;
        this.connection = connection;
        this.stateName = stateName;
        this.clockReserve = clockReserve;
        this.shutdownHook = shutdownHook;
        this.retryPolicy = retryPolicy;
        this.keyBase = connection.normalizedKeyPrefix() + KEY_STEM + stateName;
    }

    /**
     * Reads the configuration from a URL and the worker's options.
     *
     * @param url a {@code redis://}, {@code rediss://}, {@code socket://} or {@code sentinel://} URL
     * @param options the worker's options; their properties may hold the store's settings and the
     *                connection's (such as {@code redis_password} or {@code socket_timeout})
     * @return the configuration
     * @throws InvalidUrlException listing every problem of the URL and the settings, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static RedisStateStoreConfig parse(BackendUrl url, StateStoreOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        SettingsReader r = RedisConnectionConfig.reader(url, options.properties(), ACCEPTED);
        RedisConnectionConfig connection = RedisConnectionConfig.parse(url, options.properties(), r);
        String name = stateName(r);
        long reserve = r.integer(CLOCK_RESERVE, DEFAULT_CLOCK_RESERVE, 0, Long.MAX_VALUE / 4);
        boolean hook = r.bool(SHUTDOWN_HOOK, true);
        RetryPolicy celery = RetryPolicy.CELERY_DEFAULT;
        int retries = r.integer(MAX_RETRIES, celery.maxRetries(), 0, 10_000);
        Duration start = r.seconds(INTERVAL_START, celery.intervalStart(), true, MAX_INTERVAL);
        Duration step = r.seconds(INTERVAL_STEP, celery.intervalStep(), true, MAX_INTERVAL);
        Duration max = r.seconds(INTERVAL_MAX, celery.intervalMax(), true, MAX_INTERVAL);
        if (!r.problems().isEmpty()) {
            throw InvalidUrlException.of(url, r.problems());
        }
        return new RedisStateStoreConfig(url, connection, name, reserve, hook, new RetryPolicy(retries, start, step, max));
    }

    private static String stateName(SettingsReader r) {
        String v = r.string(STATE_NAME, null);
        if (v == null) {
            return DEFAULT_STATE_NAME;
        }
        if (v.isEmpty() || v.length() > MAX_NAME_LENGTH) {
            r.problem(STATE_NAME + " must hold 1 to " + MAX_NAME_LENGTH + " characters");
            return DEFAULT_STATE_NAME;
        }
        if (v.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            r.problem(STATE_NAME + " cannot contain spaces or control characters: '" + v + "'");
        } else if (v.indexOf('%') >= 0) {
            r.problem(STATE_NAME + " is taken literally and cannot contain '%' ('" + v + "'): placeholders such as %n are not"
                    + " expanded, because workers share one Redis state by name; write the name itself");
        }
        return v;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /**
     * The URL the store was opened with. <b>It may hold a password: use {@link BackendUrl#masked()} in text.</b>
     *
     * @return the URL
     */
    public BackendUrl url() {
        return url;
    }

    /**
     * How Redis is reached.
     *
     * @return the connection settings
     */
    public RedisConnectionConfig connection() {
        return connection;
    }

    /**
     * The name of the state; workers on one name share it.
     *
     * @return the name, {@value #DEFAULT_STATE_NAME} unless set
     */
    public String stateName() {
        return stateName;
    }

    /**
     * How many clock steps are stored ahead.
     *
     * @return the reserve, 0 or more
     */
    public long clockReserve() {
        return clockReserve;
    }

    /**
     * Whether merge registers a save at JVM exit.
     *
     * @return {@code true} unless turned off
     */
    public boolean shutdownHook() {
        return shutdownHook;
    }

    /**
     * How commands that failed with a transient error are retried.
     *
     * @return the policy, Celery's {@code retry_policy} unless set
     */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /**
     * What both keys start with: {@code [global_keyprefix]celeriac-state-<state_name>}.
     *
     * @return the key base
     */
    public String keyBase() {
        return keyBase;
    }

    /**
     * The sorted set of revoked ids: {@code <keyBase>:revoked}, each member a task id, its score the
     * wall-clock epoch seconds of its revoke (microsecond precision).
     *
     * @return the key
     */
    public String revokedKey() {
        return keyBase + ":revoked";
    }

    /**
     * The string holding the clock ceiling, a decimal integer: {@code <keyBase>:clock}.
     *
     * @return the key
     */
    public String clockKey() {
        return keyBase + ":clock";
    }

    /**
     * Where the state is, for messages: the masked URL and the keys, as
     * {@code redis://host:6379/0 (keys celeriac-state-celery:*)}.
     *
     * @return the location, never holding a password
     */
    public String location() {
        return url.masked() + " (keys " + keyBase + ":*)";
    }

    @Override
    public String toString() {
        return "RedisStateStoreConfig{" + location() + ", connection=" + connection + ", clockReserve=" + clockReserve
                + ", shutdownHook=" + shutdownHook + ", retryPolicy=" + retryPolicy + "}";
    }
}
