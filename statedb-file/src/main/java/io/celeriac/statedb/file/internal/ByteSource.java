package io.celeriac.statedb.file.internal;

/**
 * A bounds-checked big-endian reader over a byte range; every read past the end or malformed value throws
 * {@link FormatException} with the offset. Not thread-safe.
 */
final class ByteSource {
    private final byte[] buf;
    private final int end;
    private int pos;
    private final String what;

    ByteSource(byte[] buf, int off, int len, String what) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
        this.what = what;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n) {
        if (n < 0 || end - pos < n) {
            throw new FormatException("the " + what + " ends early at offset " + pos + " (" + n + " more bytes expected)");
        }
    }

    int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    int u16() {
        need(2);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    long u32() {
        need(4);
        long v = getInt(buf, pos) & 0xFFFFFFFFL;
        pos += 4;
        return v;
    }

    long i64() {
        need(8);
        long v = getLong(buf, pos);
        pos += 8;
        return v;
    }

    long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new FormatException("the " + what + " holds an over-long number at offset " + pos);
    }

    /** Returns the offset of {@code n} bytes and skips them. */
    int take(int n) {
        need(n);
        int at = pos;
        pos += n;
        return at;
    }

    byte[] array() {
        return buf;
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    static long getLong(byte[] b, int off) {
        return ((long) getInt(b, off) << 32) | (getInt(b, off + 4) & 0xFFFFFFFFL);
    }

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
