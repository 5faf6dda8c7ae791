package io.celeriac.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a plugin's own settings (URL query parameters and properties, already merged into one map) the same
 * way in every plugin: a problem is added to a list, so that a configuration reports every problem at once,
 * and the setting then counts as absent. No message contains anything but the setting's name and value.
 *
 * <p>Static shorthands of {@link SettingsReader}, which reads every kind of setting with the same wording.
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
        return new SettingsReader(settings, problems).integer(name, min, max);
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
        return new SettingsReader(settings, problems).bool(name);
    }
}
