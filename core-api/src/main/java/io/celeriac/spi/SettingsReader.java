package io.celeriac.spi;

import io.celeriac.InvalidConfigurationException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a plugin's settings (URL query parameters and properties, merged into one map) the same way in every
 * plugin and under every scheme: one reader per configuration, one wording per kind of problem, and every
 * problem collected so that {@link #validate(String)} reports them all at once in one
 * {@link InvalidConfigurationException}.
 *
 * <p>A value that cannot be used adds a problem and the setting then reads as its default, so parsing goes on
 * and finds the next problem. Messages contain the setting's name and the value as written, never anything
 * else of the configuration (a password is never a setting read here).
 *
 * <p>What each kind accepts, everywhere:
 * <ul>
 *   <li><b>integers</b>: decimal digits with an optional sign, surrounding blanks ignored, within the bounds the
 *       caller gives;</li>
 *   <li><b>booleans</b>: {@code true yes on 1} and {@code false no off 0} in any case, as kombu's and Celery's
 *       option parsers accept them;</li>
 *   <li><b>seconds</b>: a number of seconds as Python's {@code float()} reads it ({@code 5}, {@code 0.25},
 *       {@code 1e3}), not negative, not NaN or infinite, at most {@link #MAX_SECONDS} unless the caller gives a
 *       smaller bound; zero only where the caller allows it (it then usually means "off");</li>
 *   <li><b>choices</b>: one of a fixed set of words, compared without regard to case;</li>
 *   <li><b>identifiers</b>: a letter or {@code _} then letters, digits and {@code _}, at most 63 characters (a
 *       PostgreSQL name), optionally qualified by one {@code .};</li>
 *   <li><b>sizes</b>: a number of bytes with an optional unit {@code k kb kib m mb mib g gb gib} (powers of
 *       1024, in any case).</li>
 * </ul>
 *
 * <p>Not thread-safe: a reader belongs to the one thread that parses a configuration.
 */
public final class SettingsReader {

    /** The largest number of seconds any setting accepts: 365 days. */
    public static final long MAX_SECONDS = 365L * 86_400;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)");
    private static final Pattern PY_FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final Map<String, String> settings;
    private final List<String> problems;

    /**
     * Creates a reader over some settings with an empty problem list.
     *
     * @param settings setting name to value as written; not copied, not changed
     */
    public SettingsReader(Map<String, String> settings) {
        this(settings, new ArrayList<>());
    }

    /**
     * Creates a reader that adds its problems to a list the caller already collects into (for example the
     * problems of a URL parsed before the settings).
     *
     * @param settings setting name to value as written; not copied, not changed
     * @param problems where problems are added
     */
    public SettingsReader(Map<String, String> settings, List<String> problems) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.problems = Objects.requireNonNull(problems, "problems");
    }

    /**
     * The raw value of a setting.
     *
     * @param name the setting
     * @return the value as written, or empty when absent
     */
    public Optional<String> raw(String name) {
        return Optional.ofNullable(settings.get(Objects.requireNonNull(name, "name")));
    }

    /**
     * Whether a setting is present (with any value).
     *
     * @param name the setting
     * @return true when present
     */
    public boolean has(String name) {
        return settings.containsKey(Objects.requireNonNull(name, "name"));
    }

    /**
     * A string setting, as written.
     *
     * @param name the setting
     * @param defaultValue the value when absent
     * @return the value
     */
    public String string(String name, String defaultValue) {
        return raw(name).orElse(defaultValue);
    }

    /**
     * An integer setting within bounds.
     *
     * @param name the setting
     * @param defaultValue the value when absent or refused
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @return the value
     */
    public long integer(String name, long defaultValue, long min, long max) {
        return integer(name, min, max).orElse(defaultValue);
    }

    /**
     * An {@code int} setting within bounds.
     *
     * @param name the setting
     * @param defaultValue the value when absent or refused
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @return the value
     */
    public int integer(String name, int defaultValue, int min, int max) {
        return (int) integer(name, (long) defaultValue, (long) min, (long) max);
    }

    /**
     * An integer setting within bounds, with no default.
     *
     * @param name the setting
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @return the value, or empty when absent or refused
     */
    public Optional<Long> integer(String name, long min, long max) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String v = raw.get();
        long n;
        try {
            n = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            problems.add(name + " must be an integer from " + min + " to " + max + ", not '" + v + "'");
            return Optional.empty();
        }
        if (n < min || n > max) {
            problems.add(name + " must be an integer from " + min + " to " + max + ", not '" + v + "'");
            return Optional.empty();
        }
        return Optional.of(n);
    }

    /**
     * A boolean setting.
     *
     * @param name the setting
     * @param defaultValue the value when absent or refused
     * @return the value
     */
    public boolean bool(String name, boolean defaultValue) {
        return bool(name).orElse(defaultValue);
    }

    /**
     * A boolean setting, with no default.
     *
     * @param name the setting
     * @return the value, or empty when absent or refused
     */
    public Optional<Boolean> bool(String name) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        Boolean b = parseBoolean(raw.get());
        if (b == null) {
            problems.add(name + " must be true or false (also yes/no, on/off, 1/0), not '" + raw.get() + "'");
            return Optional.empty();
        }
        return Optional.of(b);
    }

    /**
     * Parses a boolean as every celeriac setting does, without recording a problem.
     *
     * @param value the value as written
     * @return the boolean, or {@code null} when the value is not one
     */
    public static Boolean parseBoolean(String value) {
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return Boolean.TRUE;
            case "false": case "no": case "off": case "0":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /**
     * A number of seconds, at most {@link #MAX_SECONDS}.
     *
     * @param name the setting
     * @param defaultValue the value when absent or refused
     * @param zeroAllowed whether {@code 0} is accepted
     * @return the value
     */
    public Duration seconds(String name, Duration defaultValue, boolean zeroAllowed) {
        return seconds(name, defaultValue, zeroAllowed, Duration.ofSeconds(MAX_SECONDS));
    }

    /**
     * A number of seconds with an upper bound.
     *
     * @param name the setting
     * @param defaultValue the value when absent or refused
     * @param zeroAllowed whether {@code 0} is accepted
     * @param max the largest value accepted
     * @return the value
     */
    public Duration seconds(String name, Duration defaultValue, boolean zeroAllowed, Duration max) {
        return seconds(name, zeroAllowed, max).orElse(defaultValue);
    }

    /**
     * A number of seconds with an upper bound, with no default.
     *
     * @param name the setting
     * @param zeroAllowed whether {@code 0} is accepted
     * @param max the largest value accepted
     * @return the value, or empty when absent or refused
     */
    public Optional<Duration> seconds(String name, boolean zeroAllowed, Duration max) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String v = raw.get();
        String s = v.strip();
        double d = PY_FLOAT.matcher(s).matches() ? Double.parseDouble(s) : Double.NaN;
        double maxSeconds = max.toNanos() / 1e9;
        if (Double.isNaN(d) || d < 0 || (!zeroAllowed && d == 0) || d > maxSeconds) {
            problems.add(name + " must be a number of seconds " + (zeroAllowed ? "from 0" : "above 0") + " to "
                    + formatSeconds(max) + ", not '" + v + "'");
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.round(d * 1e9)));
    }

    /**
     * One of a fixed set of words, compared without regard to case.
     *
     * @param name the setting
     * @param defaultValue the value when absent or refused
     * @param choices the words allowed, lower-case
     * @return the value, lower-case
     */
    public String choice(String name, String defaultValue, Collection<String> choices) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String v = raw.get().strip().toLowerCase(Locale.ROOT);
        if (!choices.contains(v)) {
            problems.add(name + " must be one of " + String.join(", ", new TreeSet<>(choices)) + ", not '"
                    + raw.get() + "'");
            return defaultValue;
        }
        return v;
    }

    /**
     * One of an enum's constants, named in any case ({@code -} read as {@code _}).
     *
     * @param name the setting
     * @param defaultValue the value when absent or refused
     * @param type the enum
     * @param <E> the enum type
     * @return the value
     */
    public <E extends Enum<E>> E choice(String name, E defaultValue, Class<E> type) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String v = raw.get().strip().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        Set<String> words = new TreeSet<>();
        for (E e : type.getEnumConstants()) {
            words.add(e.name().toLowerCase(Locale.ROOT));
        }
        problems.add(name + " must be one of " + String.join(", ", words) + ", not '" + raw.get() + "'");
        return defaultValue;
    }

    /**
     * An identifier (a table, schema, queue-safe or key-safe name), optionally qualified by one {@code .}.
     *
     * @param name the setting
     * @param defaultValue the value when absent or refused
     * @return the value
     */
    public String identifier(String name, String defaultValue) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String v = raw.get();
        if (!IDENTIFIER.matcher(v).matches()) {
            problems.add(name + " must be an identifier (a letter or _, then letters, digits or _, at most 63;"
                    + " one . may qualify it), not '" + v + "'");
            return defaultValue;
        }
        return v;
    }

    /**
     * Checks that a value already read is an identifier, with the same rule and wording as
     * {@link #identifier(String, String)}.
     *
     * @param name the setting the value came from
     * @param value the value
     * @return true when it is an identifier (otherwise a problem was added)
     */
    public boolean checkIdentifier(String name, String value) {
        if (value != null && IDENTIFIER.matcher(value).matches()) {
            return true;
        }
        problems.add(name + " must be an identifier (a letter or _, then letters, digits or _, at most 63;"
                + " one . may qualify it), not '" + value + "'");
        return false;
    }

    /**
     * A size in bytes: digits with an optional unit ({@code 512}, {@code 64k}, {@code 16 MiB}, {@code 1g}).
     *
     * @param name the setting
     * @param defaultValue the value when absent or refused
     * @param min the smallest number of bytes allowed
     * @param max the largest number of bytes allowed
     * @return the value in bytes
     */
    public long size(String name, long defaultValue, long min, long max) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String v = raw.get();
        Matcher m = SIZE.matcher(v.strip().toLowerCase(Locale.ROOT));
        long bytes = -1;
        if (m.matches()) {
            long unit = switch (m.group(2)) {
                case "k", "kb", "kib" -> 1L << 10;
                case "m", "mb", "mib" -> 1L << 20;
                case "g", "gb", "gib" -> 1L << 30;
                default -> 1L;
            };
            try {
                bytes = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            } catch (ArithmeticException | NumberFormatException e) {
                bytes = -1;
            }
        }
        if (bytes < min || bytes > max) {
            problems.add(name + " must be a size from " + min + " to " + max + " bytes (units k, m, g), not '"
                    + v + "'");
            return defaultValue;
        }
        return bytes;
    }

    /**
     * Adds a problem found by the caller's own checks, so that it is reported with the others.
     *
     * @param problem a full sentence naming the setting, with no credentials in it
     */
    public void problem(String problem) {
        problems.add(Objects.requireNonNull(problem, "problem"));
    }

    /**
     * The problems found so far, in the order found.
     *
     * @return the live list
     */
    public List<String> problems() {
        return problems;
    }

    /**
     * Throws when any problem was found.
     *
     * @param heading what was being configured, e.g. {@code "Invalid broker URL amqp://guest:**@host//"}
     * @throws InvalidConfigurationException listing every problem
     */
    public void validate(String heading) {
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(heading, problems);
        }
    }

    private static String formatSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() == 0 ? Long.toString(s) : Double.toString(d.toNanos() / 1e9);
    }
}
