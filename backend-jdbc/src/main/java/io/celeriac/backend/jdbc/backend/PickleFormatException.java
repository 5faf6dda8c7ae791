package io.celeriac.backend.jdbc.backend;

import io.celeriac.CeleriacException;

/**
 * Raised when bytes in a {@code result} column are not a pickle celeriac can read: truncated, malformed,
 * using an opcode celeriac does not accept, or too deeply nested; also raised when a value cannot be
 * written as a pickle (a Java type Python has no counterpart for).
 *
 * <p>When reading, it is the cause of the {@link io.celeriac.backend.CorruptResultException} that names
 * the row; nothing is executed and no other row is affected. The message never contains the pickled
 * bytes.
 */
public class PickleFormatException extends CeleriacException {
    /** The serialization version. */
    private static final long serialVersionUID = 1L;

    /** Where in the pickle the problem was found. */
    private final long offset;

    /**
     * Creates the exception.
     *
     * @param message what is wrong
     * @param offset the byte offset in the pickle where the problem was found, or -1 when not applicable
     */
    public PickleFormatException(String message, long offset) {
        super(offset >= 0 ? message + " (at byte " + offset + ")" : message);
        this.offset = offset;
    }

    /**
     * The byte offset in the pickle where the problem was found.
     *
     * @return the offset, or -1 when the problem is not tied to a position (e.g. when writing)
     */
    public long offset() {
        return offset;
    }
}
