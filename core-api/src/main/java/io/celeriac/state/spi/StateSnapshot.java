package io.celeriac.state.spi;

import java.util.Map;
import java.util.Objects;

/**
 * The worker's whole state captured for a sync: its purged revoked ids, oldest first, and its clock value.
 *
 * @param revoked ids to their wall-clock epoch seconds, oldest first (an unmodifiable copy)
 * @param clock the clock value to store (after Celery's {@code forward()} on a sync)
 */
public record StateSnapshot(Map<String, Double> revoked, long clock) {

    /**
     * Validates.
     *
     * @param revoked ids to their wall-clock epoch seconds, oldest first
     * @param clock the clock value to store
     * @throws NullPointerException when {@code revoked} is null
     */
    public StateSnapshot {
        Objects.requireNonNull(revoked, "revoked");
    }
}
