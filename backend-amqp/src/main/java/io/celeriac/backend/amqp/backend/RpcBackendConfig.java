package io.celeriac.backend.amqp.backend;

import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.PeerVersion;
import io.celeriac.backend.amqp.AmqpConnectionConfig;
import io.celeriac.backend.amqp.broker.AmqpBrokerConfig;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The configuration of Celery's {@code rpc://} result backend, parsed once by {@link #parse}: how to reach
 * RabbitMQ (the module's shared {@link AmqpConnectionConfig}, with the broker settings of {@link AmqpBrokerConfig})
 * and the backend's own settings.
 *
 * <p>Where the connection comes from:
 * <ul>
 *   <li>{@code rpc://} alone, Celery's form: the broker URL, taken from the {@value #BROKER_URL} property of the
 *       {@link BackendOptions}, else from the environment variable {@value #ENV_BROKER_URL}, else
 *       {@value #DEFAULT_BROKER_URL}; it must be an AMQP URL ({@code amqp://}, {@code amqps://}, {@code pyamqp://},
 *       {@code librabbitmq://}, a {@code ;}-separated failover list allowed);</li>
 *   <li>{@code rpc://user:password@host:port/vhost}: that broker, read as the same URL with the scheme
 *       {@code amqp}.</li>
 * </ul>
 *
 * <p>Settings, as query parameters of the URL (which win; for {@code rpc://} alone also those of the broker URL)
 * or as properties of the {@link BackendOptions}:
 * <ul>
 *   <li>{@value #RESULT_PERSISTENT}: result messages are sent with {@code delivery_mode} 2 instead of 1, Celery's
 *       {@code result_persistent} (false);</li>
 *   <li>{@value #DURABLE_REPLY_QUEUE}: the reply queue is declared durable, as Celery 5.7 declares it (for
 *       RabbitMQ 4.3, which refuses transient non-exclusive queues); false declares it as Celery 5.2 to 5.6 do. The
 *       default follows {@link BackendOptions#peerVersion()} (the URL's {@code celery_version}): durable from 5.7
 *       on;</li>
 *   <li>{@value #DEFAULT_REPLY_TO}: where a result stored without a request's {@code reply_to} is sent (by default
 *       the backend's own reply queue);</li>
 *   <li>{@code result_expires}, {@code result_extended} and {@code celery_version}: see {@link BackendOptions}; the
 *       reply queue's
 *       {@code x-expires} is {@code result_expires} in milliseconds (at most 2<sup>31</sup>-1, about 24.8 days;
 *       none when results never expire);</li>
 *   <li>every setting of {@link AmqpConnectionConfig} and {@link AmqpBrokerConfig}.</li>
 * </ul>
 * An unknown setting is a problem; every problem is reported at once.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows no password.
 */
public final class RpcBackendConfig {

    /** The property naming Celery's {@code broker_url}, used by {@code rpc://} alone. */
    public static final String BROKER_URL = "broker_url";
    /** The environment variable read when {@value #BROKER_URL} is not given, as Celery reads it. */
    public static final String ENV_BROKER_URL = "CELERY_BROKER_URL";
    /** The broker used when neither {@value #BROKER_URL} nor {@value #ENV_BROKER_URL} is given (Celery's default). */
    public static final String DEFAULT_BROKER_URL = "amqp://guest:guest@localhost:5672//";
    /** Setting: result messages are persistent ({@code delivery_mode} 2), Celery's {@code result_persistent}. */
    public static final String RESULT_PERSISTENT = "result_persistent";
    /** Setting: the reply queue is durable, as Celery 5.7 declares it. */
    public static final String DURABLE_REPLY_QUEUE = "reply_queue_durable";
    /** Setting: where a result stored without a request's {@code reply_to} goes (the own reply queue by default). */
    public static final String DEFAULT_REPLY_TO = "default_reply_to";
    /** The backend's own settings, besides the connection's and the broker's. */
    public static final Set<String> SETTINGS = Set.of(BROKER_URL, RESULT_PERSISTENT, DURABLE_REPLY_QUEUE,
            DEFAULT_REPLY_TO, "result_expires", "result_extended", "celery_version");
    /** Celery 5.7, the first to declare the reply queue durable and to send the whole meta in result messages. */
    public static final PeerVersion CELERY_5_7 = new PeerVersion(5, 7);

    /** Where the connection was taken from. */
    public enum BrokerSource {
        /** The {@code rpc://user:password@host/vhost} URL itself. */
        URL,
        /** The {@value RpcBackendConfig#BROKER_URL} property. */
        OPTION,
        /** The {@value RpcBackendConfig#ENV_BROKER_URL} environment variable. */
        ENVIRONMENT,
        /** Celery's default broker URL. */
        DEFAULT
    }

    private final BackendUrl url;
    private final BackendOptions options;
    private final AmqpBrokerConfig broker;
    private final BrokerSource brokerSource;
    private final boolean persistent;
    private final boolean durableReplyQueue;
    private final String defaultReplyTo;

    private RpcBackendConfig(BackendUrl url, BackendOptions options, AmqpBrokerConfig broker, BrokerSource brokerSource,
                             boolean persistent, boolean durableReplyQueue, String defaultReplyTo) {
        this.url = url;
        this.options = options;
        this.broker = broker;
        this.brokerSource = brokerSource;
        this.persistent = persistent;
        this.durableReplyQueue = durableReplyQueue;
        this.defaultReplyTo = defaultReplyTo;
    }

    /**
     * Parses an {@code rpc://} URL and options, reading {@value #ENV_BROKER_URL} from the process environment.
     *
     * @param url the backend URL
     * @param options the options (with the URL's {@code result_expires} and {@code result_extended} applied)
     * @return the configuration
     * @throws InvalidUrlException listing every problem found, with passwords masked
     * @throws NullPointerException when an argument is null
     */
    public static RpcBackendConfig parse(BackendUrl url, BackendOptions options) {
        return parse(url, options, System.getenv());
    }

    /**
     * Parses an {@code rpc://} URL and options with a given environment.
     *
     * @param url the backend URL
     * @param options the options
     * @param environment the environment variables ({@value #ENV_BROKER_URL} is read from it)
     * @return the configuration
     * @throws InvalidUrlException listing every problem found, with passwords masked
     * @throws NullPointerException when an argument is null
     */
    public static RpcBackendConfig parse(BackendUrl url, BackendOptions options, Map<String, String> environment) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(environment, "environment");
        List<String> problems = new ArrayList<>();
        BrokerSource source;
        String brokerText;
        if (url.host() != null || url.user() != null) {
            source = BrokerSource.URL;
            String text = url.unmaskedText().strip();
            int colon = text.indexOf("://");
            brokerText = "amqp" + text.substring(colon);
        } else if (options.property(BROKER_URL).filter(s -> !s.isBlank()).isPresent()) {
            source = BrokerSource.OPTION;
            brokerText = options.property(BROKER_URL).orElseThrow().strip();
        } else if (environment.get(ENV_BROKER_URL) != null && !environment.get(ENV_BROKER_URL).isBlank()) {
            source = BrokerSource.ENVIRONMENT;
            brokerText = environment.get(ENV_BROKER_URL).strip();
        } else {
            source = BrokerSource.DEFAULT;
            brokerText = DEFAULT_BROKER_URL;
        }
        List<BackendUrl> parts = List.of();
        try {
            BackendUrl brokerUrl = BackendUrl.parse(brokerText);
            parts = AmqpConnectionConfig.splitFailover(brokerUrl, problems);
            if (!parts.isEmpty() && !AmqpConnectionConfig.SCHEMES.contains(parts.get(0).scheme())) {
                problems.add("rpc:// sends results through RabbitMQ, but the broker URL (" + sourceText(source)
                        + ") is " + parts.get(0).scheme() + "://...; give an amqp:// broker URL");
                parts = List.of();
            }
        } catch (InvalidUrlException e) {
            for (String p : e.problems()) {
                problems.add("the broker URL (" + sourceText(source) + "): " + p);
            }
        }
        Map<String, String> merged = new LinkedHashMap<>(options.properties());
        merged.remove(BROKER_URL);
        if (source != BrokerSource.URL && !parts.isEmpty()) {
            merged.putAll(parts.get(0).query());
        }
        merged.putAll(url.query());
        SettingsReader reader = new SettingsReader(merged, problems);
        AmqpConnectionConfig connection = AmqpConnectionConfig.read(parts, reader);
        AmqpBrokerConfig broker = AmqpBrokerConfig.read(connection, reader);
        boolean persistent = reader.bool(RESULT_PERSISTENT, false);
        boolean durable = reader.bool(DURABLE_REPLY_QUEUE, options.peerVersion().atLeast(CELERY_5_7));
        String defaultReplyTo = reader.string(DEFAULT_REPLY_TO, null);
        if (defaultReplyTo != null && (defaultReplyTo.isBlank()
                || defaultReplyTo.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255)) {
            reader.problem(DEFAULT_REPLY_TO + " must be a queue name of 1 to 255 bytes");
            defaultReplyTo = null;
        }
        Set<String> known = new HashSet<>(AmqpConnectionConfig.SETTINGS);
        known.addAll(AmqpBrokerConfig.SETTINGS);
        known.addAll(SETTINGS);
        for (String name : merged.keySet()) {
            if (!known.contains(name)) {
                reader.problem(AmqpConnectionConfig.unknownSetting(name, known));
            }
        }
        if (!problems.isEmpty()) {
            throw InvalidUrlException.of(url, problems);
        }
        return new RpcBackendConfig(url, options, broker, source, persistent, durable, defaultReplyTo);
    }

    private static String sourceText(BrokerSource source) {
        return switch (source) {
            case URL -> "the rpc:// URL";
            case OPTION -> "option " + BROKER_URL;
            case ENVIRONMENT -> "environment variable " + ENV_BROKER_URL;
            case DEFAULT -> "Celery's default";
        };
    }

    /**
     * The backend URL. <b>It may hold a password: use {@link BackendUrl#masked()} in text.</b>
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

    /** @return how RabbitMQ is reached */
    public AmqpConnectionConfig connection() {
        return broker.connection();
    }

    /** @return the settings of the broker connection results travel through */
    public AmqpBrokerConfig broker() {
        return broker;
    }

    /** @return where the connection was taken from */
    public BrokerSource brokerSource() {
        return brokerSource;
    }

    /** @return whether result messages are persistent ({@code delivery_mode} 2), Celery's {@code result_persistent} */
    public boolean persistent() {
        return persistent;
    }

    /**
     * Whether result messages carry the whole meta as Celery 5.7 sends it ({@code _get_result_meta} with
     * {@code date_done}, the group and parent ids, the extended fields, then {@code task_id}) rather than Celery 5.2
     * to 5.6's {@code {task_id, status, result, traceback, children}}: with {@code result_extended} (Celery 5.7
     * respects it, 5.2 to 5.6 ignore it) or a {@code celery_version} of 5.7 or later.
     *
     * @return {@code true} for the whole meta
     */
    public boolean sendsWholeMeta() {
        return options.resultExtended() || options.peerVersion().atLeast(CELERY_5_7);
    }

    /** @return whether the reply queue is declared durable (Celery 5.7) rather than transient (Celery 5.2 to 5.6) */
    public boolean durableReplyQueue() {
        return durableReplyQueue;
    }

    /** @return where a result stored without a request's {@code reply_to} goes, or {@code null} for the own queue */
    public String defaultReplyTo() {
        return defaultReplyTo;
    }

    /**
     * The reply queue's {@code x-expires}: {@code result_expires} in milliseconds, at most {@link Integer#MAX_VALUE}.
     *
     * @return the milliseconds, or {@code 0} when results never expire (no {@code x-expires})
     */
    public long replyQueueExpiresMillis() {
        Duration d = options.resultExpires();
        if (d.isZero()) {
            return 0;
        }
        return Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    /** @return the broker URI with its password masked, e.g. {@code amqp://guest:**@localhost:5672//} */
    public String maskedBroker() {
        return broker.masked();
    }

    @Override
    public String toString() {
        return "RpcBackendConfig[" + url.masked() + ", broker " + broker.connection() + " from "
                + brokerSource.name().toLowerCase(java.util.Locale.ROOT) + ", persistent=" + persistent
                + ", durableReplyQueue=" + durableReplyQueue + "]";
    }
}
