package io.celeriac.backend.jdbc.backend.internal.pickle;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 with Python's {@code surrogatepass} error handler, as pickle uses for {@code str}: a lone
 * surrogate is written as its own three-byte sequence instead of being replaced, and read back.
 */
final class PyUtf8 {
    private PyUtf8() {
    }

    /**
     * Encodes a string; lone surrogates become three-byte sequences.
     *
     * @param s the string
     * @return its bytes
     */
    static byte[] encode(String s) {
        int n = s.length();
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        byte[] out = new byte[n * 3];
        int p = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[p++] = (byte) c;
            } else if (c < 0x800) {
                out[p++] = (byte) (0xc0 | (c >> 6));
                out[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[p++] = (byte) (0xf0 | (cp >> 18));
                out[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                out[p++] = (byte) (0x80 | (cp & 0x3f));
            } else {
                // any other BMP char, lone surrogates included (surrogatepass)
                out[p++] = (byte) (0xe0 | (c >> 12));
                out[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                out[p++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return java.util.Arrays.copyOf(out, p);
    }

    /**
     * Decodes bytes; three-byte surrogate sequences are accepted.
     *
     * @param b the buffer
     * @param off where the text starts
     * @param len how many bytes
     * @return the string
     * @throws IllegalArgumentException when the bytes are not UTF-8 (surrogates allowed)
     */
    static String decode(byte[] b, int off, int len) {
        int end = off + len;
        boolean ascii = true;
        for (int i = off; i < end; i++) {
            if (b[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1);
        }
        StringBuilder sb = new StringBuilder(len);
        int i = off;
        while (i < end) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
            } else if (c >= 0xc2 && c <= 0xdf) {
                sb.append((char) (((c & 0x1f) << 6) | cont(b, i + 1, end)));
                i += 2;
            } else if (c >= 0xe0 && c <= 0xef) {
                int c1 = cont(b, i + 1, end);
                int c2 = cont(b, i + 2, end);
                int cp = ((c & 0x0f) << 12) | (c1 << 6) | c2;
                if (cp < 0x800) {
                    throw new IllegalArgumentException("an overlong UTF-8 sequence at byte " + (i - off));
                }
                sb.append((char) cp);
                i += 3;
            } else if (c >= 0xf0 && c <= 0xf4) {
                int cp = ((c & 0x07) << 18) | (cont(b, i + 1, end) << 12) | (cont(b, i + 2, end) << 6) | cont(b, i + 3, end);
                if (cp < 0x10000 || cp > 0x10ffff) {
                    throw new IllegalArgumentException("an invalid UTF-8 sequence at byte " + (i - off));
                }
                sb.appendCodePoint(cp);
                i += 4;
            } else {
                throw new IllegalArgumentException("an invalid UTF-8 start byte at byte " + (i - off));
            }
        }
        return sb.toString();
    }

    private static int cont(byte[] b, int i, int end) {
        if (i >= end || (b[i] & 0xc0) != 0x80) {
            throw new IllegalArgumentException("a truncated UTF-8 sequence");
        }
        return b[i] & 0x3f;
    }
}
