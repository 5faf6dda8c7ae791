package io.celeriac.events;

import io.celeriac.CeleriacException;

/**
 * Raised by every operation of an {@link EventState} after it was closed.
 */
public class EventStateClosedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param what the closed state, e.g. its URL
     */
    public EventStateClosedException(String what) {
        super("The event state " + what + " is closed");
    }
}
