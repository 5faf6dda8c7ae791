package io.celeriac.control;

import io.celeriac.CeleriacException;

/** Raised by a {@link Mailbox} used after {@link Mailbox#close()}; nothing was sent. */
public class ControlClosedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param what what was closed, e.g. {@code the mailbox 7656dcca-...}
     */
    public ControlClosedException(String what) {
        super(what + " is closed");
    }
}
