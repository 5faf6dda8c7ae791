package io.celeriac.events.snapshot;

import io.celeriac.InvalidConfigurationException;

import java.util.List;
import java.util.Locale;

/**
 * A rate limit as Celery writes it ({@code celery.utils.time.rate}): {@code "N/s"}, {@code "N/m"},
 * {@code "N/h"} or a bare {@code "N"} (per second), N possibly fractional. Immutable.
 *
 * @param perSecond the rate in events per second; positive
 */
public record Rate(double perSecond) {

    /**
     * Validates.
     *
     * @throws InvalidConfigurationException when the rate is not a positive, finite number
     */
    public Rate {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new InvalidConfigurationException("Invalid rate", List.of("a rate must be a positive number per second, not "
                    + perSecond));
        }
    }

    /**
     * Parses Celery's notation.
     *
     * @param text e.g. {@code "10/m"}, {@code "0.5/s"}, {@code "2/h"}, {@code "3"}
     * @return the rate
     * @throws InvalidConfigurationException when the text is not a rate (the message says why)
     */
    public static Rate parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidConfigurationException("Invalid rate", List.of("a rate cannot be empty"));
        }
        String t = text.strip();
        int slash = t.indexOf('/');
        String number = slash < 0 ? t : t.substring(0, slash).strip();
        String unit = slash < 0 ? "s" : t.substring(slash + 1).strip().toLowerCase(Locale.ROOT);
        double n;
        try {
            n = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException("Invalid rate '" + text + "'",
                    List.of("'" + number + "' is not a number"));
        }
        double divisor;
        switch (unit) {
            case "":
            case "s":
                divisor = 1;
                break;
            case "m":
                divisor = 60;
                break;
            case "h":
                divisor = 3600;
                break;
            default:
                throw new InvalidConfigurationException("Invalid rate '" + text + "'",
                        List.of("the unit must be s, m or h, not '" + unit + "'"));
        }
        if (!(n > 0) || Double.isInfinite(n)) {
            throw new InvalidConfigurationException("Invalid rate '" + text + "'",
                    List.of("the number must be positive"));
        }
        return new Rate(n / divisor);
    }

    /**
     * A rate per second.
     *
     * @param n events per second
     * @return the rate
     */
    public static Rate perSecond(double n) {
        return new Rate(n);
    }
}
