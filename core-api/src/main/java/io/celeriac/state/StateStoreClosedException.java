package io.celeriac.state;

import io.celeriac.CeleriacException;

/**
 * Raised by {@link StateStore#merge}, {@link StateStore#sync} and {@link StateStore#save} after the store
 * was closed, and by a revoke that races with the close of the store following it.
 */
public class StateStoreClosedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param location the store's location (file path or masked URL)
     */
    public StateStoreClosedException(String location) {
        super("The worker state store " + location + " is closed");
    }
}
