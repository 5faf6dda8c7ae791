package io.celeriac.backend.redis.internal;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Logs a recurring warning at most once per interval; the next line says how many were left out.
 * Thread-safe.
 */
public final class RateLimitedWarning {

    private final Logger log;
    private final long intervalNanos;
    private long lastNanos;
    private boolean logged;
    private long suppressed;

    /**
     * Creates the limiter.
     *
     * @param log where to log
     * @param intervalMillis the shortest time between two lines
     */
    public RateLimitedWarning(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    /**
     * Logs the warning, unless one was logged within the interval.
     *
     * @param format an SLF4J format
     * @param args its arguments
     */
    public void warn(String format, Object... args) {
        long left;
        synchronized (this) {
            long now = System.nanoTime();
            if (logged && now - lastNanos < intervalNanos) {
                suppressed++;
                return;
            }
            logged = true;
            lastNanos = now;
            left = suppressed;
            suppressed = 0;
        }
        if (left > 0) {
            log.warn(format + " (and {} more like it not logged)", append(args, left));
        } else {
            log.warn(format, args);
        }
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] out = new Object[args.length + 1];
        System.arraycopy(args, 0, out, 0, args.length);
        out[args.length] = last;
        return out;
    }
}
