package io.celeriac.backend;

import io.celeriac.CeleriacException;

/**
 * Raised when the store behind a backend cannot be reached (connection refused, timed out, TLS or
 * authentication failure), with the masked URI and the reason.
 */
public class BackendUnavailableException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param backendUri the backend's masked URI
     * @param reason what failed, with no credentials in it
     * @param cause the underlying failure
     */
    public BackendUnavailableException(String backendUri, String reason, Throwable cause) {
        super("Cannot reach " + backendUri + ": " + reason, cause);
    }
}
