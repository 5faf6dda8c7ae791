package io.celeriac;

import io.celeriac.url.BackendUrl;

/**
 * Raised when a plugin's provider fails with an exception that is not a celeriac one while opening an
 * instance. The message names the provider and the masked URL; any occurrence of the URL's password in
 * the cause's message is masked.
 */
public class ProviderFailedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param providerClass the provider's class name
     * @param url the URL it was asked to open
     * @param cause its failure
     */
    public ProviderFailedException(String providerClass, BackendUrl url, Throwable cause) {
        super("The provider " + providerClass + " failed to open " + url.masked() + ": "
                + Secrets.scrub(String.valueOf(cause), url), cause);
    }
}
