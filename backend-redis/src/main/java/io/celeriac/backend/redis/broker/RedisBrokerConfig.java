package io.celeriac.backend.redis.broker;

import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.backend.redis.internal.KombuFanout;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of a Redis broker, parsed once by {@link #parse}: how to reach Redis (a
 * {@link RedisConnectionConfig}, shared with every other area of this module: {@code redis://}, {@code rediss://},
 * {@code socket://}, {@code sentinel://}, credentials, TLS, timeouts, the pool, {@code global_keyprefix}) and kombu's
 * broker transport options ({@code broker_transport_options}), given as query parameters of the URL (which win) or
 * as {@link BrokerOptions} properties, with kombu's defaults:
 * <table>
 *   <caption>Transport options</caption>
 *   <tr><th>option</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code visibility_timeout}</td><td>seconds after which a delivered, unacknowledged message whose
 *       consumer is gone goes back to its queue</td><td>3600</td></tr>
 *   <tr><td>{@code queue_order_strategy}</td><td>the order in which one consumer's queues are read:
 *       {@code round_robin} (the queue that just delivered goes last), {@code priority} (as listed),
 *       {@code sorted} (by name)</td><td>round_robin</td></tr>
 *   <tr><td>{@code fanout_prefix}</td><td>{@code true}: fanout channels start with {@code /{db}.}; {@code false}:
 *       no prefix; any other text: that prefix</td><td>true</td></tr>
 *   <tr><td>{@code fanout_patterns}</td><td>the routing key is part of a fanout channel
 *       ({@code <exchange>/<key>})</td><td>true</td></tr>
 *   <tr><td>{@code sep}</td><td>the separator of binding members and priority lists</td><td>{@code \x06\x16}</td></tr>
 *   <tr><td>{@code priority_steps}</td><td>the priority lists, e.g. {@code 0,3,6,9} (ascending, from 0)</td>
 *       <td>0,3,6,9</td></tr>
 *   <tr><td>{@code unacked_key}, {@code unacked_index_key}, {@code unacked_mutex_key}</td><td>the hash of
 *       unacknowledged messages, its sorted index, the restore mutex</td><td>{@code unacked},
 *       {@code unacked_index}, {@code unacked_mutex}</td></tr>
 *   <tr><td>{@code unacked_mutex_expire}</td><td>seconds the restore mutex is held at most</td><td>300</td></tr>
 *   <tr><td>{@code unacked_restore_limit}</td><td>the most messages one restore pass moves back (0: all)</td>
 *       <td>0</td></tr>
 *   <tr><td>{@code ack_emulation}</td><td>keep delivered messages in {@code unacked} until acknowledged;
 *       {@code false} keeps them in the consumer's memory only (lost with the consumer)</td><td>true</td></tr>
 *   <tr><td>{@code polling_interval}</td><td>seconds one {@code BRPOP} blocks before the consumer looks
 *       around</td><td>1</td></tr>
 * </table>
 * Celery's {@code global_keyprefix} is a connection setting; the broker puts it before every key and channel as
 * written, as kombu does. An unknown query parameter or property is a problem; every problem is reported at once by
 * one {@link io.celeriac.InvalidConfigurationException}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows no password.
 */
public final class RedisBrokerConfig {

    /** The order in which one consumer reads its queues (kombu's {@code queue_order_strategy}). */
    public enum QueueOrder {
        /** kombu's {@code round_robin}: the queue that just delivered moves to the end. */
        ROUND_ROBIN,
        /** kombu's {@code priority}: always in the order given. */
        PRIORITY,
        /** kombu's {@code sorted}: by name. */
        SORTED
    }

    /** kombu's separator, {@code \x06\x16}. */
    public static final String DEFAULT_SEP = "\u0006\u0016";
    /** kombu's priority steps. */
    public static final List<Integer> DEFAULT_PRIORITY_STEPS = List.of(0, 3, 6, 9);

    /** The broker's own settings (besides {@link RedisConnectionConfig#PARAMETERS}). */
    public static final Set<String> PARAMETERS = Set.of("visibility_timeout", "queue_order_strategy",
            KombuFanout.FANOUT_PREFIX, KombuFanout.FANOUT_PATTERNS, "sep", "priority_steps", "unacked_key",
            "unacked_index_key", "unacked_mutex_key", "unacked_mutex_expire", "unacked_restore_limit",
            "ack_emulation", "polling_interval");

    private final BackendUrl url;
    private final RedisConnectionConfig connection;
    private final Duration visibilityTimeout;
    private final QueueOrder queueOrder;
    private final String fanoutPrefix;
    private final boolean fanoutPatterns;
    private final String sep;
    private final List<Integer> prioritySteps;
    private final String unackedKey;
    private final String unackedIndexKey;
    private final String unackedMutexKey;
    private final Duration unackedMutexExpire;
    private final int unackedRestoreLimit;
    private final boolean ackEmulation;
    private final Duration pollingInterval;

    private RedisBrokerConfig(BackendUrl url, RedisConnectionConfig connection, SettingsReader r) {
        this.url = url;
        this.connection = connection;
        this.visibilityTimeout = r.seconds("visibility_timeout", Duration.ofSeconds(3600), false);
        this.queueOrder = r.choice("queue_order_strategy", QueueOrder.ROUND_ROBIN, QueueOrder.class);
        this.fanoutPrefix = KombuFanout.fanoutPrefix(r, connection.database());
        this.fanoutPatterns = KombuFanout.fanoutPatterns(r);
        this.sep = nonEmpty(r, "sep", DEFAULT_SEP);
        this.prioritySteps = steps(r);
        this.unackedKey = nonEmpty(r, "unacked_key", "unacked");
        this.unackedIndexKey = nonEmpty(r, "unacked_index_key", "unacked_index");
        this.unackedMutexKey = nonEmpty(r, "unacked_mutex_key", "unacked_mutex");
        this.unackedMutexExpire = r.seconds("unacked_mutex_expire", Duration.ofSeconds(300), false);
        this.unackedRestoreLimit = r.integer("unacked_restore_limit", 0, 0, Integer.MAX_VALUE);
        this.ackEmulation = r.bool("ack_emulation", true);
        this.pollingInterval = r.seconds("polling_interval", Duration.ofSeconds(1), false, Duration.ofSeconds(3600));
    }

    /**
     * Reads the connection settings and the transport options.
     *
     * @param url a {@code redis://}, {@code rediss://}, {@code socket://} or {@code sentinel://} broker URL
     *            ({@code sentinel://} parts separated by {@code ;})
     * @param options properties: connection settings (such as {@code redis_password}) and transport options
     * @return the configuration
     * @throws io.celeriac.InvalidConfigurationException listing every problem, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static RedisBrokerConfig parse(BackendUrl url, BrokerOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        Map<String, String> properties = options.properties();
        SettingsReader r = RedisConnectionConfig.reader(url, properties, PARAMETERS);
        RedisConnectionConfig connection = RedisConnectionConfig.parse(url, properties, r);
        for (String name : properties.keySet()) {
            if (!RedisConnectionConfig.isConnectionProperty(name) && !PARAMETERS.contains(name)) {
                Set<String> known = new TreeSet<>(RedisConnectionConfig.PARAMETERS);
                known.addAll(PARAMETERS);
                r.problem("unknown property '" + name + "'; known settings are " + known);
            }
        }
        RedisBrokerConfig config = new RedisBrokerConfig(url, connection, r);
        r.validate("Invalid broker URL " + url.masked());
        return config;
    }

    private static String nonEmpty(SettingsReader r, String name, String defaultValue) {
        String v = r.string(name, defaultValue);
        if (v == null || v.isEmpty()) {
            r.problem(name + " must not be empty");
            return defaultValue;
        }
        return v;
    }

    private static List<Integer> steps(SettingsReader r) {
        Optional<String> raw = r.raw("priority_steps");
        if (raw.isEmpty()) {
            return DEFAULT_PRIORITY_STEPS;
        }
        String text = raw.get().strip();
        if (text.startsWith("[") && text.endsWith("]") || text.startsWith("(") && text.endsWith(")")) {
            text = text.substring(1, text.length() - 1);
        }
        List<Integer> steps = new ArrayList<>();
        String problem = null;
        for (String part : text.split(",", -1)) {
            String p = part.strip();
            if (p.isEmpty() && steps.isEmpty() && text.isBlank()) {
                break;
            }
            try {
                int v = Integer.parseInt(p);
                if (v < 0 || v > 255) {
                    problem = "each step must be from 0 to 255";
                } else if (!steps.isEmpty() && v <= steps.get(steps.size() - 1)) {
                    problem = "the steps must be in ascending order, each once";
                }
                steps.add(v);
            } catch (NumberFormatException e) {
                problem = "'" + p + "' is not an integer";
            }
        }
        if (problem == null && (steps.isEmpty() || steps.get(0) != 0)) {
            problem = "the first step must be 0 (the queue's own list)";
        }
        if (problem != null) {
            r.problem("priority_steps must be a list of integers from 0 to 255 in ascending order starting with 0,"
                    + " such as 0,3,6,9 (" + problem + "), not '" + raw.get() + "'");
            return DEFAULT_PRIORITY_STEPS;
        }
        return List.copyOf(steps);
    }

    /**
     * The broker URL. <b>It may hold a password: use {@link BackendUrl#masked()} in text.</b>
     *
     * @return the URL
     */
    public BackendUrl url() {
        return url;
    }

    /** @return the URL with its password masked */
    public String masked() {
        return url.masked();
    }

    /** @return how Redis is reached */
    public RedisConnectionConfig connection() {
        return connection;
    }

    /** @return kombu's {@code visibility_timeout} */
    public Duration visibilityTimeout() {
        return visibilityTimeout;
    }

    /** @return kombu's {@code queue_order_strategy} */
    public QueueOrder queueOrder() {
        return queueOrder;
    }

    /** @return kombu's {@code keyprefix_fanout} with {@code {db}} replaced, e.g. {@code /0.}; may be empty */
    public String fanoutPrefix() {
        return fanoutPrefix;
    }

    /** @return kombu's {@code fanout_patterns} */
    public boolean fanoutPatterns() {
        return fanoutPatterns;
    }

    /** @return kombu's {@code sep} */
    public String sep() {
        return sep;
    }

    /** @return kombu's {@code priority_steps}, ascending, starting with 0 */
    public List<Integer> prioritySteps() {
        return prioritySteps;
    }

    /** @return kombu's {@code unacked_key} (without the global key prefix) */
    public String unackedKey() {
        return unackedKey;
    }

    /** @return kombu's {@code unacked_index_key} (without the global key prefix) */
    public String unackedIndexKey() {
        return unackedIndexKey;
    }

    /** @return kombu's {@code unacked_mutex_key} (without the global key prefix) */
    public String unackedMutexKey() {
        return unackedMutexKey;
    }

    /** @return kombu's {@code unacked_mutex_expire} */
    public Duration unackedMutexExpire() {
        return unackedMutexExpire;
    }

    /** @return kombu's {@code unacked_restore_limit}; 0 for no limit */
    public int unackedRestoreLimit() {
        return unackedRestoreLimit;
    }

    /** @return kombu's {@code ack_emulation} */
    public boolean ackEmulation() {
        return ackEmulation;
    }

    /** @return how long one {@code BRPOP} blocks */
    public Duration pollingInterval() {
        return pollingInterval;
    }

    /** @return kombu's {@code global_keyprefix} as written, {@code ""} for none */
    public String keyPrefix() {
        return connection.globalKeyPrefix() == null ? "" : connection.globalKeyPrefix();
    }

    @Override
    public String toString() {
        return "RedisBrokerConfig{" + url.masked() + ", " + connection + ", visibilityTimeout=" + visibilityTimeout
                + ", queueOrder=" + queueOrder + ", fanoutPrefix=" + fanoutPrefix + ", fanoutPatterns=" + fanoutPatterns
                + ", prioritySteps=" + prioritySteps + ", unacked=" + unackedKey + "/" + unackedIndexKey + "/"
                + unackedMutexKey + ", ackEmulation=" + ackEmulation + ", pollingInterval=" + pollingInterval + "}";
    }
}
