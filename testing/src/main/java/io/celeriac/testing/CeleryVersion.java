package io.celeriac.testing;

import java.util.List;

/**
 * The Python Celery versions celeriac's interop tests run against, and where each comes from: 5.2 is Debian 12's
 * {@code python3-celery} under the machine's {@code /usr/bin/python3}; 5.5 and 5.6 are Debian {@code trixie} and
 * {@code forky} roots built with {@code debootstrap} by {@link CeleryRoots} and entered with {@code chroot}.
 */
public enum CeleryVersion {
    /** Celery 5.2.6 / kombu 5.2.4 (Debian 12, the machine's own Python). */
    V5_2("5.2", "5.2.6", null, null),
    /** Celery 5.5.2 / kombu 5.5.3 (Debian trixie). */
    V5_5("5.5", "5.5.2", "trixie", "trixie"),
    /** Celery 5.6.3 / kombu 5.6.2 (Debian forky, built with debootstrap's sid script). */
    V5_6("5.6", "5.6.3", "forky", "sid");

    private final String label;
    private final String expected;
    private final String suite;
    private final String script;

    CeleryVersion(String label, String expected, String suite, String script) {
        this.label = label;
        this.expected = expected;
        this.suite = suite;
        this.script = script;
    }

    /** @return the short label, {@code 5.2}, {@code 5.5}, {@code 5.6} */
    public String label() {
        return label;
    }

    /** @return the Celery version the root is expected to hold */
    public String expectedVersion() {
        return expected;
    }

    /** @return the Debian suite of the root, or {@code null} for the machine's own Python */
    public String suite() {
        return suite;
    }

    /** @return debootstrap's script name for the suite, or {@code null} */
    public String debootstrapScript() {
        return script;
    }

    /** @return whether this version runs in a chroot */
    public boolean isChrooted() {
        return suite != null;
    }

    /**
     * The versions a matrix test runs: all three, or those listed in the system property or environment variable
     * {@code celeriac.celery.versions} / {@code CELERIAC_CELERY_VERSIONS} (e.g. {@code 5.2,5.6}).
     *
     * @return the versions, in order
     */
    public static List<CeleryVersion> matrix() {
        String v = System.getProperty("celeriac.celery.versions", System.getenv("CELERIAC_CELERY_VERSIONS"));
        if (v == null || v.isBlank()) {
            return List.of(values());
        }
        return java.util.Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(CeleryVersion::of).toList();
    }

    /**
     * The version with a label.
     *
     * @param label {@code 5.2}, {@code 5.5} or {@code 5.6}
     * @return the version
     */
    public static CeleryVersion of(String label) {
        for (CeleryVersion c : values()) {
            if (c.label.equals(label) || c.expected.equals(label)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown Celery version '" + label + "' (known: 5.2, 5.5, 5.6)");
    }

    @Override
    public String toString() {
        return "Celery " + label;
    }
}
