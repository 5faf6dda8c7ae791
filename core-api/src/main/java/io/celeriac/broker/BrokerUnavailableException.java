package io.celeriac.broker;

import io.celeriac.ServiceUnavailableException;

/**
 * Raised when the broker cannot be reached (connection refused, timed out, TLS or authentication failure, every
 * failover address down), with the masked URI and the reason, never a password.
 */
public class BrokerUnavailableException extends ServiceUnavailableException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param brokerUri the broker's masked URI
     * @param reason what failed, with no credentials in it
     * @param cause the underlying failure, may be {@code null}
     */
    public BrokerUnavailableException(String brokerUri, String reason, Throwable cause) {
        super(brokerUri, reason, cause);
    }
}
