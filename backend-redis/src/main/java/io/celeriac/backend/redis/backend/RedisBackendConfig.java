package io.celeriac.backend.redis.backend;

import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.util.Objects;
import java.util.Set;

/**
 * The configuration of a Redis result backend, parsed once by {@link #parse}: how to reach Redis (a
 * {@link RedisConnectionConfig}: every connection parameter is documented there) plus the settings of the
 * result backend itself, given as query parameters or {@link BackendOptions#properties()} (the URL wins):
 * <table>
 *   <caption>Result backend parameters</caption>
 *   <tr><th>parameter</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@value #CHORD_ORDERED}</td><td>chord results in a sorted set (true) or a list (false)</td><td>true</td></tr>
 *   <tr><td>{@value #PIPELINE_CONNECTIONS}</td><td>how many connections the stores and reads of every thread share,
 *       auto-pipelined (calls that arrive while a round trip is in flight go out together in the next one);
 *       0 gives each call a pooled connection of its own, as before (1 to 16)</td><td>2</td></tr>
 *   <tr><td>{@code result_expires}, {@code result_extended}</td><td>see {@link BackendOptions} (applied to
 *       the options before the backend is opened)</td><td></td></tr>
 * </table>
 * The other areas of this module (the worker state store, the event source) accept these parameters and ignore
 * them, so that one URL serves all.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows a password.
 */
public final class RedisBackendConfig {

    /** Query parameter and property: chord results in a sorted set ({@code true}) or a list. */
    public static final String CHORD_ORDERED = "result_chord_ordered";
    /**
     * Query parameter and property: how many connections the stores and reads of every thread share,
     * auto-pipelined; {@code 0} to give each call a pooled connection of its own.
     */
    public static final String PIPELINE_CONNECTIONS = "pipeline_connections";
    /** The default of {@link #PIPELINE_CONNECTIONS}. */
    public static final int DEFAULT_PIPELINE_CONNECTIONS = 2;
    /** The settings of the result backend, besides {@link RedisConnectionConfig#PARAMETERS}. */
    public static final Set<String> PARAMETERS = union(Set.of(CHORD_ORDERED, PIPELINE_CONNECTIONS), BackendOptions.URL_SETTINGS);

    private final BackendUrl url;
    private final BackendOptions options;
    private final RedisConnectionConfig connection;
    private final boolean chordOrdered;
    private final int pipelineConnections;

    private RedisBackendConfig(BackendUrl url, BackendOptions options, RedisConnectionConfig connection,
                               boolean chordOrdered, int pipelineConnections) {
        this.url = url;
        this.options = options;
        this.connection = connection;
        this.chordOrdered = chordOrdered;
        this.pipelineConnections = pipelineConnections;
    }

    /**
     * Parses the settings of a {@code redis://}, {@code rediss://}, {@code socket://} or {@code sentinel://}
     * URL.
     *
     * @param url the URL
     * @param options the options (with the URL's {@code result_expires} and {@code result_extended} applied);
     *                their {@link BackendOptions#properties()} may hold settings
     * @return the configuration
     * @throws InvalidUrlException listing every problem found, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static RedisBackendConfig parse(BackendUrl url, BackendOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        SettingsReader r = RedisConnectionConfig.reader(url, options.properties(), PARAMETERS);
        RedisConnectionConfig connection = RedisConnectionConfig.parse(url, options.properties(), r);
        boolean chordOrdered = r.bool(CHORD_ORDERED, true);
        int pipelineConnections = r.integer(PIPELINE_CONNECTIONS, DEFAULT_PIPELINE_CONNECTIONS, 0, 16);
        if (!r.problems().isEmpty()) {
            throw InvalidUrlException.of(url, r.problems());
        }
        return new RedisBackendConfig(url, options, connection, chordOrdered, pipelineConnections);
    }

    /**
     * The URL the backend is opened with. <b>It may hold a password: use {@link BackendUrl#masked()} in text.</b>
     *
     * @return the URL
     */
    public BackendUrl url() {
        return url;
    }

    /** @return the options the backend is opened with */
    public BackendOptions options() {
        return options;
    }

    /** @return how Redis is reached */
    public RedisConnectionConfig connection() {
        return connection;
    }

    /** @return {@code true} when chord results go to a sorted set (Celery's default), {@code false} for a list */
    public boolean chordOrdered() {
        return chordOrdered;
    }

    /**
     * How many connections the stores and reads of every thread share, auto-pipelined.
     *
     * @return 1 to 16, or 0 when each call takes a pooled connection of its own
     */
    public int pipelineConnections() {
        return pipelineConnections;
    }

    @Override
    public String toString() {
        return "RedisBackendConfig{" + url.masked() + ", " + connection + ", chordOrdered=" + chordOrdered
                + ", pipelineConnections=" + pipelineConnections + "}";
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }
}
