package io.celeriac.tck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that tests move by hand, for heartbeat expiry, snapshot times and rate limits. Thread-safe:
 * one thread may move it while others read it.
 */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    /**
     * A clock standing at {@code start}, in UTC.
     *
     * @param start the first instant
     */
    public MutableClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * A clock standing at an epoch-seconds instant.
     *
     * @param epochSeconds the first instant, in (fractional) epoch seconds
     * @return the clock
     */
    public static MutableClock atEpochSeconds(double epochSeconds) {
        long s = (long) Math.floor(epochSeconds);
        long nanos = Math.round((epochSeconds - s) * 1e9);
        return new MutableClock(Instant.ofEpochSecond(s, nanos));
    }

    /**
     * Moves the clock forward (or back, with a negative duration).
     *
     * @param d how far
     * @return the new instant
     */
    public Instant advance(Duration d) {
        return now.updateAndGet(i -> i.plus(d));
    }

    /**
     * Moves the clock by (fractional) seconds.
     *
     * @param seconds how far
     * @return the new instant
     */
    public Instant advanceSeconds(double seconds) {
        return advance(Duration.ofNanos(Math.round(seconds * 1e9)));
    }

    /**
     * Sets the clock.
     *
     * @param instant the new instant
     */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    /**
     * The current instant in epoch seconds.
     *
     * @return the seconds
     */
    public double epochSeconds() {
        Instant i = now.get();
        return i.getEpochSecond() + i.getNano() / 1e9;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId z) {
        return new MutableClock(now, z);
    }

    @Override
    public Instant instant() {
        return now.get();
    }
}
