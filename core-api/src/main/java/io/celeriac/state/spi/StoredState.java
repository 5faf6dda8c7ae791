package io.celeriac.state.spi;

import io.celeriac.state.RevokedEntries;

import java.util.Map;
import java.util.Objects;

/**
 * What a state store loaded: the stored revoked ids and the clock value a merge adjusts the worker's clock
 * with. Returned by {@link AbstractStateStore#load()}.
 *
 * <p>Immutable; the map keeps its order (oldest first is cheapest to merge). Give a
 * {@link RevokedEntries} to avoid a copy.
 *
 * @param revoked ids to their wall-clock epoch seconds
 * @param clock the stored clock value (a ceiling at or above every value the previous run handed out)
 */
public record StoredState(Map<String, Double> revoked, long clock) {

    /**
     * Copies the map into a {@link RevokedEntries} unless it is one already.
     *
     * @param revoked ids to their wall-clock epoch seconds
     * @param clock the stored clock value
     * @throws NullPointerException when {@code revoked}, an id or a timestamp is null
     */
    public StoredState {
        Objects.requireNonNull(revoked, "revoked");
        revoked = RevokedEntries.copyOf(revoked);
    }

    /**
     * Nothing stored: no revokes, clock 0.
     *
     * @return the empty state
     */
    public static StoredState empty() {
        return new StoredState(Map.of(), 0);
    }
}
