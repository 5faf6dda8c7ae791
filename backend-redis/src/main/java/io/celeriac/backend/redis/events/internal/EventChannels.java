package io.celeriac.backend.redis.events.internal;

import io.celeriac.backend.redis.RedisConfig;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where Celery's events travel on a Redis broker, by the rules of kombu's Redis transport: the {@code celeryev}
 * exchange is a fanout exchange, published with {@code PUBLISH} on
 * {@code global_keyprefix + keyprefix_fanout + "celeryev" + "/" + routing_key} and followed with
 * {@code PSUBSCRIBE} on the same name with the routing key {@code #} turned into {@code *}.
 *
 * <p>The transport options, read from the URL's query (which wins) or the options' properties:
 * <ul>
 *   <li>{@code fanout_prefix}: {@code true} (default) gives {@code keyprefix_fanout = "/{db}."}, {@code false}
 *       gives none, any other text is the prefix itself (a {@code {db}} in it is replaced by the database);</li>
 *   <li>{@code fanout_patterns}: {@code true} (default) appends {@code "/" + routing_key}; {@code false}
 *       publishes on the exchange's name alone;</li>
 *   <li>{@code global_keyprefix}: put before every channel as given (kombu does not normalise it);</li>
 *   <li>{@code wakeup}: {@code true} (default, as Celery's {@code EventReceiver.capture}) makes an event source
 *       broadcast Celery's remote-control {@code heartbeat} once subscribed, so that every worker answers with a
 *       worker-heartbeat at once instead of at its next beat.</li>
 * </ul>
 * Immutable.
 */
public final class EventChannels {

    /** Property and query parameter: kombu's {@code fanout_prefix}. */
    public static final String FANOUT_PREFIX = "fanout_prefix";
    /** Property and query parameter: kombu's {@code fanout_patterns}. */
    public static final String FANOUT_PATTERNS = "fanout_patterns";
    /** Property and query parameter: whether an event source wakes the workers up when it starts. */
    public static final String WAKEUP = "wakeup";
    /** The parameters read here besides {@link RedisConfig}'s. */
    public static final Set<String> OWN_PARAMETERS = Set.of(FANOUT_PREFIX, FANOUT_PATTERNS, WAKEUP);
    /** Celery's event exchange. */
    public static final String EXCHANGE = "celeryev";
    /** Celery's remote-control broadcast exchange (kombu's {@code Mailbox} of namespace {@code celery}). */
    public static final String PIDBOX_EXCHANGE = "celery.pidbox";

    private final RedisConfig redis;
    private final String prefix;
    private final String base;
    private final boolean patterns;
    private final boolean wakeup;

    private EventChannels(RedisConfig redis, String prefix, boolean patterns, boolean wakeup) {
        this.redis = redis;
        this.wakeup = wakeup;
        this.prefix = prefix;
        this.base = prefix + EXCHANGE;
        this.patterns = patterns;
    }

    /**
     * Reads the connection settings and the transport options.
     *
     * @param url the broker URL
     * @param options the properties (connection settings such as {@code redis_password}, and the options)
     * @return the channels
     * @throws InvalidUrlException listing every problem, password masked
     */
    public static EventChannels parse(BackendUrl url, EventSourceOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();
        RedisConfig redis = RedisConfig.parseCollecting(url, options.properties(), OWN_PARAMETERS, problems);
        Map<String, String> own = RedisConfig.ownSettings(url, options.properties(), OWN_PARAMETERS);
        String prefix = "/{db}.";
        String fp = own.get(FANOUT_PREFIX);
        if (fp != null) {
            Boolean flag = bool(fp);
            if (flag == null) {
                prefix = fp;
            } else if (!flag) {
                prefix = "";
            }
        }
        boolean patterns = true;
        String pp = own.get(FANOUT_PATTERNS);
        if (pp != null) {
            Boolean flag = bool(pp);
            if (flag == null) {
                problems.add(FANOUT_PATTERNS + " must be true or false, not '" + pp + "'");
            } else {
                patterns = flag;
            }
        }
        boolean wakeup = true;
        String w = own.get(WAKEUP);
        if (w != null) {
            Boolean flag = bool(w);
            if (flag == null) {
                problems.add(WAKEUP + " must be true or false, not '" + w + "'");
            } else {
                wakeup = flag;
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidUrlException(url.masked(), problems);
        }
        String keyPrefix = redis.globalKeyPrefix() == null ? "" : redis.globalKeyPrefix();
        return new EventChannels(redis, keyPrefix + prefix.replace("{db}", Integer.toString(redis.database())), patterns,
                wakeup);
    }

    private static Boolean bool(String v) {
        switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return Boolean.TRUE;
            case "false": case "no": case "off": case "0": case "":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** @return whether an event source wakes the workers up when it starts ({@code wakeup}, default true) */
    public boolean wakeup() {
        return wakeup;
    }

    /** @return the connection settings */
    public RedisConfig redis() {
        return redis;
    }

    /**
     * The channel an event is published on.
     *
     * @param routingKey the routing key, e.g. {@code worker.heartbeat} or {@code task.multi}
     * @return the channel
     */
    public String publishChannel(String routingKey) {
        return routingKey != null && !routingKey.isEmpty() && patterns ? base + "/" + routingKey : base;
    }

    /**
     * The channel of Celery's remote-control broadcasts ({@code /{db}.celery.pidbox} by default), where
     * {@code EventReceiver} sends its wake-up.
     *
     * @return the channel
     */
    public String pidboxChannel() {
        return prefix + PIDBOX_EXCHANGE;
    }

    /**
     * The pattern a receiver subscribes to (routing key {@code #}): glob characters of the fixed part are
     * escaped so that a prefix holding them matches only itself.
     *
     * @return the pattern
     */
    public String subscribePattern() {
        String fixed = RedisConfig.globEscape(base);
        return patterns ? fixed + "/*" : fixed;
    }

    @Override
    public String toString() {
        return "EventChannels[" + subscribePattern() + "]";
    }
}
