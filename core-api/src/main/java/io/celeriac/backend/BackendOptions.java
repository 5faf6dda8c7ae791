package io.celeriac.backend;

import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings a backend is opened with: Celery's app settings that shape results ({@code result_expires},
 * {@code result_extended}, the retry policy) plus celeriac's own (the poll interval of backends without
 * push, the chord callback, the clock) and free-form plugin properties.
 *
 * <p>Immutable and thread-safe; start from {@link #defaults()} or {@link #builder()}. Query parameters of
 * the backend URL override these values: {@code result_expires} (seconds; 0 means never) and
 * {@code result_extended} (true/false) for every backend, see {@link #withUrlOverrides(BackendUrl)}.
 */
public final class BackendOptions {

    /** Celery's default {@code result_expires}: one day. */
    public static final Duration DEFAULT_EXPIRES = Duration.ofDays(1);
    /** The default longest interval between two polls of a backend without push. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

    /**
     * The query parameters every backend URL accepts and {@link #withUrlOverrides(BackendUrl)} applies:
     * {@code result_expires}, {@code result_extended} and {@code celery_version}.
     */
    public static final java.util.Set<String> URL_SETTINGS = java.util.Set.of("result_expires", "result_extended",
            "celery_version");

    private static final BackendOptions DEFAULTS = new Builder().build();

    private final Duration resultExpires;
    private final boolean resultExtended;
    private final RetryPolicy retryPolicy;
    private final Duration pollInterval;
    private final ChordCallback chordCallback;
    private final Clock clock;
    private final Map<String, String> properties;
    private final PeerVersion peerVersion;

    private BackendOptions(Builder b) {
        this.peerVersion = b.peerVersion;
        this.resultExpires = b.resultExpires;
        this.resultExtended = b.resultExtended;
        this.retryPolicy = b.retryPolicy;
        this.pollInterval = b.pollInterval;
        this.chordCallback = b.chordCallback;
        this.clock = b.clock;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(b.properties));
    }

    /**
     * Celery's defaults: results expire after one day, not extended, Celery's retry policy.
     *
     * @return the default options
     */
    public static BackendOptions defaults() {
        return DEFAULTS;
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
     * A builder holding these options.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.resultExpires = resultExpires;
        b.resultExtended = resultExtended;
        b.retryPolicy = retryPolicy;
        b.pollInterval = pollInterval;
        b.chordCallback = chordCallback;
        b.clock = clock;
        b.properties.putAll(properties);
        b.peerVersion = peerVersion;
        return b;
    }

    /**
     * These options with the URL's {@code result_expires} and {@code result_extended} query parameters applied.
     *
     * @param url the backend URL
     * @return the options the backend should use
     * @throws io.celeriac.url.InvalidUrlException when a parameter has a bad value (both are checked)
     */
    public BackendOptions withUrlOverrides(BackendUrl url) {
        if (!url.query().containsKey("result_expires") && !url.query().containsKey("result_extended")
                && !url.query().containsKey("celery_version")) {
            return this;
        }
        SettingsReader r = url.settings();
        Duration expires = r.seconds("result_expires", resultExpires, true);
        boolean extended = r.bool("result_extended", resultExtended);
        PeerVersion version = peerVersion;
        if (url.query().containsKey("celery_version")) {
            try {
                version = PeerVersion.parse(r.string("celery_version", null));
            } catch (io.celeriac.InvalidConfigurationException e) {
                e.problems().forEach(r::problem);
            }
        }
        if (!r.problems().isEmpty()) {
            throw InvalidUrlException.of(url, r.problems());
        }
        return toBuilder().resultExpires(expires).resultExtended(extended).peerVersion(version).build();
    }

    /**
     * How long results are kept; {@link Duration#ZERO} means they never expire.
     *
     * @return the expiry
     */
    public Duration resultExpires() {
        return resultExpires;
    }

    /**
     * The expiry, or empty when results never expire.
     *
     * @return the expiry if results expire
     */
    public Optional<Duration> expiry() {
        return resultExpires.isZero() ? Optional.empty() : Optional.of(resultExpires);
    }

    /**
     * Whether results carry the extended fields (name, args, kwargs, worker, retries, queue).
     *
     * @return Celery's {@code result_extended}
     */
    public boolean resultExtended() {
        return resultExtended;
    }

    /**
     * The Celery version of the Python peers that read these results (Celery's stored forms differ slightly
     * between versions); set by the URL's {@code celery_version}, default 5.2.
     *
     * @return the version
     */
    public PeerVersion peerVersion() {
        return peerVersion;
    }

    /**
     * How transient errors are retried.
     *
     * @return the retry policy
     */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /**
     * The longest interval between two polls when a backend without push waits for a result.
     *
     * @return the poll interval
     */
    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * The callback completed chords are handed to, if any.
     *
     * @return the callback, or {@code null}
     */
    public ChordCallback chordCallback() {
        return chordCallback;
    }

    /**
     * The clock {@code date_done} and expiry are measured with (UTC system clock by default).
     *
     * @return the clock
     */
    public Clock clock() {
        return clock;
    }

    /**
     * Plugin-specific settings, such as Celery's {@code database_table_names} or transport options.
     *
     * @return an unmodifiable map
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
        return "BackendOptions{resultExpires=" + resultExpires + ", resultExtended=" + resultExtended
                + ", celeryVersion=" + peerVersion + ", retryPolicy=" + retryPolicy + ", pollInterval=" + pollInterval
                + ", chordCallback=" + (chordCallback != null) + ", properties=" + properties.keySet() + '}';
    }

    /** A mutable builder of {@link BackendOptions}; not thread-safe. */
    public static final class Builder {
        private Duration resultExpires = DEFAULT_EXPIRES;
        private boolean resultExtended;
        private RetryPolicy retryPolicy = RetryPolicy.CELERY_DEFAULT;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private ChordCallback chordCallback;
        private Clock clock = Clock.systemUTC();
        private final Map<String, String> properties = new LinkedHashMap<>();
        private PeerVersion peerVersion = PeerVersion.V5_2;

        private Builder() {
        }

        /**
         * Sets the Celery version of the Python peers that read these results.
         *
         * @param v the version; from 5.5 on {@code date_done} is written with {@code +00:00}
         * @return this builder
         */
        public Builder peerVersion(PeerVersion v) {
            peerVersion = Objects.requireNonNull(v, "peerVersion");
            return this;
        }

        /**
         * Sets how long results are kept.
         *
         * @param v the expiry; {@code null} or zero means never
         * @return this builder
         */
        public Builder resultExpires(Duration v) {
            if (v != null && v.isNegative()) {
                throw new IllegalArgumentException("result_expires cannot be negative: " + v);
            }
            resultExpires = v == null ? Duration.ZERO : v;
            return this;
        }

        /**
         * Sets whether results carry the extended fields.
         *
         * @param v Celery's {@code result_extended}
         * @return this builder
         */
        public Builder resultExtended(boolean v) {
            resultExtended = v;
            return this;
        }

        /**
         * Sets the retry policy.
         *
         * @param v the policy
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy v) {
            retryPolicy = Objects.requireNonNull(v, "retryPolicy");
            return this;
        }

        /**
         * Sets the longest interval between two polls of a backend without push.
         *
         * @param v a positive interval
         * @return this builder
         */
        public Builder pollInterval(Duration v) {
            if (v == null || v.isZero() || v.isNegative()) {
                throw new IllegalArgumentException("the poll interval must be positive: " + v);
            }
            pollInterval = v;
            return this;
        }

        /**
         * Sets the callback completed chords are handed to.
         *
         * @param v the callback, or {@code null}
         * @return this builder
         */
        public Builder chordCallback(ChordCallback v) {
            chordCallback = v;
            return this;
        }

        /**
         * Sets the clock {@code date_done} and expiry are measured with.
         *
         * @param v the clock
         * @return this builder
         */
        public Builder clock(Clock v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /**
         * Sets a plugin-specific property.
         *
         * @param name the property
         * @param value its value; {@code null} removes it
         * @return this builder
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
         * Builds the options.
         *
         * @return the options
         */
        public BackendOptions build() {
            return new BackendOptions(this);
        }
    }
}
