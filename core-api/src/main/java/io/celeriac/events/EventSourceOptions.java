package io.celeriac.events;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of an {@link EventSource}: plugin-specific properties such as kombu's transport options
 * ({@code fanout_prefix}, {@code fanout_patterns}, {@code global_keyprefix}). Immutable.
 *
 * @param properties the settings
 */
public record EventSourceOptions(Map<String, String> properties) {

    /** Freezes the properties. */
    public EventSourceOptions {
        properties = properties == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /**
     * No settings.
     *
     * @return empty options
     */
    public static EventSourceOptions defaults() {
        return new EventSourceOptions(Map.of());
    }

    /**
     * One setting.
     *
     * @param name the property
     * @return its value, if set
     */
    public Optional<String> property(String name) {
        return Optional.ofNullable(properties.get(name));
    }
}
