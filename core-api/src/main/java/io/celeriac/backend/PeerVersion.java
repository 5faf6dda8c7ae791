package io.celeriac.backend;

import io.celeriac.InvalidConfigurationException;

/**
 * The Celery version of the Python peers that read what celeriac writes, where Celery's stored forms differ between
 * versions. celeriac reads every form of Celery 5.2 to 5.6 whatever this says; it only picks what is written:
 * from 5.5 on, {@code date_done} is written with its UTC offset ({@code 2026-11-21T12:14:54.518641+00:00}) as
 * Celery 5.5 writes it; before, naive UTC text as Celery 5.2 writes it (both versions read both).
 *
 * <p>Set it with the backend URL's {@code celery_version} query parameter ({@code redis://host/0?celery_version=5.5})
 * or {@link BackendOptions.Builder#peerVersion(PeerVersion)}. The default is {@link #V5_2}.
 *
 * @param major the major version, 5
 * @param minor the minor version
 */
public record PeerVersion(int major, int minor) implements Comparable<PeerVersion> {

    /** Celery 5.2, the default: naive {@code date_done}. */
    public static final PeerVersion V5_2 = new PeerVersion(5, 2);
    /** Celery 5.5: {@code date_done} with {@code +00:00}. */
    public static final PeerVersion V5_5 = new PeerVersion(5, 5);

    /**
     * Validates the numbers.
     */
    public PeerVersion {
        if (major < 1 || minor < 0) {
            throw new InvalidConfigurationException("Invalid Celery version", java.util.List.of(
                    "a Celery version is major.minor, e.g. 5.5, not " + major + "." + minor));
        }
    }

    /**
     * Parses {@code 5.5} or {@code 5.5.2} (the patch level is ignored).
     *
     * @param text the version
     * @return the version
     * @throws InvalidConfigurationException when it is not a version
     */
    public static PeerVersion parse(String text) {
        String[] parts = text == null ? new String[0] : text.strip().split("\\.");
        try {
            if (parts.length >= 2 && parts.length <= 3) {
                return new PeerVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidConfigurationException("Invalid Celery version", java.util.List.of(
                "celery_version must be a Celery version such as 5.2 or 5.5, not '" + text + "'"));
    }

    /**
     * Whether this version is at least another.
     *
     * @param other the version to compare with
     * @return {@code true} when this is the same or later
     */
    public boolean atLeast(PeerVersion other) {
        return compareTo(other) >= 0;
    }

    /**
     * Whether Celery of this version writes {@code date_done} with its UTC offset.
     *
     * @return {@code true} from 5.5 on
     */
    public boolean writesDateDoneOffset() {
        return atLeast(V5_5);
    }

    /**
     * Whether Celery of this version (kombu 5.3 and later) writes dates, times, Decimals, UUIDs and bytes as
     * {@code {"__type__", "__value__"}} typed JSON values.
     *
     * @return {@code true} from 5.3 on
     */
    public boolean writesTypedJson() {
        return atLeast(new PeerVersion(5, 3));
    }

    @Override
    public int compareTo(PeerVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
