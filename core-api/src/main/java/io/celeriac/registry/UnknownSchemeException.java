package io.celeriac.registry;

import io.celeriac.CeleriacException;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
        super("Unknown " + spi + " scheme '" + scheme + "' in " + maskedUrl + "."
                + suggestion(scheme, installed).map(s -> " Did you mean '" + s + "'?").orElse("")
                + " Installed " + spi + " schemes: "
                + (installed.isEmpty() ? "none" : String.join(", ", installed))
                + ". Add the plugin jar that provides '" + scheme + "' to the classpath, or register its provider explicitly."
                + (failures.isEmpty() ? "" : " " + failures));
        this.scheme = scheme;
        this.installed = List.copyOf(installed);
    }

    /**
     * The installed scheme a typo most likely meant: the closest by edit distance (a letter left out, added,
     * changed, or two swapped), when it is close enough to be a typo (1 edit, 2 for schemes of 6 letters or more).
     *
     * @param scheme the unknown scheme
     * @param installed the installed schemes
     * @return the likely scheme, or empty
     */
    public static Optional<String> suggestion(String scheme, Set<String> installed) {
        String s = scheme.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : installed) {
            int d = distance(s, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = s.length() >= 6 ? 2 : 1;
        return best != null && bestDistance > 0 && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** The optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
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
