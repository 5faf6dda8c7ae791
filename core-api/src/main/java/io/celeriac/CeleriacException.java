package io.celeriac;

/**
 * The root of every exception celeriac raises (except {@link UnsupportedCapabilityException}).
 *
 * <p>It is unchecked. Subclasses are named for the failure and live in the package where it
 * arises: {@link io.celeriac.backend.WaitTimeoutException}, {@link io.celeriac.url.InvalidUrlException},
 * {@link io.celeriac.registry.UnknownSchemeException} and so on. Messages never contain a password:
 * URLs in messages are always masked as kombu's {@code maybe_sanitize_url} masks them.
 */
public abstract class CeleriacException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, with no credentials in it
     */
    protected CeleriacException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, with no credentials in it
     * @param cause the underlying failure, may be {@code null}
     */
    protected CeleriacException(String message, Throwable cause) {
        super(message, cause);
    }
}
