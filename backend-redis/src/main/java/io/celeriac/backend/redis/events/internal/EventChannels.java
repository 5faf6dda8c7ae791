package io.celeriac.backend.redis.events.internal;

import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.backend.redis.internal.KombuFanout;
import io.celeriac.spi.SettingsReader;

import java.util.Set;

/**
 * Where Celery's events travel on a Redis broker, by the rules of kombu's Redis transport: the {@code celeryev}
 * exchange is a fanout exchange, so events are kombu fanout messages ({@link KombuFanout}): published with
 * {@code PUBLISH} on {@code global_keyprefix + keyprefix_fanout + "celeryev" + "/" + routing_key} and followed with
 * {@code PSUBSCRIBE} on the same name with the routing key {@code #} turned into {@code *}. The transport options
 * {@code fanout_prefix}, {@code fanout_patterns} and {@code global_keyprefix} are read as the broker reads them.
 * Immutable.
 */
public final class EventChannels {

    /** Property and query parameter: kombu's {@code fanout_prefix}. */
    public static final String FANOUT_PREFIX = KombuFanout.FANOUT_PREFIX;
    /** Property and query parameter: kombu's {@code fanout_patterns}. */
    public static final String FANOUT_PATTERNS = KombuFanout.FANOUT_PATTERNS;
    /** Property and query parameter: whether an event source wakes the workers up when it starts. */
    public static final String WAKEUP = "wakeup";
    /** The parameters of the events area, besides the connection's. */
    public static final Set<String> PARAMETERS = Set.of(FANOUT_PREFIX, FANOUT_PATTERNS, WAKEUP);
    /** Celery's event exchange. */
    public static final String EXCHANGE = "celeryev";
    /** Celery's remote-control broadcast exchange (kombu's {@code Mailbox} of namespace {@code celery}). */
    public static final String PIDBOX_EXCHANGE = "celery.pidbox";

    private final KombuFanout fanout;

    private EventChannels(KombuFanout fanout) {
        this.fanout = fanout;
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
        return new EventChannels(new KombuFanout(connection.globalKeyPrefix(), fanoutPrefix, fanoutPatterns));
    }

    /**
     * Reads kombu's {@code fanout_prefix}: a boolean, or the prefix itself.
     *
     * @param settings the settings
     * @param database the database, for {@code {db}}
     * @return {@code keyprefix_fanout} with {@code {db}} replaced: {@code "/0."} by default
     */
    public static String fanoutPrefix(SettingsReader settings, int database) {
        return KombuFanout.fanoutPrefix(settings, database);
    }

    /**
     * Reads kombu's {@code fanout_patterns}.
     *
     * @param settings the settings
     * @return the value, {@code true} by default
     */
    public static boolean fanoutPatterns(SettingsReader settings) {
        return KombuFanout.fanoutPatterns(settings);
    }

    /**
     * The channel an event is published on.
     *
     * @param routingKey the routing key, e.g. {@code worker.heartbeat} or {@code task.multi}
     * @return the channel
     */
    public String publishChannel(String routingKey) {
        return fanout.publishChannel(EXCHANGE, routingKey);
    }

    /**
     * The channel of Celery's remote-control broadcasts ({@code /{db}.celery.pidbox} by default), where
     * {@code EventReceiver} sends its wake-up.
     *
     * @return the channel
     */
    public String pidboxChannel() {
        return fanout.publishChannel(PIDBOX_EXCHANGE, "");
    }

    /**
     * The pattern a receiver subscribes to (routing key {@code #}): glob characters of the fixed part are
     * escaped so that a prefix holding them matches only itself.
     *
     * @return the pattern
     */
    public String subscribePattern() {
        return fanout.subscribePattern(EXCHANGE, "#");
    }

    @Override
    public String toString() {
        return "EventChannels[" + subscribePattern() + "]";
    }
}
