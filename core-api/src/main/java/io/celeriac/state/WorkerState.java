package io.celeriac.state;

import java.util.Objects;

/**
 * The state a worker keeps between restarts: its revoked task ids and its Lamport clock, what Celery's
 * {@code --statedb} persists. Thread-safe (both parts are).
 *
 * @param revoked the revoked ids
 * @param clock the logical clock
 */
public record WorkerState(RevokedSet revoked, LamportClock clock) {

    /**
     * Validates.
     *
     * @param revoked the revoked ids
     * @param clock the logical clock
     * @throws NullPointerException when a part is null
     */
    public WorkerState {
        Objects.requireNonNull(revoked, "revoked");
        Objects.requireNonNull(clock, "clock");
    }

    /**
     * A fresh state with Celery's defaults (and its environment overrides) and a clock at 0.
     *
     * @return the state
     */
    public static WorkerState withCeleryDefaults() {
        return new WorkerState(RevokedSet.withCeleryDefaults(), new LamportClock());
    }
}
