package io.celeriac.statedb.file;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.spi.SettingsReader;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.statedb.file.internal.NodeFormat;
import io.celeriac.url.BackendUrl;

import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The configuration of a {@code file:} state store: the state file's path and how the store writes it.
 * Parsed once from a URL and {@link StateStoreOptions} by {@link #parse}, or built with {@link #builder}.
 *
 * <p>Settings, given as {@link StateStoreOptions} properties or as query parameters of a {@code file://}
 * URL (which win), read as every celeriac setting is ({@link SettingsReader}: booleans {@code true/yes/on/1}
 * or {@code false/no/off/0}, seconds as Python's {@code float()} reads them, sizes with an optional unit
 * {@code k}, {@code m} or {@code g}):
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #ON_CORRUPT}</td><td>{@code fail}</td><td>{@code fail}: a corrupt file stops the open and
 *       nothing is moved; {@code keep_aside}: it is kept aside under a new name and the store starts from what
 *       is valid</td></tr>
 *   <tr><td>{@value #JOURNAL_FSYNC}</td><td>{@code true}</td><td>fsync each journal batch; {@code false} survives
 *       a killed process but not a power loss</td></tr>
 *   <tr><td>{@value #JOURNAL_COMMIT_DELAY}</td><td>{@code 0}</td><td>seconds a journal batch may wait for more
 *       revokes before its fsync (group commit); 0 writes as soon as the previous write ends</td></tr>
 *   <tr><td>{@value #JOURNAL_MAX_BATCH}</td><td>{@code 4096}</td><td>records that end the commit delay early</td></tr>
 *   <tr><td>{@value #JOURNAL_COMPACT_SIZE}</td><td>{@code 8388608}</td><td>journal bytes after which the store
 *       rewrites its snapshot by itself; 0 never</td></tr>
 *   <tr><td>{@value #CLOCK_RESERVE}</td><td>{@code 1000}</td><td>clock steps stored ahead, so one step in this
 *       many pays for a journal write; 0 writes every step</td></tr>
 *   <tr><td>{@value #SHUTDOWN_HOOK}</td><td>{@code true}</td><td>save at JVM exit, as Celery's atexit</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 */
public final class FileStateStoreConfig {

    /** What to do with a corrupt state file or journal. */
    public enum OnCorrupt {
        /** Refuse to open, naming the file; nothing is changed or moved (the default). */
        FAIL,
        /** Keep the bad file aside under a new name (never replacing another) and start from what is valid. */
        KEEP_ASIDE
    }

    /** Property: {@code fail} or {@code keep_aside}. */
    public static final String ON_CORRUPT = "on_corrupt";
    /** Property: {@code true} or {@code false}. */
    public static final String JOURNAL_FSYNC = "journal_fsync";
    /** Property: seconds, may be fractional. */
    public static final String JOURNAL_COMMIT_DELAY = "journal_commit_delay";
    /** Property: a positive number of records. */
    public static final String JOURNAL_MAX_BATCH = "journal_max_batch";
    /** Property: a size in bytes (units {@code k}, {@code m}, {@code g} allowed), 0 to turn compaction off. */
    public static final String JOURNAL_COMPACT_SIZE = "journal_compact_size";
    /** Property: clock steps, 0 or more. */
    public static final String CLOCK_RESERVE = "clock_reserve";
    /** Property: {@code true} or {@code false}. */
    public static final String SHUTDOWN_HOOK = "shutdown_hook";

    private static final Set<String> NAMES = Set.of(ON_CORRUPT, JOURNAL_FSYNC, JOURNAL_COMMIT_DELAY, JOURNAL_MAX_BATCH,
            JOURNAL_COMPACT_SIZE, CLOCK_RESERVE, SHUTDOWN_HOOK);
    private static final Duration MAX_COMMIT_DELAY = Duration.ofSeconds(1);

    private final Path path;
    private final String nodeName;
    private final OnCorrupt onCorrupt;
    private final boolean journalFsync;
    private final Duration journalCommitDelay;
    private final int journalMaxBatch;
    private final long journalCompactSize;
    private final long clockReserve;
    private final boolean shutdownHook;

    private FileStateStoreConfig(Builder b) {
        this.path = b.path.toAbsolutePath().normalize();
        this.nodeName = b.nodeName;
        this.onCorrupt = b.onCorrupt;
        this.journalFsync = b.journalFsync;
        this.journalCommitDelay = b.journalCommitDelay;
        this.journalMaxBatch = b.journalMaxBatch;
        this.journalCompactSize = b.journalCompactSize;
        this.clockReserve = b.clockReserve;
        this.shutdownHook = b.shutdownHook;
    }

    /**
     * Parses a {@code file:///path} URL or a plain path, expanding Celery's placeholders
     * ({@code %h %n %d %p %i %I %%}) from the options' node name and pool index, and reads the settings.
     *
     * @param url the URL ({@code BackendUrl.parse} gives plain paths the scheme {@code file})
     * @param options the worker's node name, pool index and properties
     * @return the configuration
     * @throws InvalidConfigurationException listing every problem: a bad placeholder, a host in a file URL,
     *         an unknown query parameter, a bad value
     */
    public static FileStateStoreConfig parse(BackendUrl url, StateStoreOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();
        if (!url.scheme().equals(BackendUrl.FILE_SCHEME)) {
            problems.add("the scheme must be file (or a plain path), not " + url.scheme());
        }
        String text;
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : options.properties().entrySet()) {
            if (NAMES.contains(e.getKey())) {
                settings.put(e.getKey(), e.getValue());
            }
        }
        if (url.isOpaque()) {
            text = url.path();
            if (text.regionMatches(true, 0, "file:", 0, 5)) {
                text = text.substring(5);
            }
        } else {
            if (url.host() != null && !url.host().equals("localhost")) {
                problems.add("a file URL names no host: write file:///absolute/path (three slashes), not file://" + url.host() + "/...");
            }
            text = url.path();
            for (Map.Entry<String, String> e : url.query().entrySet()) {
                if (NAMES.contains(e.getKey())) {
                    settings.put(e.getKey(), e.getValue());
                } else {
                    problems.add("unknown query parameter '" + e.getKey() + "'; the file store knows " + String.join(", ", new java.util.TreeSet<>(NAMES)));
                }
            }
        }
        if (text == null || text.isBlank()) {
            problems.add("the path is empty; give the state file's path, e.g. /var/run/celery/%n.state");
            text = "";
        }
        String expanded = NodeFormat.expand(text, options.nodeName(), options.poolIndex(), FileStateStoreConfig::localHostName, problems);
        Builder b = new Builder();
        if (!expanded.isBlank()) {
            try {
                b.path = Path.of(expanded);
                if (b.path.getFileName() == null) {
                    problems.add("the path '" + expanded + "' names no file");
                }
            } catch (InvalidPathException e) {
                problems.add("the path '" + expanded + "' is not a valid path: " + e.getReason());
            }
        }
        b.nodeName = options.nodeName();
        SettingsReader r = new SettingsReader(settings, problems);
        readSettings(r, b);
        r.validate("Invalid state file URL " + url.masked());
        return b.build();
    }

    private static void readSettings(SettingsReader r, Builder b) {
        b.onCorrupt = r.choice(ON_CORRUPT, b.onCorrupt, OnCorrupt.class);
        b.journalFsync = r.bool(JOURNAL_FSYNC, b.journalFsync);
        b.shutdownHook = r.bool(SHUTDOWN_HOOK, b.shutdownHook);
        b.journalCommitDelay = r.seconds(JOURNAL_COMMIT_DELAY, b.journalCommitDelay, true, MAX_COMMIT_DELAY);
        b.journalMaxBatch = r.integer(JOURNAL_MAX_BATCH, b.journalMaxBatch, 1, Integer.MAX_VALUE);
        b.journalCompactSize = r.size(JOURNAL_COMPACT_SIZE, b.journalCompactSize, 0, Long.MAX_VALUE);
        b.clockReserve = r.integer(CLOCK_RESERVE, b.clockReserve, 0, Long.MAX_VALUE / 4);
    }

    /**
     * A builder for a state file at {@code path} (no placeholders are expanded), starting from the defaults.
     *
     * @param path the state file
     * @return a builder
     * @throws NullPointerException when {@code path} is null
     */
    public static Builder builder(Path path) {
        Builder b = new Builder();
        b.path = Objects.requireNonNull(path, "path");
        return b;
    }

    /**
     * The state file (absolute); its journal, lock and temporary files sit beside it.
     *
     * @return the path
     */
    public Path path() {
        return path;
    }

    /**
     * The worker's node name, recorded in the lock file so that a refused opener can name the holder.
     *
     * @return the node name
     */
    public String nodeName() {
        return nodeName;
    }

    /**
     * What to do with a corrupt file.
     *
     * @return the choice, {@link OnCorrupt#FAIL} by default
     */
    public OnCorrupt onCorrupt() {
        return onCorrupt;
    }

    /**
     * Whether each journal batch is fsynced.
     *
     * @return {@code true} by default
     */
    public boolean journalFsync() {
        return journalFsync;
    }

    /**
     * How long a journal batch may wait for more records before its write.
     *
     * @return the delay, zero by default
     */
    public Duration journalCommitDelay() {
        return journalCommitDelay;
    }

    /**
     * How many pending records end the commit delay early.
     *
     * @return the count, 4096 by default
     */
    public int journalMaxBatch() {
        return journalMaxBatch;
    }

    /**
     * Journal bytes after which the store rewrites its snapshot by itself.
     *
     * @return the size, 8 MiB by default; 0 for never
     */
    public long journalCompactSize() {
        return journalCompactSize;
    }

    /**
     * How many clock steps are stored ahead.
     *
     * @return the reserve, 1000 by default
     */
    public long clockReserve() {
        return clockReserve;
    }

    /**
     * Whether merge registers a JVM shutdown hook that saves.
     *
     * @return {@code true} by default
     */
    public boolean shutdownHook() {
        return shutdownHook;
    }

    /**
     * A builder starting from this configuration.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.path = path;
        b.nodeName = nodeName;
        b.onCorrupt = onCorrupt;
        b.journalFsync = journalFsync;
        b.journalCommitDelay = journalCommitDelay;
        b.journalMaxBatch = journalMaxBatch;
        b.journalCompactSize = journalCompactSize;
        b.clockReserve = clockReserve;
        b.shutdownHook = shutdownHook;
        return b;
    }

    @Override
    public String toString() {
        return "FileStateStoreConfig[path=" + path + ", onCorrupt=" + onCorrupt + ", journalFsync=" + journalFsync
                + ", journalCommitDelay=" + journalCommitDelay + ", journalMaxBatch=" + journalMaxBatch
                + ", journalCompactSize=" + journalCompactSize + ", clockReserve=" + clockReserve
                + ", shutdownHook=" + shutdownHook + "]";
    }

    /** A mutable builder of {@link FileStateStoreConfig}; not thread-safe. */
    public static final class Builder {
        private Path path;
        private String nodeName = "celery@" + localHostName();
        private OnCorrupt onCorrupt = OnCorrupt.FAIL;
        private boolean journalFsync = true;
        private Duration journalCommitDelay = Duration.ZERO;
        private int journalMaxBatch = 4096;
        private long journalCompactSize = 8L << 20;
        private long clockReserve = 1000;
        private boolean shutdownHook = true;

        private Builder() {
        }

        /**
         * Sets the state file.
         *
         * @param v the path
         * @return this builder
         */
        public Builder path(Path v) {
            path = Objects.requireNonNull(v, "path");
            return this;
        }

        /**
         * Sets the node name recorded in the lock file.
         *
         * @param v the node name
         * @return this builder
         */
        public Builder nodeName(String v) {
            nodeName = Objects.requireNonNull(v, "nodeName");
            return this;
        }

        /**
         * Sets what to do with a corrupt file.
         *
         * @param v the choice
         * @return this builder
         */
        public Builder onCorrupt(OnCorrupt v) {
            onCorrupt = Objects.requireNonNull(v, "onCorrupt");
            return this;
        }

        /**
         * Sets whether journal batches are fsynced.
         *
         * @param v whether to fsync
         * @return this builder
         */
        public Builder journalFsync(boolean v) {
            journalFsync = v;
            return this;
        }

        /**
         * Sets the commit delay.
         *
         * @param v between zero and one second
         * @return this builder
         */
        public Builder journalCommitDelay(Duration v) {
            journalCommitDelay = Objects.requireNonNull(v, "journalCommitDelay");
            return this;
        }

        /**
         * Sets the record count that ends the commit delay early.
         *
         * @param v at least 1
         * @return this builder
         */
        public Builder journalMaxBatch(int v) {
            journalMaxBatch = v;
            return this;
        }

        /**
         * Sets the journal size after which the store compacts itself.
         *
         * @param v bytes, 0 for never
         * @return this builder
         */
        public Builder journalCompactSize(long v) {
            journalCompactSize = v;
            return this;
        }

        /**
         * Sets how many clock steps are stored ahead.
         *
         * @param v at least 0
         * @return this builder
         */
        public Builder clockReserve(long v) {
            clockReserve = v;
            return this;
        }

        /**
         * Sets whether merge registers a save at JVM exit.
         *
         * @param v whether to register it
         * @return this builder
         */
        public Builder shutdownHook(boolean v) {
            shutdownHook = v;
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws InvalidConfigurationException listing every value out of range
         */
        public FileStateStoreConfig build() {
            List<String> problems = new ArrayList<>();
            if (path == null) {
                problems.add("the state file's path is missing");
            }
            if (journalCommitDelay.isNegative() || journalCommitDelay.compareTo(MAX_COMMIT_DELAY) > 0) {
                problems.add(JOURNAL_COMMIT_DELAY + " must be between 0 and 1 second, not " + journalCommitDelay);
            }
            if (journalMaxBatch < 1) {
                problems.add(JOURNAL_MAX_BATCH + " must be at least 1, not " + journalMaxBatch);
            }
            if (journalCompactSize < 0) {
                problems.add(JOURNAL_COMPACT_SIZE + " cannot be negative: " + journalCompactSize);
            }
            if (clockReserve < 0 || clockReserve > Long.MAX_VALUE / 4) {
                problems.add(CLOCK_RESERVE + " must be between 0 and " + Long.MAX_VALUE / 4 + ", not " + clockReserve);
            }
            if (nodeName.isBlank()) {
                problems.add("the node name is blank");
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("Invalid state file configuration" + (path == null ? "" : " for " + path), problems);
            }
            return new FileStateStoreConfig(this);
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
