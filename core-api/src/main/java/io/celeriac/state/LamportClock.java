package io.celeriac.state;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * kombu's Lamport clock: the logical clock a worker forwards when it sends and adjusts when it receives.
 *
 * <p>{@link #forward()} is {@code value += 1}; {@link #adjust(long)} is {@code value = max(value, other) + 1},
 * exactly as {@code kombu.clocks.LamportClock}, except that the value stops at {@code Long.MAX_VALUE} rather
 * than wrapping (Python's integers do not wrap; a peer sending a huge clock must not turn ours negative).
 * Thread-safe; without a guard both are lock-free.
 *
 * <p><b>Guards.</b> A state store makes the clock survive a crash by attaching a {@link Guard}
 * ({@link #attachGuard}) with a <em>ceiling</em>: a value it has made durable. While the clock stays at or
 * below the ceiling, {@code forward()} and {@code adjust()} pay nothing; the step that would pass it first
 * calls {@link Guard#raiseCeiling} (once, under a lock), which durably reserves a higher ceiling before the
 * step returns. So every value {@code forward()} or {@code adjust()} has returned is at most a durable
 * ceiling, and a clock restored from that ceiling is never lower than any value handed out, while only one
 * step in many pays for a write. {@link #value()} is a plain read and may show a step whose guard call is
 * still in progress.
 */
public final class LamportClock {

    private final AtomicLong value;
    private final Object guardLock = new Object();
    private volatile Guard guard;
    private volatile long ceiling = Long.MAX_VALUE;

    /**
     * Makes a clock ceiling durable: what a state store attaches to a clock with {@link #attachGuard}.
     */
    @FunctionalInterface
    public interface Guard {
        /**
         * Called when the clock is about to hand out {@code value}, which is above the current ceiling:
         * durably store a new ceiling of at least {@code value} and return it. Calls are serialized by the
         * clock; the thread stepping the clock waits for the call.
         *
         * @param value the value about to be handed out
         * @return the new ceiling, at least {@code value}
         * @throws RuntimeException when the ceiling cannot be stored; the step that needed it then throws
         *         the same exception (its value is taken in memory but is not covered)
         */
        long raiseCeiling(long value);
    }

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
     * @throws RuntimeException what an attached {@link Guard} throws when it cannot store a new ceiling
     */
    public long forward() {
        long v = value.updateAndGet(current -> current == Long.MAX_VALUE ? current : current + 1);
        return v > ceiling ? covered(v) : v;
    }

    /**
     * Adjusts to a received value: {@code value = max(value, other) + 1}.
     *
     * @param other the received clock value
     * @return the new value
     * @throws RuntimeException what an attached {@link Guard} throws when it cannot store a new ceiling
     */
    public long adjust(long other) {
        long v = value.updateAndGet(current -> {
            long m = Math.max(current, other);
            return m == Long.MAX_VALUE ? m : m + 1;
        });
        return v > ceiling ? covered(v) : v;
    }

    /**
     * Attaches a guard that keeps every handed-out value at or below a durable ceiling (see the class
     * documentation). One guard at a time: a clock followed by one state store.
     *
     * @param newGuard the guard
     * @param durableCeiling the ceiling already made durable; the first step above it calls the guard
     * @return a registration that detaches the guard (the clock then runs unguarded)
     * @throws IllegalStateException when a guard is attached already
     * @throws NullPointerException when {@code newGuard} is null
     */
    public Registration attachGuard(Guard newGuard, long durableCeiling) {
        Objects.requireNonNull(newGuard, "guard");
        synchronized (guardLock) {
            if (guard != null) {
                throw new IllegalStateException("this clock is guarded already (is a second state store following the same worker?)");
            }
            guard = newGuard;
            ceiling = durableCeiling;
        }
        return () -> {
            synchronized (guardLock) {
                if (guard == newGuard) {
                    guard = null;
                    ceiling = Long.MAX_VALUE;
                }
            }
        };
    }

    /**
     * Whether a guard is attached.
     *
     * @return {@code true} while a state store follows this clock
     */
    public boolean isGuarded() {
        return guard != null;
    }

    private long covered(long v) {
        synchronized (guardLock) {
            Guard g = guard;
            if (g != null && v > ceiling) {
                long raised = g.raiseCeiling(v);
                if (raised < v) {
                    throw new IllegalStateException("the clock guard returned the ceiling " + raised + ", below " + v);
                }
                ceiling = raised;
            }
        }
        return v;
    }

    @Override
    public String toString() {
        return "LamportClock[" + value.get() + "]";
    }
}
