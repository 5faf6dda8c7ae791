package io.celeriac.state.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a state store loaded: the stored revoked ids and the clock value a merge adjusts the worker's clock
 * with. Returned by {@link AbstractStateStore#load()}.
 *
 * <p>Immutable; the map keeps its order (oldest first is cheapest to merge).
 *
 * @param revoked ids to their wall-clock epoch seconds
 * @param clock the stored clock value (a ceiling at or above every value the previous run handed out)
 */
public record StoredState(Map<String, Double> revoked, long clock) {

    /**
     * Copies the map unless it is unmodifiable already.
     *
     * @throws NullPointerException when {@code revoked} is null
     */
    public StoredState {
        Objects.requireNonNull(revoked, "revoked");
        revoked = Collections.unmodifiableMap(new LinkedHashMap<>(revoked));
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
