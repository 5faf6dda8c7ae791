package io.celeriac.tck;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.spi.SettingsReader;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a plugin gives {@link SettingsContract}: the settings its configuration reads, declared as it reads them
 * with {@link SettingsReader}, and a way to parse its configuration with one of them given.
 *
 * <p>The kit creates one fixture per test and calls it from the test's thread only; {@link #close()} releases
 * what {@link #read} left (the default does nothing).
 */
public interface SettingsFixture extends AutoCloseable {

    /** The kinds of setting the kit checks, each as {@link SettingsReader} reads it. */
    enum Kind {
        /** {@link SettingsReader#bool(String, boolean)}. */
        BOOLEAN,
        /** {@link SettingsReader#integer(String, long, long, long)} within the setting's bounds. */
        INTEGER,
        /** {@link SettingsReader#seconds(String, Duration, boolean, Duration)} within the setting's bounds. */
        SECONDS,
        /** {@link SettingsReader#size(String, long, long, long)} within the setting's bounds. */
        SIZE
    }

    /**
     * One setting as the plugin declares it to its {@link SettingsReader}.
     *
     * @param name the setting's name, as a URL query parameter
     * @param kind how it is read
     * @param min the smallest integer or size allowed (unused for other kinds)
     * @param max the largest integer or size allowed (unused for other kinds)
     * @param zeroAllowed whether {@code 0} seconds is accepted (seconds only)
     * @param maxSeconds the largest number of seconds accepted (seconds only)
     */
    record Setting(String name, Kind kind, long min, long max, boolean zeroAllowed, Duration maxSeconds) {

        /**
         * Validates.
         *
         * @throws NullPointerException when the name, kind or maximum is null
         */
        public Setting {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(maxSeconds, "maxSeconds");
        }

        /**
         * A boolean setting.
         *
         * @param name the name
         * @return the setting
         */
        public static Setting bool(String name) {
            return new Setting(name, Kind.BOOLEAN, 0, 0, false, Duration.ZERO);
        }

        /**
         * An integer setting.
         *
         * @param name the name
         * @param min the smallest value allowed
         * @param max the largest value allowed
         * @return the setting
         */
        public static Setting integer(String name, long min, long max) {
            return new Setting(name, Kind.INTEGER, min, max, false, Duration.ZERO);
        }

        /**
         * A number of seconds of at most {@link SettingsReader#MAX_SECONDS}.
         *
         * @param name the name
         * @param zeroAllowed whether {@code 0} is accepted
         * @return the setting
         */
        public static Setting seconds(String name, boolean zeroAllowed) {
            return seconds(name, zeroAllowed, Duration.ofSeconds(SettingsReader.MAX_SECONDS));
        }

        /**
         * A number of seconds with an upper bound.
         *
         * @param name the name
         * @param zeroAllowed whether {@code 0} is accepted
         * @param max the largest value accepted
         * @return the setting
         */
        public static Setting seconds(String name, boolean zeroAllowed, Duration max) {
            return new Setting(name, Kind.SECONDS, 0, 0, zeroAllowed, max);
        }

        /**
         * A size in bytes.
         *
         * @param name the name
         * @param min the smallest number of bytes allowed
         * @param max the largest number of bytes allowed
         * @return the setting
         */
        public static Setting size(String name, long min, long max) {
            return new Setting(name, Kind.SIZE, min, max, false, Duration.ZERO);
        }
    }

    /**
     * The settings the plugin reads with {@link SettingsReader}, each declared with the bounds the plugin gives.
     *
     * @return the settings, not empty
     */
    List<Setting> settings();

    /**
     * Parses the plugin's configuration (or opens and closes a live instance) for a URL of its scheme with one
     * setting given as written, everything else at its default, and returns the value the configuration then
     * holds for that setting.
     *
     * @param name the setting, one of {@link #settings()}
     * @param value the value as written (use {@link #encode(String)} to put it in a URL)
     * @return a {@link Boolean}, a {@link Number} (integers and sizes) or a {@link Duration} (seconds)
     * @throws InvalidConfigurationException as the plugin reports a bad value
     * @throws Exception when the configuration cannot be read for another reason (the test then fails)
     */
    Object read(String name, String value) throws Exception;

    /**
     * Percent-encodes a value for a URL query, as the URL parser decodes it.
     *
     * @param value the value as written
     * @return the encoded value
     */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * Releases what the test used. The default does nothing.
     *
     * @throws Exception on failure
     */
    @Override
    default void close() throws Exception {
    }
}
