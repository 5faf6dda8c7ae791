package io.celeriac.backend.redis.events;

import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.backend.redis.backend.RedisBackendConfig;
import io.celeriac.backend.redis.events.internal.EventChannels;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The configuration of a Redis event source, parsed once by {@link #parse}: how to reach the broker (a
 * {@link RedisConnectionConfig}) and kombu's transport options, given as query parameters of the URL (which
 * win) or as properties of the {@link EventSourceOptions}:
 * <ul>
 *   <li>{@code fanout_prefix}: {@code true} (default) gives kombu's {@code keyprefix_fanout = "/{db}."},
 *       {@code false} gives none, any other text is the prefix itself (a {@code {db}} in it is replaced by the
 *       database);</li>
 *   <li>{@code fanout_patterns}: {@code true} (default) subscribes to {@code celeryev/*}; {@code false} to the
 *       exchange's name alone;</li>
 *   <li>{@code wakeup}: {@code true} (default, as Celery's {@code EventReceiver.capture}) broadcasts Celery's
 *       remote-control {@code heartbeat} once subscribed, so that every worker answers with a worker-heartbeat
 *       at once instead of at its next beat;</li>
 *   <li>{@code global_keyprefix} (a connection setting): put before every channel as given.</li>
 * </ul>
 * The result backend's parameters ({@link RedisBackendConfig#PARAMETERS}) are accepted and ignored, so that one
 * URL serves both. Every value is read with {@link SettingsReader}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows no password.
 */
public final class RedisEventSourceConfig {

    private static final Set<String> ACCEPTED = accepted();

    private final BackendUrl url;
    private final RedisConnectionConfig connection;
    private final String fanoutPrefix;
    private final boolean fanoutPatterns;
    private final boolean wakeup;

    private RedisEventSourceConfig(BackendUrl url, RedisConnectionConfig connection, String fanoutPrefix,
                                   boolean fanoutPatterns, boolean wakeup) {
        this.url = url;
        this.connection = connection;
        this.fanoutPrefix = fanoutPrefix;
        this.fanoutPatterns = fanoutPatterns;
        this.wakeup = wakeup;
    }

    /**
     * Reads the connection settings and the transport options.
     *
     * @param url a {@code redis://}, {@code rediss://}, {@code socket://} or {@code sentinel://} broker URL
     * @param options the options, whose properties may hold connection settings (such as {@code redis_password})
     *                and the transport options
     * @return the configuration
     * @throws InvalidUrlException listing every problem, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static RedisEventSourceConfig parse(BackendUrl url, EventSourceOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        SettingsReader r = RedisConnectionConfig.reader(url, options.properties(), ACCEPTED);
        RedisConnectionConfig connection = RedisConnectionConfig.parse(url, options.properties(), r);
        String prefix = EventChannels.fanoutPrefix(r, connection.database());
        boolean patterns = EventChannels.fanoutPatterns(r);
        boolean wakeup = r.bool(EventChannels.WAKEUP, true);
        if (!r.problems().isEmpty()) {
            throw InvalidUrlException.of(url, r.problems());
        }
        return new RedisEventSourceConfig(url, connection, prefix, patterns, wakeup);
    }

    private static Set<String> accepted() {
        Set<String> all = new HashSet<>(EventChannels.PARAMETERS);
        all.addAll(RedisBackendConfig.PARAMETERS);
        return Set.copyOf(all);
    }

    /**
     * The broker URL. <b>It may hold a password: use {@link BackendUrl#masked()} in text.</b>
     *
     * @return the URL
     */
    public BackendUrl url() {
        return url;
    }

    /** @return how the broker is reached */
    public RedisConnectionConfig connection() {
        return connection;
    }

    /** @return kombu's {@code keyprefix_fanout} with {@code {db}} replaced, e.g. {@code /0.}; may be empty */
    public String fanoutPrefix() {
        return fanoutPrefix;
    }

    /** @return kombu's {@code fanout_patterns}: whether the routing key is part of the channel */
    public boolean fanoutPatterns() {
        return fanoutPatterns;
    }

    /** @return whether the source wakes the workers up once subscribed ({@code wakeup}, default true) */
    public boolean wakeup() {
        return wakeup;
    }

    @Override
    public String toString() {
        return "RedisEventSourceConfig{" + url.masked() + ", " + connection + ", fanoutPrefix=" + fanoutPrefix
                + ", fanoutPatterns=" + fanoutPatterns + ", wakeup=" + wakeup + "}";
    }
}
