package io.celeriac.registry;

import io.celeriac.CeleriacException;

import java.util.List;
import java.util.Set;

/**
 * Raised when no installed provider answers a URL's scheme. The message names the scheme, the URL with
 * its password masked, the installed schemes and the likely fix.
 */
public class UnknownSchemeException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String scheme;
    private final List<String> installed;

    /**
     * Creates the exception.
     *
     * @param spi what kind of provider was looked for, e.g. {@code backend}
     * @param scheme the scheme
     * @param maskedUrl the URL, password masked
     * @param installed the installed schemes, sorted
     * @param failures a note on providers that failed to load, or empty
     */
    public UnknownSchemeException(String spi, String scheme, String maskedUrl, Set<String> installed, String failures) {
        super("Unknown " + spi + " scheme '" + scheme + "' in " + maskedUrl + ". Installed " + spi + " schemes: "
                + (installed.isEmpty() ? "none" : String.join(", ", installed))
                + ". Add the plugin jar that provides '" + scheme + "' to the classpath, or register its provider explicitly."
                + (failures.isEmpty() ? "" : " " + failures));
        this.scheme = scheme;
        this.installed = List.copyOf(installed);
    }

    /** @return the scheme no provider answers */
    public String scheme() {
        return scheme;
    }

    /** @return the installed schemes, sorted */
    public List<String> installed() {
        return installed;
    }
}
