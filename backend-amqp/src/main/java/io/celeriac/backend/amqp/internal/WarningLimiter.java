package io.celeriac.backend.amqp.internal;

import org.slf4j.Logger;

/**
 * A warning that recurs (a broker that stays away, a stream of bad messages) logged at most once per interval;
 * the next line logged says how many were left out meanwhile. Thread-safe.
 */
public final class WarningLimiter {

    private final Logger log;
    private final long intervalNanos;
    private final Object lock = new Object();
    private long lastNanos;
    private boolean any;
    private long skipped;

    /**
     * Creates a limiter.
     *
     * @param log the logger the lines go to
     * @param intervalMillis the shortest time between two lines
     */
    public WarningLimiter(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /**
     * Logs a warning unless one was logged less than an interval ago.
     *
     * @param format the SLF4J format
     * @param args its arguments
     */
    public void warn(String format, Object... args) {
        long left;
        synchronized (lock) {
            long now = System.nanoTime();
            if (any && now - lastNanos < intervalNanos) {
                skipped++;
                return;
            }
            any = true;
            lastNanos = now;
            left = skipped;
            skipped = 0;
        }
        if (left == 0) {
            log.warn(format, args);
            return;
        }
        Object[] more = new Object[args.length + 1];
        System.arraycopy(args, 0, more, 0, args.length);
        more[args.length] = left;
        log.warn(format + " ({} similar warnings left out)", more);
    }
}
