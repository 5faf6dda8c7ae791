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
 * The configuration of a {@link RedisEventDispatcher}, parsed once by {@link #parse}: how to reach the broker (a
 * {@link RedisConnectionConfig}) and kombu's transport options {@code fanout_prefix} and {@code fanout_patterns},
 * read as for {@link RedisEventSourceConfig} so that a dispatcher and a source on one URL use the same channels.
 * The source's {@code wakeup} and the result backend's parameters ({@link RedisBackendConfig#PARAMETERS}) are
 * accepted and ignored, so that one URL serves all. Every value is read with {@link SettingsReader}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows no password.
 */
public final class RedisEventDispatcherConfig {

    private static final Set<String> ACCEPTED = accepted();

    private final BackendUrl url;
    private final RedisConnectionConfig connection;
    private final String fanoutPrefix;
    private final boolean fanoutPatterns;

    private RedisEventDispatcherConfig(BackendUrl url, RedisConnectionConfig connection, String fanoutPrefix,
                                       boolean fanoutPatterns) {
        this.url = url;
        this.connection = connection;
        this.fanoutPrefix = fanoutPrefix;
        this.fanoutPatterns = fanoutPatterns;
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
    public static RedisEventDispatcherConfig parse(BackendUrl url, EventSourceOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        SettingsReader r = RedisConnectionConfig.reader(url, options.properties(), ACCEPTED);
        RedisConnectionConfig connection = RedisConnectionConfig.parse(url, options.properties(), r);
        String prefix = EventChannels.fanoutPrefix(r, connection.database());
        boolean patterns = EventChannels.fanoutPatterns(r);
        r.bool(EventChannels.WAKEUP, true); // the source's; validated so that one URL means the same to both
        if (!r.problems().isEmpty()) {
            throw InvalidUrlException.of(url, r.problems());
        }
        return new RedisEventDispatcherConfig(url, connection, prefix, patterns);
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

    @Override
    public String toString() {
        return "RedisEventDispatcherConfig{" + url.masked() + ", " + connection + ", fanoutPrefix=" + fanoutPrefix
                + ", fanoutPatterns=" + fanoutPatterns + "}";
    }
}
