package io.celeriac.events.snapshot;

import io.celeriac.events.EventStateSnapshot;

/**
 * What a {@link Polaroid} calls with each snapshot (Celery's {@code Polaroid.on_shutter} and
 * {@code on_cleanup} hooks, as a separate object).
 *
 * <p>Calls come from one thread at a time, in order: the Polaroid's timer thread, or the thread calling
 * {@link Polaroid#capture()} or {@link Polaroid#cancel()}. An exception is logged and counted by the
 * Polaroid; the next snapshot is taken as planned.
 */
@FunctionalInterface
public interface Camera {

    /**
     * Takes one snapshot: store it, send it, show it. Unlike Celery's hook, which runs while the state is
     * frozen, this runs after the state was released, on a frozen copy, so slow storage never holds events
     * back.
     *
     * @param snapshot one consistent picture of the state
     * @throws Exception when the snapshot could not be kept; logged and counted
     */
    void onShutter(EventStateSnapshot snapshot) throws Exception;

    /**
     * Periodic housekeeping, every {@link PolaroidOptions#cleanupFreq()} (Celery's {@code on_cleanup}), e.g.
     * dropping old snapshots. Does nothing by default.
     *
     * @throws Exception when it failed; logged and counted
     */
    default void onCleanup() throws Exception {
    }
}
