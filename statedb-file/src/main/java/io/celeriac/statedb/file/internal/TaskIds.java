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
    private static final int[] DASHES = {8, 13, 18, 23};

    private TaskIds() {
    }

    /** Whether {@code s} is exactly 36 characters of lower-case hex digits with dashes at 8, 13, 18 and 23. */
    static boolean isCanonicalUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** Writes the 16 bytes of a canonical UUID string (checked by {@link #isCanonicalUuid}). */
    static void writeUuid(String s, byte[] dst, int off) {
        int o = off;
        int i = 0;
        while (i < 36) {
            char c = s.charAt(i);
            if (c == '-') {
                i++;
                continue;
            }
            dst[o++] = (byte) ((nibble(c) << 4) | nibble(s.charAt(i + 1)));
            i += 2;
        }
    }

    private static int nibble(char c) {
        return c <= '9' ? c - '0' : c - 'a' + 10;
    }

    /** The canonical lower-case UUID string of 16 bytes. */
    static String readUuid(byte[] src, int off) {
        char[] out = new char[36];
        int o = 0;
        for (int b = 0; b < 16; b++) {
            if (o == DASHES[0] || o == DASHES[1] || o == DASHES[2] || o == DASHES[3]) {
                out[o++] = '-';
            }
            int v = src[off + b] & 0xFF;
            out[o++] = HEX[v >>> 4];
            out[o++] = HEX[v & 0xF];
        }
        return new String(out);
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
