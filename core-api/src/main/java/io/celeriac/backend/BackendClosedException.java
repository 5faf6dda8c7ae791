package io.celeriac.backend;

import io.celeriac.CeleriacException;

/**
 * Raised by any operation on a backend after {@link Backend#close()}; also how pending waits complete
 * when their backend is closed.
 */
public class BackendClosedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param backendUri the backend's masked URI
     */
    public BackendClosedException(String backendUri) {
        super("The backend " + backendUri + " is closed");
    }
}
