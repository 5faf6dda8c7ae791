package io.celeriac.state;

import io.celeriac.CeleriacException;

import java.util.Objects;

/**
 * Raised when stored worker state fails its checks: a checksum that does not match, a file or value cut
 * short, or bytes that are not the store's format at all.
 *
 * <p>A store that raises it has changed and moved nothing; the message names the location, what is wrong
 * and, where the store offers one, the option that keeps the bad data aside and starts from what is valid.
 */
public class CorruptStateException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /** The store's location, for messages and callers. */
    private final String location;

    /**
     * Creates the exception.
     *
     * @param location what is corrupt: a file path or a masked URL and key, never a password
     * @param detail what is wrong and what the user can do, as full sentences
     */
    public CorruptStateException(String location, String detail) {
        super("The stored worker state " + location + " is corrupt: " + detail);
        this.location = Objects.requireNonNull(location, "location");
    }

    /**
     * What is corrupt.
     *
     * @return the file path or masked location
     */
    public String location() {
        return location;
    }
}
