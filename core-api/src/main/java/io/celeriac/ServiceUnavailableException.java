package io.celeriac;

/**
 * Raised when a server that celeriac talks to cannot be reached: a result store, a worker state store, an
 * event source's broker or a message broker (connection refused, timed out, TLS or authentication failure).
 *
 * <p>Catch this type to handle "the service is down" the same way for every kind of plugin; each area has its
 * own subclass (for example {@link io.celeriac.backend.BackendUnavailableException}). The message names the
 * service's masked URI and the reason, never a password.
 */
public class ServiceUnavailableException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String serviceUri;
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param serviceUri the service's masked URI
     * @param reason what failed, with no credentials in it
     * @param cause the underlying failure, may be {@code null}
     */
    public ServiceUnavailableException(String serviceUri, String reason, Throwable cause) {
        super("Cannot reach " + serviceUri + ": " + reason, cause);
        this.serviceUri = serviceUri;
        this.reason = reason;
    }

    /**
     * The service's masked URI.
     *
     * @return the URI, without a password
     */
    public String serviceUri() {
        return serviceUri;
    }

    /**
     * What failed, without the URI.
     *
     * @return the reason, with no credentials in it
     */
    public String reason() {
        return reason;
    }
}
