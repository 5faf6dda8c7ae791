package io.celeriac.backend.amqp.events;

import io.celeriac.backend.amqp.AmqpConnectionConfig;
import io.celeriac.backend.amqp.broker.AmqpBrokerConfig;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads the settings of the events area, the same for a source and a dispatcher so that one URL means the same to
 * both: the connection, the broker's own settings, and Celery's event settings.
 */
final class EventSettings {

    static final String EXCHANGE = "event_exchange";
    static final String QUEUE_PREFIX = "event_queue_prefix";
    static final String QUEUE_TTL = "event_queue_ttl";
    static final String QUEUE_EXPIRES = "event_queue_expires";
    static final String ROUTING_KEY = "routing_key";
    static final String WAKEUP = "wakeup";

    /** Celery's event settings, as this module reads them. */
    static final Set<String> NAMES = Set.of(EXCHANGE, QUEUE_PREFIX, QUEUE_TTL, QUEUE_EXPIRES, ROUTING_KEY, WAKEUP);

    private static final Duration MAX_MILLIS = Duration.ofMillis(Integer.MAX_VALUE);

    /** What was read. */
    record Values(AmqpConnectionConfig connection, AmqpBrokerConfig broker, String exchange, String queuePrefix,
                  Duration queueTtl, Duration queueExpires, List<String> routingKeys, boolean wakeup) {
    }

    private EventSettings() {
    }

    /**
     * Reads every setting; unknown ones are problems.
     *
     * @param url the broker URL
     * @param options the properties; the URL's query parameters override them
     * @return the values
     * @throws io.celeriac.InvalidConfigurationException listing every problem
     */
    static Values parse(BackendUrl url, EventSourceOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();
        List<BackendUrl> parts = AmqpConnectionConfig.splitFailover(url, problems);
        Map<String, String> merged = new LinkedHashMap<>(options.properties());
        if (!parts.isEmpty()) {
            merged.putAll(parts.get(0).query());
        }
        SettingsReader reader = new SettingsReader(merged, problems);
        AmqpConnectionConfig connection = AmqpConnectionConfig.read(parts, reader);
        AmqpBrokerConfig broker = AmqpBrokerConfig.read(connection, reader);
        String exchange = name(reader, EXCHANGE, "celeryev");
        String prefix = name(reader, QUEUE_PREFIX, "celeryev");
        Duration ttl = reader.seconds(QUEUE_TTL, Duration.ofSeconds(5), true, MAX_MILLIS);
        Duration expires = reader.seconds(QUEUE_EXPIRES, Duration.ofSeconds(60), false, MAX_MILLIS);
        if (expires.toMillis() < 1) {
            reader.problem(QUEUE_EXPIRES + " must be at least 0.001 seconds (RabbitMQ's x-expires is in whole "
                    + "milliseconds), not '" + reader.raw(QUEUE_EXPIRES).orElse("") + "'");
            expires = Duration.ofSeconds(60);
        }
        List<String> keys = routingKeys(reader);
        boolean wakeup = reader.bool(WAKEUP, true);
        Set<String> known = new HashSet<>(AmqpConnectionConfig.SETTINGS);
        known.addAll(AmqpBrokerConfig.SETTINGS);
        known.addAll(NAMES);
        for (String name : merged.keySet()) {
            if (!known.contains(name)) {
                reader.problem(AmqpConnectionConfig.unknownSetting(name, known));
            }
        }
        reader.validate("Invalid broker URL " + AmqpConnectionConfig.maskedText(url));
        return new Values(connection, broker, exchange, prefix, ttl, expires, keys, wakeup);
    }

    private static String name(SettingsReader reader, String setting, String defaultValue) {
        String v = reader.string(setting, defaultValue).strip();
        int bytes = v.getBytes(StandardCharsets.UTF_8).length;
        if (v.isEmpty() || bytes > 200) {
            reader.problem(setting + " must be a name of 1 to 200 bytes, not '" + v + "'");
            return defaultValue;
        }
        return v;
    }

    /** {@code #} by default; a comma-separated list, each key or event type with {@code -} turned into {@code .}. */
    private static List<String> routingKeys(SettingsReader reader) {
        String raw = reader.string(ROUTING_KEY, "#");
        List<String> keys = new ArrayList<>();
        for (String part : raw.split(",", -1)) {
            String key = part.strip().replace('-', '.');
            if (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > 255) {
                reader.problem(ROUTING_KEY + " must be a comma-separated list of binding keys (such as '#', "
                        + "'worker.#' or 'task.multi'), each of 1 to 255 bytes, not '" + raw + "'");
                return List.of("#");
            }
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        return List.copyOf(keys);
    }
}
