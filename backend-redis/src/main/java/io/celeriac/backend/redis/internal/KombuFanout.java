package io.celeriac.backend.redis.internal;

import io.celeriac.spi.SettingsReader;

import java.util.Optional;

/**
 * The pub/sub channels of kombu's fanout exchanges on Redis ({@code redis.py:Channel._get_publish_topic} and
 * {@code _get_subscribe_topic}): a message to fanout exchange {@code x} with routing key {@code rk} is a
 * {@code PUBLISH} on {@code global_keyprefix + keyprefix_fanout + x + "/" + rk} ({@code "/" + rk} only with
 * {@code fanout_patterns} and a non-empty key), and a queue bound to {@code x} with key {@code bk} follows it with
 * {@code PSUBSCRIBE} on the same name for {@code bk} with {@code #} turned into {@code *}. Shared by the broker and
 * the events of this module (Celery's {@code celeryev} and {@code celery.pidbox} are fanout exchanges on Redis).
 *
 * <p>The transport options, read by {@link #fanoutPrefix} and {@link #fanoutPatterns}:
 * <ul>
 *   <li>{@code fanout_prefix}: {@code true} (default) gives {@code keyprefix_fanout = "/{db}."}, {@code false}
 *       gives none, any other text is the prefix itself (a {@code {db}} in it is replaced by the database);</li>
 *   <li>{@code fanout_patterns}: {@code true} (default) appends {@code "/" + routing_key}; {@code false}
 *       publishes on the exchange's name alone;</li>
 *   <li>{@code global_keyprefix} (a connection setting): put before every channel as given (kombu does not
 *       normalise it).</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class KombuFanout {

    /** Property and query parameter: kombu's {@code fanout_prefix}. */
    public static final String FANOUT_PREFIX = "fanout_prefix";
    /** Property and query parameter: kombu's {@code fanout_patterns}. */
    public static final String FANOUT_PATTERNS = "fanout_patterns";

    private final String keyPrefix;
    private final String prefix;
    private final boolean patterns;

    /**
     * The channels of one connection.
     *
     * @param globalKeyPrefix kombu's {@code global_keyprefix}, or {@code null}
     * @param fanoutPrefix {@code keyprefix_fanout} as {@link #fanoutPrefix} reads it
     * @param fanoutPatterns kombu's {@code fanout_patterns}
     */
    public KombuFanout(String globalKeyPrefix, String fanoutPrefix, boolean fanoutPatterns) {
        this.keyPrefix = globalKeyPrefix == null ? "" : globalKeyPrefix;
        this.prefix = keyPrefix + fanoutPrefix;
        this.patterns = fanoutPatterns;
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
     * The channel a message to a fanout exchange is published on.
     *
     * @param exchange the exchange
     * @param routingKey the routing key, may be empty
     * @return the channel, with the global key prefix
     */
    public String publishChannel(String exchange, String routingKey) {
        String base = prefix + exchange;
        return routingKey != null && !routingKey.isEmpty() && patterns ? base + "/" + routingKey : base;
    }

    /**
     * The pattern a queue bound to a fanout exchange subscribes to: the publish channel of its binding key with
     * {@code #} turned into {@code *}, the glob characters of the fixed part escaped (so that a prefix holding
     * them matches only itself) and those of the key other than {@code *} too.
     *
     * @param exchange the exchange
     * @param bindingKey the binding key, may be empty
     * @return the pattern, with the global key prefix
     */
    public String subscribePattern(String exchange, String bindingKey) {
        String fixed = Glob.escape(prefix + exchange);
        if (bindingKey == null || bindingKey.isEmpty() || !patterns) {
            return fixed;
        }
        String key = bindingKey.replace('#', '*');
        StringBuilder sb = new StringBuilder(fixed).append('/');
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** @return the global key prefix followed by {@code keyprefix_fanout}, e.g. {@code /0.} */
    public String prefix() {
        return prefix;
    }

    /** @return whether the routing key is part of the channel */
    public boolean patterns() {
        return patterns;
    }

    @Override
    public String toString() {
        return "KombuFanout[" + prefix + (patterns ? "<exchange>/<key>" : "<exchange>") + "]";
    }
}
