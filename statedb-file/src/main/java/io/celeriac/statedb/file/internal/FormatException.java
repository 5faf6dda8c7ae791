package io.celeriac.statedb.file.internal;

/**
 * Bytes that are not a valid state file or journal; the message says what and where. Internal: the store
 * turns it into {@link io.celeriac.state.CorruptStateException} naming the file.
 */
final class FormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FormatException(String message) {
        super(message, null, false, false);
    }
}
