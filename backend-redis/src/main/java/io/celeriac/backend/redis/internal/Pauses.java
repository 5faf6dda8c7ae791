package io.celeriac.backend.redis.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The back-off wait of the background readers (result listener, event source): cut short by a close. */
public final class Pauses {

    private Pauses() {
    }

    /**
     * Waits on {@code lock} for {@code nanos} unless {@code closed} turns true first (whoever sets it holds
     * {@code lock} and notifies it). An interrupt ends the wait with the thread's interrupt flag kept.
     *
     * @param lock the monitor the closer notifies
     * @param closed read with {@code lock} held
     * @param nanos how long to wait
     * @return whether still open
     */
    public static boolean await(Object lock, BooleanSupplier closed, long nanos) {
        long end = System.nanoTime() + nanos;
        synchronized (lock) {
            while (!closed.getAsBoolean()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
    }
}
