package io.celeriac.tck;

import java.time.Duration;

/**
 * Shared settings of the kit: the time scale every timeout is multiplied by.
 */
public final class Tck {
    private Tck() {
    }

    /**
     * The time scale: the system property {@code celeriac.tck.timeScale}, else the environment variable
     * {@code CELERIAC_TCK_TIME_SCALE}, else 1.
     *
     * @return a factor of at least 1
     */
    public static double timeScale() {
        String v = System.getProperty("celeriac.tck.timeScale");
        if (v == null || v.isBlank()) {
            v = System.getenv("CELERIAC_TCK_TIME_SCALE");
        }
        if (v == null || v.isBlank()) {
            return 1;
        }
        try {
            return Math.max(1, Double.parseDouble(v.strip()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /**
     * A timeout scaled by {@link #timeScale()}.
     *
     * @param base the timeout on a normal machine
     * @return the scaled timeout
     */
    public static Duration timeout(Duration base) {
        return Duration.ofNanos((long) (base.toNanos() * timeScale()));
    }
}
