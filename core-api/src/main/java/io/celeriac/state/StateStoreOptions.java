package io.celeriac.state;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings a state store is opened with: the worker's node name and pool index (for Celery's
 * {@code %h %n %d %p %i %I} placeholders in file names) and plugin-specific properties. Immutable.
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
     * Options for a worker named {@code celery@<this host>} in its main process.
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

    /** @return the worker's node name, e.g. {@code worker1@example.com} */
    public String nodeName() {
        return nodeName;
    }

    /** @return the pool process index (0 in the main process, where the state is opened) */
    public int poolIndex() {
        return poolIndex;
    }

    /** @return plugin-specific settings */
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

    /** A mutable builder; not thread-safe. */
    public static final class Builder {
        private String nodeName = "celery@" + localHostName();
        private int poolIndex;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
        }

        /** @param v the worker's node name ({@code name@host}) @return this builder */
        public Builder nodeName(String v) {
            nodeName = Objects.requireNonNull(v, "nodeName");
            return this;
        }

        /** @param v the pool process index @return this builder */
        public Builder poolIndex(int v) {
            poolIndex = v;
            return this;
        }

        /** @param name the property @param value its value, {@code null} to remove @return this builder */
        public Builder property(String name, String value) {
            if (value == null) {
                properties.remove(name);
            } else {
                properties.put(name, value);
            }
            return this;
        }

        /** @return the options */
        public StateStoreOptions build() {
            return new StateStoreOptions(nodeName, poolIndex, properties);
        }
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
