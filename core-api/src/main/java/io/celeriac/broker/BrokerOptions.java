package io.celeriac.broker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings a {@link Broker} is opened with: plugin-specific properties, such as Celery's
 * {@code broker_transport_options} and {@code broker_use_ssl} keys ({@code heartbeat}, {@code connect_timeout},
 * {@code ssl_ca_certs}, {@code visibility_timeout}, ...). The URL's query parameters override them. A broker
 * reports a property it does not know as a problem, so that a misspelt setting is never silently ignored.
 *
 * <p>Immutable and thread-safe.
 *
 * @param properties the settings, name to value as written; never {@code null} after construction
 */
public record BrokerOptions(Map<String, String> properties) {

    /**
     * Freezes the properties.
     *
     * @param properties the settings, may be {@code null} (no settings)
     * @throws NullPointerException when a name or a value is {@code null}
     */
    public BrokerOptions {
        Map<String, String> copy = new LinkedHashMap<>();
        if (properties != null) {
            properties.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "name"), Objects.requireNonNull(v, "value")));
        }
        properties = Collections.unmodifiableMap(copy);
    }

    /**
     * No settings: every plugin default.
     *
     * @return empty options
     */
    public static BrokerOptions defaults() {
        return new BrokerOptions(Map.of());
    }

    /**
     * These options with one more setting (or a replaced one).
     *
     * @param name the setting
     * @param value its value
     * @return new options
     */
    public BrokerOptions with(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(properties);
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new BrokerOptions(copy);
    }

    /**
     * One setting.
     *
     * @param name the setting
     * @return its value, if set
     */
    public Optional<String> property(String name) {
        return Optional.ofNullable(properties.get(name));
    }

    /**
     * Shows the names only: a value may be a secret.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "BrokerOptions" + properties.keySet();
    }
}
