package io.celeriac.state;

import io.celeriac.CeleriacException;

import java.util.Objects;

/**
 * Raised when a state store cannot be opened for a reason other than corruption or a lock: a missing
 * directory, no permission, a path that is a directory, an I/O or connection error.
 *
 * <p>The message names the exact path (or masked URL) concerned and what to do about it.
 */
public class UnableToOpenStateStoreException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /** The store's location, for messages and callers. */
    private final String location;

    /**
     * Creates the exception.
     *
     * @param location the path or masked URL concerned
     * @param reason what is wrong, as a full sentence
     * @param cause the underlying failure, may be {@code null}
     */
    public UnableToOpenStateStoreException(String location, String reason, Throwable cause) {
        super("Cannot open the worker state " + location + ": " + reason, cause);
        this.location = Objects.requireNonNull(location, "location");
    }

    /**
     * The path or masked URL concerned.
     *
     * @return the location
     */
    public String location() {
        return location;
    }
}
