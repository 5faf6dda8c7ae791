package io.celeriac.statedb.file.internal;

import java.util.Arrays;

/** A growable big-endian byte buffer for encoding. Not thread-safe. */
final class ByteSink {
    private byte[] buf;
    private int len;

    ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    int length() {
        return len;
    }

    byte[] array() {
        return buf;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    void reset() {
        len = 0;
    }

    /** Forgets everything after the first {@code length} bytes. */
    void truncate(int length) {
        len = length;
    }

    private void ensure(int extra) {
        int need = len + extra;
        if (need < 0) {
            throw new IllegalStateException("encoded state larger than 2 GiB");
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, (int) Math.min(Integer.MAX_VALUE - 8, buf.length * 2L)));
        }
    }

    void u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    void u16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    void u32(long v) {
        ensure(4);
        putInt(buf, len, (int) v);
        len += 4;
    }

    void i64(long v) {
        ensure(8);
        putLong(buf, len, v);
        len += 8;
    }

    void varint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    void bytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    /** Reserves {@code n} bytes and returns their offset, for writing in place. */
    int skip(int n) {
        ensure(n);
        int at = len;
        len += n;
        return at;
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) (v >>> 32));
        putInt(b, off + 4, (int) v);
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }
}
