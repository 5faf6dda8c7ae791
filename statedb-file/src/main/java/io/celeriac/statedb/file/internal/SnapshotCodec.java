package io.celeriac.statedb.file.internal;

import io.celeriac.state.RevokedEntries;

import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The snapshot file, format version 1 (documented in {@code statedb-file/FORMAT.md}). Big-endian:
 *
 * <pre>
 *  0   8  magic 89 43 45 4C 53 44 42 0A ("\x89CELSDB\n")
 *  8   2  format version (1)
 * 10   2  flags (0)
 * 12   4  number of ids n
 * 16   8  written at, wall-clock epoch microseconds
 * 24   8  next journal generation
 * 32   8  clock: the value at the sync
 * 40   8  clock ceiling: the value a merge adjusts with (at least the clock)
 * 48   4  UUID block length U (16 per id that is a canonical UUID)
 * 52   4  body length B (deflated)
 * 56   4  body length before deflation R
 * 60   4  CRC32C of bytes 0..59
 * 64   U  UUID block: 16 bytes per UUID id, in id order
 * ..   B  body, zlib-deflated: n kind bytes (0 UUID, 1 UTF-8), then for each UTF-8 id its varint length
 *         and bytes, then n zig-zag varints: each id's timestamp in microseconds minus the previous one's
 * end-4 4 CRC32C of every byte before it
 * </pre>
 */
final class SnapshotCodec {

    static final byte[] MAGIC = {(byte) 0x89, 'C', 'E', 'L', 'S', 'D', 'B', '\n'};
    static final int VERSION = 1;
    static final int HEADER = 64;
    private static final int KIND_UUID = 0;
    private static final int KIND_UTF8 = 1;
    /** The most that zlib's deflate can compress, rounded up. */
    private static final long MAX_INFLATE_RATIO = 1100;

    private SnapshotCodec() {
    }

    /** A decoded snapshot: the ids with their timestamps in the stored order, and the header's values. */
    record Decoded(RevokedEntries entries, long writtenAtMicros, long nextGeneration, long clock, long ceiling) {
    }

    /** Encodes ids (to epoch seconds, ideally oldest first) with the clock and next journal generation. */
    static byte[] encode(Map<String, Double> revoked, long clock, long ceiling, long nextGeneration, long writtenAtMicros) {
        RevokedEntries e = RevokedEntries.copyOf(revoked);
        int n = e.size();
        byte[] uuids = new byte[16 * n];
        int u = 0;
        ByteSink body = new ByteSink(n * 3 + 64);
        int kinds = body.skip(n);
        for (int i = 0; i < n; i++) {
            if (e.isUuid(i)) {
                ByteSink.putLong(uuids, u, e.msb(i));
                ByteSink.putLong(uuids, u + 8, e.lsb(i));
                u += 16;
                body.array()[kinds + i] = KIND_UUID;
            } else {
                String id = e.id(i);
                body.array()[kinds + i] = KIND_UTF8;
                byte[] b = TaskIds.utf8(id);
                body.varint(b.length);
                body.bytes(b, 0, b.length);
            }
        }
        long previous = 0;
        for (int i = 0; i < n; i++) {
            long m = e.micros(i);
            body.varint(ByteSink.zigzag(m - previous));
            previous = m;
        }
        byte[] deflated = deflate(body.array(), body.length());

        int total = HEADER + u + deflated.length + 4;
        byte[] out = new byte[total];
        System.arraycopy(MAGIC, 0, out, 0, 8);
        out[8] = 0;
        out[9] = VERSION;
        ByteSink.putInt(out, 12, n);
        ByteSink.putLong(out, 16, writtenAtMicros);
        ByteSink.putLong(out, 24, nextGeneration);
        ByteSink.putLong(out, 32, clock);
        ByteSink.putLong(out, 40, ceiling);
        ByteSink.putInt(out, 48, u);
        ByteSink.putInt(out, 52, deflated.length);
        ByteSink.putInt(out, 56, body.length());
        ByteSink.putInt(out, 60, crc(out, 0, 60));
        System.arraycopy(uuids, 0, out, HEADER, u);
        System.arraycopy(deflated, 0, out, HEADER + u, deflated.length);
        ByteSink.putInt(out, total - 4, crc(out, 0, total - 4));
        return out;
    }

    /** Whether the bytes start with this format's magic (a truncated magic counts as not). */
    static boolean hasMagic(byte[] b) {
        return b.length >= 8 && Arrays.equals(b, 0, 8, MAGIC, 0, 8);
    }

