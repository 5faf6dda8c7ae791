package io.celeriac.state;

import java.util.concurrent.atomic.AtomicLong;

/**
 * kombu's Lamport clock: a logical clock a worker forwards when it sends and adjusts when it receives.
 *
 * <p>{@link #forward()} is {@code value += 1}; {@link #adjust(long)} is {@code value = max(value, other) + 1}.
 * Thread-safe and lock-free.
 */
public final class LamportClock {
    private final AtomicLong value;

    /** A clock starting at 0. */
    public LamportClock() {
        this(0);
    }

    /**
     * A clock starting at {@code initial}.
     *
     * @param initial the first value
     */
    public LamportClock(long initial) {
        this.value = new AtomicLong(initial);
    }

    /**
     * The current value.
     *
     * @return the value
     */
    public long value() {
        return value.get();
    }

    /**
     * Moves the clock one step: {@code value += 1}.
     *
     * @return the new value
     */
    public long forward() {
        return value.incrementAndGet();
    }

    /**
     * Adjusts to a received value: {@code value = max(value, other) + 1}.
     *
     * @param other the received clock value
     * @return the new value
     */
    public long adjust(long other) {
        return value.updateAndGet(v -> Math.max(v, other) + 1);
    }

    @Override
    public String toString() {
        return "LamportClock[" + value.get() + "]";
    }
}
