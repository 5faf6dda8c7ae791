package io.celeriac.statedb.file.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Task id encoding: a canonical lower-case UUID string (what Celery's {@code uuid()} makes) is stored as
 * its 16 bytes and comes back as the identical string; any other id is stored as UTF-8.
 */
final class TaskIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TaskIds() {
    }

    /** Where the two hex digits of each of a UUID's 16 bytes are in its 36-character string. */
    private static final int[] POS = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    /** Lower-case hex digit values; -1 for every other character below 128. */
    private static final byte[] VALUE = new byte[128];

    static {
        java.util.Arrays.fill(VALUE, (byte) -1);
        for (int i = 0; i < 16; i++) {
            VALUE[HEX[i]] = (byte) i;
        }
    }

    /** Whether {@code s} is exactly 36 characters of lower-case hex digits with dashes at 8, 13, 18 and 23. */
    static boolean isCanonicalUuid(String s) {
        return tryWriteUuid(s, new byte[16], 0);
    }

    /**
     * Writes the 16 bytes of {@code s} when it is a canonical lower-case UUID string and returns
     * {@code true}; otherwise returns {@code false} (the bytes at {@code dst} may have been written).
     */
    static boolean tryWriteUuid(String s, byte[] dst, int off) {
        if (s.length() != 36 || s.charAt(8) != '-' || s.charAt(13) != '-' || s.charAt(18) != '-' || s.charAt(23) != '-') {
            return false;
        }
        for (int b = 0; b < 16; b++) {
            int p = POS[b];
            char hi = s.charAt(p);
            char lo = s.charAt(p + 1);
            if ((hi | lo) >= 128) {
                return false;
            }
            int h = VALUE[hi];
            int l = VALUE[lo];
            if ((h | l) < 0) {
                return false;
            }
            dst[off + b] = (byte) ((h << 4) | l);
        }
        return true;
    }

    /** The canonical lower-case UUID string of 16 bytes. */
    static String readUuid(byte[] src, int off) {
        return readUuid(src, off, new byte[36]);
    }

    /** The canonical lower-case UUID string of 16 bytes, built in {@code out} (36 bytes, reusable). */
    static String readUuid(byte[] src, int off, byte[] out) {
        out[8] = '-';
        out[13] = '-';
        out[18] = '-';
        out[23] = '-';
        for (int b = 0; b < 16; b++) {
            int v = src[off + b] & 0xFF;
            int p = POS[b];
            out[p] = (byte) HEX[v >>> 4];
            out[p + 1] = (byte) HEX[v & 0xF];
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Strict UTF-8 decoding: malformed bytes are a format error, never replaced. */
    static String fromUtf8(byte[] b, int off, int len, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("the " + what + " holds a task id that is not UTF-8 at offset " + off);
        }
    }
}
