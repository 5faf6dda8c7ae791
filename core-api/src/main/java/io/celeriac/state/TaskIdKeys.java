package io.celeriac.state;

import java.util.UUID;

/**
 * How {@link RevokedSet} and {@link RevokedEntries} key task ids: an id that is a canonical UUID string (36
 * characters, lower-case hex, dashes at 8, 13, 18 and 23, what Celery's {@code uuid()} makes) is kept as a
 * {@link UUID} (16 bytes, cheap to hash and to store); any other id as its string. The conversion is exact
 * both ways: {@code UUID.toString()} gives back the identical string.
 */
final class TaskIdKeys {
    private static final byte[] VALUE = new byte[128];

    static {
        java.util.Arrays.fill(VALUE, (byte) -1);
        for (int i = 0; i < 10; i++) {
            VALUE['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            VALUE['a' + i] = (byte) (10 + i);
        }
    }

    private TaskIdKeys() {
    }

    /** The key of an id: a {@link UUID} for a canonical UUID string, else the string itself. */
    static Object keyOf(String id) {
        return isUuid(id) ? new UUID(msb(id), lsb(id)) : id;
    }

    /** Whether an id is a canonical UUID string (lower-case hex). */
    static boolean isUuid(String id) {
        if (id.length() != 36 || id.charAt(8) != '-' || id.charAt(13) != '-' || id.charAt(18) != '-' || id.charAt(23) != '-') {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                continue;
            }
            char c = id.charAt(i);
            if (c >= 128 || VALUE[c] < 0) {
                return false;
            }
        }
        return true;
    }

    /** The first half of a canonical UUID id ({@link #isUuid} holds). */
    static long msb(String id) {
        return hex(id, 0, 8) << 32 | hex(id, 9, 13) << 16 | hex(id, 14, 18);
    }

    /** The second half of a canonical UUID id ({@link #isUuid} holds). */
    static long lsb(String id) {
        return hex(id, 19, 23) << 48 | hex(id, 24, 36);
    }

    private static long hex(String id, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            v = (v << 4) | VALUE[id.charAt(i)];
        }
        return v;
    }
}
