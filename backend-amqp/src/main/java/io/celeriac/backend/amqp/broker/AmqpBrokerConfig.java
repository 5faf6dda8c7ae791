package io.celeriac.backend.amqp.broker;

import io.celeriac.backend.amqp.AmqpConnectionConfig;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of a RabbitMQ broker: the {@link AmqpConnectionConfig} (URL, credentials, virtual host, failover,
 * heartbeat, TLS) and the broker's own settings, as query parameters of the URL or {@link BrokerOptions}
 * properties (the URL wins):
 * <ul>
 *   <li>{@code confirm_timeout}: how long a publish waits for the broker's confirmation, seconds (30);</li>
 *   <li>{@code channel_pool_size}: the publishing channels, so that many threads publish at once (8);</li>
 *   <li>{@code consumer_threads}: the threads that run the subscriptions' handlers (4);</li>
 *   <li>{@code close_timeout}: how long {@code close()} waits for publishes awaiting confirmation and for the
 *       connection to close, seconds (5).</li>
 * </ul>
 * An unknown setting is a problem, reported with the others. Immutable and thread-safe.
 */
public final class AmqpBrokerConfig {

    /** The broker's own settings (besides {@link AmqpConnectionConfig#SETTINGS}). */
    public static final Set<String> SETTINGS = Set.of("confirm_timeout", "channel_pool_size", "consumer_threads",
            "close_timeout");

    private final AmqpConnectionConfig connection;
    private final Duration confirmTimeout;
    private final int channelPoolSize;
    private final int consumerThreads;
    private final Duration closeTimeout;

    private AmqpBrokerConfig(AmqpConnectionConfig connection, Duration confirmTimeout, int channelPoolSize,
                             int consumerThreads, Duration closeTimeout) {
        this.connection = connection;
        this.confirmTimeout = confirmTimeout;
        this.channelPoolSize = channelPoolSize;
        this.consumerThreads = consumerThreads;
        this.closeTimeout = closeTimeout;
    }

    /**
     * Parses a broker URL and options.
     *
     * @param url Celery's {@code broker_url} (a {@code ;}-separated failover list is allowed)
     * @param options properties; the URL's query parameters override them
     * @return the configuration
     * @throws io.celeriac.InvalidConfigurationException listing every problem found
     */
    public static AmqpBrokerConfig parse(BackendUrl url, BrokerOptions options) {
        List<String> problems = new java.util.ArrayList<>();
        List<BackendUrl> parts = AmqpConnectionConfig.splitFailover(url, problems);
        Map<String, String> merged = new LinkedHashMap<>(options.properties());
        if (!parts.isEmpty()) {
            merged.putAll(parts.get(0).query());
        }
        SettingsReader reader = new SettingsReader(merged, problems);
        AmqpConnectionConfig connection = AmqpConnectionConfig.read(parts, reader);
        AmqpBrokerConfig config = read(connection, reader);
        Set<String> known = new HashSet<>(AmqpConnectionConfig.SETTINGS);
        known.addAll(SETTINGS);
        for (String name : merged.keySet()) {
            if (!known.contains(name)) {
                reader.problem(AmqpConnectionConfig.unknownSetting(name, known));
            }
        }
        reader.validate("Invalid broker URL " + AmqpConnectionConfig.maskedText(url));
        return config;
    }

    /**
     * Reads the broker's own settings ({@link #SETTINGS}) beside a connection read earlier from the same reader,
     * for another area of this module that works through a broker (the events); problems are added to the reader,
     * unknown settings are not checked here (the caller knows its own).
     *
     * @param connection the connection, read by {@link AmqpConnectionConfig#read}
     * @param reader the settings
     * @return the configuration (meaningful only when the reader holds no problem)
     */
    public static AmqpBrokerConfig read(AmqpConnectionConfig connection, SettingsReader reader) {
        Duration confirm = reader.seconds("confirm_timeout", Duration.ofSeconds(30), false, Duration.ofSeconds(3600));
        int pool = reader.integer("channel_pool_size", 8, 1, 256);
        int threads = reader.integer("consumer_threads", 4, 1, 256);
        Duration close = reader.seconds("close_timeout", Duration.ofSeconds(5), true, Duration.ofSeconds(600));
        return new AmqpBrokerConfig(connection, confirm, pool, threads, close);
    }

    /**
     * The same configuration with other pool sizes, e.g. one consumer thread where deliveries must keep their
     * order.
     *
     * @param channelPoolSize the publishing channels, 1 to 256
     * @param consumerThreads the threads running the subscriptions' handlers, 1 to 256
     * @return the new configuration
     * @throws IllegalArgumentException when a size is out of range
     */
    public AmqpBrokerConfig withPools(int channelPoolSize, int consumerThreads) {
        if (channelPoolSize < 1 || channelPoolSize > 256 || consumerThreads < 1 || consumerThreads > 256) {
            throw new IllegalArgumentException("pool sizes must be from 1 to 256, not " + channelPoolSize + " and "
                    + consumerThreads);
        }
        return new AmqpBrokerConfig(connection, confirmTimeout, channelPoolSize, consumerThreads, closeTimeout);
    }

    /** @return how to reach the broker */
    public AmqpConnectionConfig connection() {
        return connection;
    }

    /** @return how long a publish waits for its confirmation */
    public Duration confirmTimeout() {
        return confirmTimeout;
    }

    /** @return the number of publishing channels */
    public int channelPoolSize() {
        return channelPoolSize;
    }

    /** @return the number of threads running subscription handlers */
    public int consumerThreads() {
        return consumerThreads;
    }

    /** @return how long close waits */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** @return the masked broker URI */
    public String masked() {
        return connection.masked();
    }

    @Override
    public String toString() {
        return "AmqpBrokerConfig[" + connection + ", confirmTimeout=" + confirmTimeout + ", channelPoolSize="
                + channelPoolSize + ", consumerThreads=" + consumerThreads + "]";
    }
}
