package io.celeriac.backend;

import io.celeriac.ServiceUnavailableException;

/**
 * Raised when the store behind a backend cannot be reached (connection refused, timed out, TLS or
 * authentication failure), with the masked URI and the reason. Its parent,
 * {@link ServiceUnavailableException}, is what every plugin's unreachable-server error extends.
 */
public class BackendUnavailableException extends ServiceUnavailableException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param backendUri the backend's masked URI
     * @param reason what failed, with no credentials in it
     * @param cause the underlying failure
     */
    public BackendUnavailableException(String backendUri, String reason, Throwable cause) {
        super(backendUri, reason, cause);
    }
}
