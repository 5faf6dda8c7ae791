package io.celeriac.state;

import io.celeriac.Capability;

/**
 * How a live {@link StateStore} behaves where stores legitimately differ.
 *
 * <p>A store declares these in {@link StateStore#capabilities()}; the conformance kit
 * ({@code io.celeriac.tck.StateStoreContract}) checks the store declares exactly what its fixture
 * expects and runs the tests of each declared capability. Every store, whatever it declares, keeps the
 * rest of the contract: Celery's merge and sync semantics and no acknowledged revoke lost.
 */
public enum StateStoreCapability implements Capability {
    /**
     * One store per location at a time: a second opener, in this JVM or another process, gets
     * {@link StateStoreLockedException} naming the location and the holder until the first is closed.
     * The file store declares it.
     */
    EXCLUSIVE("allow one open store per location and refuse a second opener with StateStoreLockedException"),
    /**
     * Several workers may open one location at once, safely: each merge sees the revokes every one of them
     * stored, and the stored clock is the highest any of them stored. Server stores (Redis, SQL) declare it.
     */
    SHARED("let several workers share one location safely"),
    /**
     * The store can be opened with an explicit option that keeps corrupt stored state aside under a new
     * name (never overwriting an earlier copy) and starts from what is valid, instead of refusing to start.
     */
    KEEP_CORRUPT_ASIDE("keep corrupt stored state aside under a new name and start from what is valid");

    private final String description;

    StateStoreCapability(String description) {
        this.description = description;
    }

    @Override
    public String description() {
        return description;
    }
}
