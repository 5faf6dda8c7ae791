package io.celeriac.backend.redis.events.internal;

import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.backend.redis.internal.Glob;
import io.celeriac.spi.SettingsReader;

import java.util.Optional;
import java.util.Set;

/**
 * Where Celery's events travel on a Redis broker, by the rules of kombu's Redis transport: the {@code celeryev}
 * exchange is a fanout exchange, published with {@code PUBLISH} on
 * {@code global_keyprefix + keyprefix_fanout + "celeryev" + "/" + routing_key} and followed with
 * {@code PSUBSCRIBE} on the same name with the routing key {@code #} turned into {@code *}.
 *
 * <p>The transport options, read from the URL's query (which wins) or the options' properties by
 * {@link #fanoutPrefix} and {@link #fanoutPatterns}:
 * <ul>
 *   <li>{@code fanout_prefix}: {@code true} (default) gives {@code keyprefix_fanout = "/{db}."}, {@code false}
 *       gives none, any other text is the prefix itself (a {@code {db}} in it is replaced by the database);</li>
 *   <li>{@code fanout_patterns}: {@code true} (default) appends {@code "/" + routing_key}; {@code false}
 *       publishes on the exchange's name alone;</li>
 *   <li>{@code global_keyprefix} (a connection setting): put before every channel as given (kombu does not
 *       normalise it).</li>
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
    /** The parameters of the events area, besides the connection's. */
    public static final Set<String> PARAMETERS = Set.of(FANOUT_PREFIX, FANOUT_PATTERNS, WAKEUP);
    /** Celery's event exchange. */
    public static final String EXCHANGE = "celeryev";
    /** Celery's remote-control broadcast exchange (kombu's {@code Mailbox} of namespace {@code celery}). */
    public static final String PIDBOX_EXCHANGE = "celery.pidbox";

    private final String prefix;
    private final String base;
    private final boolean patterns;

    private EventChannels(String prefix, boolean patterns) {
        this.prefix = prefix;
        this.base = prefix + EXCHANGE;
        this.patterns = patterns;
    }

    /**
     * The channels of a connection and its transport options.
     *
     * @param connection the connection (its {@code global_keyprefix})
     * @param fanoutPrefix kombu's {@code keyprefix_fanout}, as {@link #fanoutPrefix} reads it
     * @param fanoutPatterns kombu's {@code fanout_patterns}
     * @return the channels
     */
    public static EventChannels of(RedisConnectionConfig connection, String fanoutPrefix, boolean fanoutPatterns) {
        String keyPrefix = connection.globalKeyPrefix() == null ? "" : connection.globalKeyPrefix();
        return new EventChannels(keyPrefix + fanoutPrefix, fanoutPatterns);
    }

    /**
     * Reads kombu's {@code fanout_prefix}: a boolean, or the prefix itself.
     *
     * @param settings the settings
     * @param database the database, for {@code {db}}
     * @return {@code keyprefix_fanout} with {@code {db}} replaced: {@code "/0."} by default
     */
    public static String fanoutPrefix(SettingsReader settings, int database) {
        String prefix = "/{db}.";
        Optional<String> fp = settings.raw(FANOUT_PREFIX);
        if (fp.isPresent()) {
            Boolean flag = SettingsReader.parseBoolean(fp.get());
            if (flag == null) {
                prefix = fp.get();
            } else if (!flag) {
                prefix = "";
            }
        }
        return prefix.replace("{db}", Integer.toString(database));
    }

    /**
     * Reads kombu's {@code fanout_patterns}.
     *
     * @param settings the settings
     * @return the value, {@code true} by default
     */
    public static boolean fanoutPatterns(SettingsReader settings) {
        return settings.bool(FANOUT_PATTERNS, true);
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
        String fixed = Glob.escape(base);
        return patterns ? fixed + "/*" : fixed;
    }

    @Override
    public String toString() {
        return "EventChannels[" + subscribePattern() + "]";
    }
}
