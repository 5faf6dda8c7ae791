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
        if (id.length() != 36 || id.charAt(8) != '-' || id.charAt(13) != '-' || id.charAt(18) != '-' || id.charAt(23) != '-') {
            return id;
        }
        long msb = 0;
        long lsb = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                continue;
            }
            char c = id.charAt(i);
            int v = c < 128 ? VALUE[c] : -1;
            if (v < 0) {
                return id;
            }
            if (digits < 16) {
                msb = (msb << 4) | v;
            } else {
                lsb = (lsb << 4) | v;
            }
            digits++;
        }
        return new UUID(msb, lsb);
    }

    /** The id of a key. */
    static String idOf(Object key) {
        return key instanceof String s ? s : key.toString();
    }
}
