package io.celeriac.state;

import io.celeriac.InvalidConfigurationException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings a state store is opened with: the worker's node name and pool process index (for Celery's
 * {@code %h %n %d %p %i %I} placeholders in file names, and to name the holder of a lock) and
 * plugin-specific properties (the file store's are listed in its documentation; a store ignores
 * properties it does not know, so one options object can serve several stores).
 *
 * <p>Immutable and thread-safe; built with {@link #builder()}.
 */
public final class StateStoreOptions {

    private final String nodeName;
    private final int poolIndex;
    private final Map<String, String> properties;

    private StateStoreOptions(String nodeName, int poolIndex, Map<String, String> properties) {
        this.nodeName = nodeName;
        this.poolIndex = poolIndex;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /**
     * Options for a worker named {@code celery@<this host>} in its main process, with no properties.
     *
     * @return the default options
     */
    public static StateStoreOptions defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The worker's node name, Celery's {@code name@host} (default {@code celery@<this host>}).
     *
     * @return the node name, never blank
     */
    public String nodeName() {
        return nodeName;
    }

    /**
     * The pool process index as Celery's {@code %i} shows it: 0 in the main process (where a worker opens
     * its state), {@code n >= 1} in the n-th pool child.
     *
     * @return the index, never negative
     */
    public int poolIndex() {
        return poolIndex;
    }

    /**
     * Plugin-specific settings.
     *
     * @return an unmodifiable map, never null
     */
    public Map<String, String> properties() {
        return properties;
    }

    /**
     * One plugin-specific setting.
     *
     * @param name the property
     * @return its value, if set
     */
    public Optional<String> property(String name) {
        return Optional.ofNullable(properties.get(name));
    }

    @Override
    public String toString() {
        return "StateStoreOptions[nodeName=" + nodeName + ", poolIndex=" + poolIndex + ", properties=" + properties.keySet() + "]";
    }

    /** A mutable builder of {@link StateStoreOptions}; not thread-safe. */
    public static final class Builder {
        private String nodeName;
        private int poolIndex;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets the worker's node name.
         *
         * @param v {@code name@host}, as Celery's {@code -n}; a name without {@code @} is taken as a host
         *          name, as Celery's {@code nodesplit} does
         * @return this builder
         * @throws NullPointerException when {@code v} is null
         */
        public Builder nodeName(String v) {
            nodeName = Objects.requireNonNull(v, "nodeName");
            return this;
        }

        /**
         * Sets the pool process index.
         *
         * @param v 0 for the main process, {@code n >= 1} for the n-th pool child
         * @return this builder
         */
        public Builder poolIndex(int v) {
            poolIndex = v;
            return this;
        }

        /**
         * Sets or removes one plugin-specific property.
         *
         * @param name the property
         * @param value its value, {@code null} to remove it
         * @return this builder
         * @throws NullPointerException when {@code name} is null
         */
        public Builder property(String name, String value) {
            Objects.requireNonNull(name, "name");
            if (value == null) {
                properties.remove(name);
            } else {
                properties.put(name, value);
            }
            return this;
        }

        /**
         * Sets several plugin-specific properties.
         *
         * @param values properties and their values
         * @return this builder
         * @throws NullPointerException when a name or value is null
         */
        public Builder properties(Map<String, String> values) {
            values.forEach((k, v) -> properties.put(Objects.requireNonNull(k, "name"), Objects.requireNonNull(v, "value")));
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws InvalidConfigurationException listing every problem (a blank node name, a negative index)
         */
        public StateStoreOptions build() {
            List<String> problems = new ArrayList<>();
            String name = nodeName == null ? "celery@" + localHostName() : nodeName;
            if (name.isBlank()) {
                problems.add("the node name is blank; give one such as celery@" + localHostName());
            }
            if (poolIndex < 0) {
                problems.add("the pool index cannot be negative: " + poolIndex);
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("Invalid state store options", problems);
            }
            return new StateStoreOptions(name, poolIndex, properties);
        }
    }

    /**
     * This host's name, as Python's {@code socket.gethostname()} gives it.
     *
     * @return the host name, or {@code localhost} when it cannot be found
     */
    static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
