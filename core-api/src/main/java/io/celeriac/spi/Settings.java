package io.celeriac.spi;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a plugin's own settings (URL query parameters and properties, already merged into one map) the same
 * way in every plugin: a problem is added to a list, so that a configuration reports every problem at once,
 * and the setting then counts as absent. No message contains anything but the setting's name and value.
 */
public final class Settings {

    private Settings() {
    }

    /**
     * An integer setting within bounds.
     *
     * @param settings name to value
     * @param name the setting
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @param problems where a problem is added
     * @return the value, or empty when it is absent or was refused
     */
    public static Optional<Long> integer(Map<String, String> settings, String name, long min, long max,
                                         List<String> problems) {
        String v = settings.get(Objects.requireNonNull(name, "name"));
        if (v == null) {
            return Optional.empty();
        }
        long n;
        try {
            n = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            problems.add(name + " must be an integer, not '" + v + "'");
            return Optional.empty();
        }
        if (n < min || n > max) {
            problems.add(name + " must be between " + min + " and " + max + ", not " + n);
            return Optional.empty();
        }
        return Optional.of(n);
    }

    /**
     * A boolean setting: {@code true}, {@code yes}, {@code on}, {@code 1} or {@code false}, {@code no},
     * {@code off}, {@code 0}, in any case, as Celery's and kombu's option parsers accept them.
     *
     * @param settings name to value
     * @param name the setting
     * @param problems where a problem is added
     * @return the value, or empty when it is absent or was refused
     */
    public static Optional<Boolean> bool(Map<String, String> settings, String name, List<String> problems) {
        String v = settings.get(Objects.requireNonNull(name, "name"));
        if (v == null) {
            return Optional.empty();
        }
        switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return Optional.of(true);
            case "false": case "no": case "off": case "0":
                return Optional.of(false);
            default:
                problems.add(name + " must be true or false, not '" + v + "'");
                return Optional.empty();
        }
    }
}
