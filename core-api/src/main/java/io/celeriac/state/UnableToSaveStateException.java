package io.celeriac.state;

import io.celeriac.CeleriacException;

import java.util.Objects;

/**
 * Raised when worker state could not be made durable: a journal append or fsync, a snapshot, or the final
 * write of a close failed.
 *
 * <p>When it comes out of {@link RevokedSet#add} the id is revoked in memory but is not acknowledged as
 * durable: it may be lost if the process dies before a later successful {@link StateStore#sync}.
 */
public class UnableToSaveStateException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /** The store's location, for messages and callers. */
    private final String location;

    /**
     * Creates the exception.
     *
     * @param location the store's location (file path or masked URL)
     * @param what what could not be written and why, as a full sentence
     * @param cause the underlying failure, may be {@code null}
     */
    public UnableToSaveStateException(String location, String what, Throwable cause) {
        super("Could not save the worker state " + location + ": " + what, cause);
        this.location = Objects.requireNonNull(location, "location");
    }

    /**
     * The store's location.
     *
     * @return the file path or masked URL
     */
    public String location() {
        return location;
    }
}