    /**
     * Decodes and checks a snapshot file.
     *
     * @throws FormatException saying what is wrong (never for a file that does not start with the magic:
     *         check {@link #hasMagic} first)
     */
    static Decoded decode(byte[] b) {
        if (b.length < HEADER + 4) {
            throw new FormatException("the file is " + b.length + " bytes long, shorter than the smallest state file ("
                    + (HEADER + 4) + " bytes): it was cut short");
        }
        int version = ((b[8] & 0xFF) << 8) | (b[9] & 0xFF);
        int headerCrc = ByteSource.getInt(b, 60);
        if (headerCrc != crc(b, 0, 60)) {
            throw new FormatException("the header checksum does not match (the first 64 bytes are damaged)");
        }
        if (version != VERSION) {
            throw new FormatException("it is format version " + version + ", and this celeriac reads version " + VERSION
                    + " only (was it written by a newer celeriac?)");
        }
        int flags = ((b[10] & 0xFF) << 8) | (b[11] & 0xFF);
        if (flags != 0) {
            throw new FormatException("it has unknown flags " + flags + " (was it written by a newer celeriac?)");
        }
        long n = ByteSource.getInt(b, 12) & 0xFFFFFFFFL;
        long u = ByteSource.getInt(b, 48) & 0xFFFFFFFFL;
        long bodyLen = ByteSource.getInt(b, 52) & 0xFFFFFFFFL;
        long rawLen = ByteSource.getInt(b, 56) & 0xFFFFFFFFL;
        long expected = HEADER + u + bodyLen + 4;
        if (expected != b.length) {
            throw new FormatException("the header describes " + expected + " bytes but the file has " + b.length
                    + (b.length < expected ? ": it was cut short" : ": it has extra bytes"));
        }
        if (crc(b, 0, b.length - 4) != ByteSource.getInt(b, b.length - 4)) {
            throw new FormatException("the checksum of the file does not match (its contents are damaged)");
        }
        // zlib inflates at most about 1032 times, and every id takes at least two bytes of the body (its kind and
        // timestamp): larger sizes can only come from a crafted header, and would allocate gigabytes
        if (n > Integer.MAX_VALUE - 8 || u % 16 != 0 || u / 16 > n || rawLen > Integer.MAX_VALUE - 8
                || rawLen > MAX_INFLATE_RATIO * bodyLen + 64 || 2 * n > rawLen) {
            throw new FormatException("the header holds impossible sizes (ids " + n + ", UUID block " + u + ", body "
                    + bodyLen + " bytes inflating to " + rawLen + ")");
        }
        byte[] raw = inflate(b, HEADER + (int) u, (int) bodyLen, (int) rawLen);
        int count = (int) n;
        String[] strings = new String[count]; // null for a UUID id
        ByteSource in = new ByteSource(raw, 0, raw.length, "snapshot body");
        int kinds = in.take(count);
        int uuidCount = 0;
        for (int i = 0; i < count; i++) {
            int kind = raw[kinds + i];
            if (kind == KIND_UUID) {
                uuidCount++;
            } else if (kind == KIND_UTF8) {
                long len = in.varint();
                if (len > in.remaining()) {
                    throw new FormatException("a task id is longer than the rest of the body");
                }
                int at = in.take((int) len);
                strings[i] = TaskIds.fromUtf8(raw, at, (int) len, "snapshot");
            } else {
                throw new FormatException("unknown id kind " + kind + " for id number " + i);
            }
        }
        if (uuidCount * 16L != u) {
            throw new FormatException("the UUID block holds " + u / 16 + " ids but the body lists " + uuidCount);
        }
        RevokedEntries.Builder entries = RevokedEntries.builder(count);
        int uuidAt = HEADER;
        long previous = 0;
        for (int i = 0; i < count; i++) {
            previous += ByteSource.unzigzag(in.varint());
            if (strings[i] == null) {
                entries.addUuid(ByteSource.getLong(b, uuidAt), ByteSource.getLong(b, uuidAt + 8), previous);
                uuidAt += 16;
            } else {
                entries.add(strings[i], previous);
            }
        }
        if (in.remaining() != 0) {
            throw new FormatException("the body has " + in.remaining() + " bytes after its last timestamp");
        }
        return new Decoded(entries.buildDistinct(), ByteSource.getLong(b, 16), ByteSource.getLong(b, 24),
                ByteSource.getLong(b, 32), ByteSource.getLong(b, 40));
    }

    private static byte[] deflate(byte[] b, int len) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION);
        try {
            d.setInput(b, 0, len);
            d.finish();
            ByteSink out = new ByteSink(len / 2 + 64);
            byte[] chunk = new byte[Math.max(1024, Math.min(len + 64, 1 << 16))];
            while (!d.finished()) {
                int k = d.deflate(chunk);
                out.bytes(chunk, 0, k);
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static byte[] inflate(byte[] b, int off, int len, int rawLen) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(b, off, len);
            byte[] out = new byte[rawLen];
            int got = 0;
            while (got < rawLen) {
                int k = inf.inflate(out, got, rawLen - got);
                if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                got += k;
            }
            if (got != rawLen || !inf.finished() && inf.inflate(new byte[1]) > 0) {
                throw new FormatException("the body inflates to a different size than the header says");
            }
            return out;
        } catch (DataFormatException e) {
            throw new FormatException("the body is not valid zlib data: " + e.getMessage());
        } finally {
            inf.end();
        }
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
