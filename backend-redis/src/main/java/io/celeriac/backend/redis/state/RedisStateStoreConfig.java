package io.celeriac.backend.redis.state;

import io.celeriac.spi.Settings;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.redis.RedisConfig;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The configuration of a Redis worker state store: where Redis is (everything {@link RedisConfig} reads
 * from a {@code redis://}, {@code rediss://}, {@code socket://} or {@code sentinel://} URL: TLS, unix
 * sockets, sentinels, ACL users, timeouts, the pool and {@code global_keyprefix}), which state the store
 * keeps there, and how it writes. Parsed once by {@link #from}.
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
 * The result backend's {@code result_*} parameters are accepted and ignored, so one URL can serve both.
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
    /** Every setting the store reads, besides {@link RedisConfig}'s. */
    static final Set<String> NAMES = Set.of(STATE_NAME, CLOCK_RESERVE, SHUTDOWN_HOOK, MAX_RETRIES, INTERVAL_START,
            INTERVAL_STEP, INTERVAL_MAX);
    /** What every key of a state starts with, after the global key prefix. */
    static final String KEY_STEM = "celeriac-state-";
    private static final int MAX_NAME_LENGTH = 200;
    private static final Duration MAX_INTERVAL = Duration.ofMinutes(10);

    private final BackendUrl url;
    private final RedisConfig redis;
    private final String stateName;
    private final long clockReserve;
    private final boolean shutdownHook;
    private final RetryPolicy retryPolicy;
    private final String keyBase;

    private RedisStateStoreConfig(BackendUrl url, RedisConfig redis, String stateName, long clockReserve,
                                  boolean shutdownHook, RetryPolicy retryPolicy) {
        this.url = url;
        this.redis = redis;
        this.stateName = stateName;
        this.clockReserve = clockReserve;
        this.shutdownHook = shutdownHook;
        this.retryPolicy = retryPolicy;
        this.keyBase = redis.normalizedKeyPrefix() + KEY_STEM + stateName;
    }

    /**
     * Reads the configuration from a URL and the worker's options.
     *
     * @param url a {@code redis://}, {@code rediss://}, {@code socket://} or {@code sentinel://} URL
     * @param options the worker's options; their properties may hold the store's settings and
     *                {@link RedisConfig}'s (such as {@code redis_password} or {@code socket_timeout})
     * @return the configuration
     * @throws InvalidUrlException listing every problem of the URL and the settings, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static RedisStateStoreConfig from(BackendUrl url, StateStoreOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();
        RedisConfig redis = RedisConfig.parseCollecting(url, options.properties(), NAMES, problems);
        Map<String, String> settings = RedisConfig.ownSettings(url, options.properties(), NAMES);
        String name = stateName(settings.get(STATE_NAME), problems);
        long reserve = number(settings, CLOCK_RESERVE, DEFAULT_CLOCK_RESERVE, 0, Long.MAX_VALUE / 4, problems);
        boolean hook = bool(settings, SHUTDOWN_HOOK, true, problems);
        RetryPolicy celery = RetryPolicy.CELERY_DEFAULT;
        int retries = (int) number(settings, MAX_RETRIES, celery.maxRetries(), 0, 10_000, problems);
        Duration start = seconds(settings, INTERVAL_START, celery.intervalStart(), problems);
        Duration step = seconds(settings, INTERVAL_STEP, celery.intervalStep(), problems);
        Duration max = seconds(settings, INTERVAL_MAX, celery.intervalMax(), problems);
        if (!problems.isEmpty()) {
            throw InvalidUrlException.of(url, problems);
        }
        return new RedisStateStoreConfig(url, redis, name, reserve, hook, new RetryPolicy(retries, start, step, max));
    }

    private static String stateName(String v, List<String> problems) {
        if (v == null) {
            return DEFAULT_STATE_NAME;
        }
        if (v.isEmpty() || v.length() > MAX_NAME_LENGTH) {
            problems.add(STATE_NAME + " must hold 1 to " + MAX_NAME_LENGTH + " characters");
            return DEFAULT_STATE_NAME;
        }
        if (v.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            problems.add(STATE_NAME + " cannot contain spaces or control characters: '" + v + "'");
        } else if (v.indexOf('%') >= 0) {
            problems.add(STATE_NAME + " is taken literally and cannot contain '%' ('" + v + "'): placeholders such as %n are not"
                    + " expanded, because workers share one Redis state by name; write the name itself");
        }
        return v;
    }

    private static long number(Map<String, String> s, String name, long dflt, long min, long max, List<String> problems) {
        return Settings.integer(s, name, min, max, problems).orElse(dflt);
    }

    private static boolean bool(Map<String, String> s, String name, boolean dflt, List<String> problems) {
        return Settings.bool(s, name, problems).orElse(dflt);
    }

    private static Duration seconds(Map<String, String> s, String name, Duration dflt, List<String> problems) {
        String v = s.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v.strip());
            if (Double.isNaN(d) || d < 0 || d > MAX_INTERVAL.toSeconds()) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(d * 1e9));
        } catch (NumberFormatException e) {
            problems.add(name + " must be a number of seconds between 0 and " + MAX_INTERVAL.toSeconds() + ", not '" + v + "'");
            return dflt;
        }
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
    public RedisConfig redis() {
        return redis;
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
        return "RedisStateStoreConfig{" + location() + ", redis=" + redis + ", clockReserve=" + clockReserve
                + ", shutdownHook=" + shutdownHook + ", retryPolicy=" + retryPolicy + "}";
    }
}
