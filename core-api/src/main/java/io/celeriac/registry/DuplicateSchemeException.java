package io.celeriac.registry;

import io.celeriac.CeleriacException;

import java.util.List;

/**
 * Raised when two discovered providers claim the same scheme and no explicit registration settles it.
 * The message names both provider classes and the jar each came from.
 */
public class DuplicateSchemeException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String scheme;
    private final List<ProviderInfo> claimants;

    /**
     * Creates the exception.
     *
     * @param spi what kind of provider, e.g. {@code backend}
     * @param scheme the contested scheme
     * @param claimants the providers claiming it (two or more)
     */
    public DuplicateSchemeException(String spi, String scheme, List<ProviderInfo> claimants) {
        super(message(spi, scheme, claimants));
        this.scheme = scheme;
        this.claimants = List.copyOf(claimants);
    }

    private static String message(String spi, String scheme, List<ProviderInfo> claimants) {
        StringBuilder sb = new StringBuilder("The " + spi + " scheme '" + scheme + "' is provided by "
                + claimants.size() + " discovered providers: ");
        for (int i = 0; i < claimants.size(); i++) {
            ProviderInfo c = claimants.get(i);
            if (i > 0) {
                sb.append(" and ");
            }
            sb.append(c.className()).append(" (from ").append(c.source()).append(')');
        }
        return sb.append(". Remove one of the jars, or register the provider to use explicitly.").toString();
    }

    /** @return the contested scheme */
    public String scheme() {
        return scheme;
    }

    /** @return the providers claiming it */
    public List<ProviderInfo> claimants() {
        return claimants;
    }
}
