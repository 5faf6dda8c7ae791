package io.celeriac.statedb.file.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The journal file, format version 1 (documented in {@code statedb-file/FORMAT.md}). Big-endian:
 *
 * <pre>
 * header, 24 bytes: magic 89 43 45 4C 4A 4E 4C 0A ("\x89CELJNL\n"), version u16 (1), flags u16 (0),
 *                   generation u64, CRC32C u32 of the 20 bytes before it
 * records:          length L u32 (1..1 MiB), payload (L bytes), CRC32C u32 of the length and payload
 * payloads:         01 ADD     i64 epoch microseconds, id
 *                   02 DISCARD id
 *                   03 CLEAR
 *                   04 CLOCK   i64 value (the last CLOCK record is the value a merge adjusts with)
 * id:               00 then 16 bytes (a canonical lower-case UUID), or 01 then varint length and UTF-8
 * </pre>
 *
 * <p>A scan stops at the first record that does not check out. When that record is the file's last (its
 * declared end reaches the end of the file or beyond) or only zero bytes follow it, it is a <em>torn
 * tail</em>: a write a crash interrupted, never acknowledged, ignored. Otherwise it is corruption.
 */
final class JournalCodec {

    static final byte[] MAGIC = {(byte) 0x89, 'C', 'E', 'L', 'J', 'N', 'L', '\n'};
    static final int VERSION = 1;
    static final int HEADER = 24;
    static final int MAX_RECORD = 1 << 20;
    static final int ADD = 1;
    static final int DISCARD = 2;
    static final int CLEAR = 3;
    static final int CLOCK = 4;

    private JournalCodec() {
    }

    /** One journal record. */
    sealed interface Record permits Add, Discard, Clear, Clock {
    }

    /** An id added or refreshed at a time. */
    record Add(String id, long micros) implements Record {
    }

    /** An id discarded. */
    record Discard(String id) implements Record {
    }

    /** Every id removed. */
    record Clear() implements Record {
    }

    /** A clock value (ceiling) stored. */
    record Clock(long value) implements Record {
    }

    /**
     * What a scan found.
     *
     * @param records the valid records, in order
     * @param validEnd the offset just after the last valid record (or after the header)
     * @param tornBytes bytes of a torn tail ignored after {@code validEnd} (0 for none)
     * @param corruption what is wrong where, or {@code null} when the file is sound up to a possible torn tail
     */
    record Scan(List<Record> records, int validEnd, int tornBytes, String corruption) {
    }

    static void header(ByteSink out, long generation) {
        int at = out.skip(0);
        out.bytes(MAGIC, 0, 8);
        out.u16(VERSION);
        out.u16(0);
        out.i64(generation);
        out.u32(SnapshotCodec.crc(out.array(), at, 20) & 0xFFFFFFFFL);
    }

    static void add(ByteSink out, String id, long micros) {
        int at = begin(out);
        out.u8(ADD);
        out.i64(micros);
        id(out, id);
        end(out, at);
    }

    /** An ADD record of an id that is the canonical string of the UUID with these halves. */
    static void addUuid(ByteSink out, long mostSignificantBits, long leastSignificantBits, long micros) {
        int at = begin(out);
        out.u8(ADD);
        out.i64(micros);
        out.u8(0);
        out.i64(mostSignificantBits);
        out.i64(leastSignificantBits);
        end(out, at);
    }

    static void discard(ByteSink out, String id) {
        int at = begin(out);
        out.u8(DISCARD);
        id(out, id);
        end(out, at);
    }

    static void clear(ByteSink out) {
        int at = begin(out);
        out.u8(CLEAR);
        end(out, at);
    }

    static void clock(ByteSink out, long value) {
        int at = begin(out);
        out.u8(CLOCK);
        out.i64(value);
        end(out, at);
    }

    private static int begin(ByteSink out) {
        return out.skip(4);
    }

    private static void end(ByteSink out, int at) {
        int len = out.length() - at - 4;
        if (len > MAX_RECORD) {
            throw new IllegalArgumentException("a task id longer than " + (MAX_RECORD - 32) + " bytes cannot be journaled");
        }
        ByteSink.putInt(out.array(), at, len);
        out.u32(SnapshotCodec.crc(out.array(), at, len + 4) & 0xFFFFFFFFL);
    }

    private static void id(ByteSink out, String id) {
        int mark = out.length();
        out.u8(0);
        int at = out.skip(16);
        if (!TaskIds.tryWriteUuid(id, out.array(), at)) {
            out.truncate(mark);
            byte[] b = TaskIds.utf8(id);
            out.u8(1);
            out.varint(b.length);
            out.bytes(b, 0, b.length);
        }
    }

    /** Scans a whole journal file whose name says it is generation {@code generation}. */
    static Scan scan(byte[] b, long generation) {
        List<Record> records = new ArrayList<>();
        if (b.length < HEADER) {
            int k = Math.min(b.length, 8);
            if (Arrays.equals(b, 0, k, MAGIC, 0, k)) {
                return new Scan(records, 0, b.length, null); // created by a write a crash interrupted
            }
            return new Scan(records, 0, 0, "it does not start with the journal magic (not a celeriac journal)");
        }
        if (!Arrays.equals(b, 0, 8, MAGIC, 0, 8)) {
            return new Scan(records, 0, 0, "it does not start with the journal magic (not a celeriac journal)");
        }
        if (ByteSource.getInt(b, 20) != SnapshotCodec.crc(b, 0, 20)) {
            return new Scan(records, 0, 0, "the header checksum does not match (the first 24 bytes are damaged)");
        }
        int version = ((b[8] & 0xFF) << 8) | (b[9] & 0xFF);
        if (version != VERSION) {
            return new Scan(records, 0, 0, "it is journal format version " + version + ", and this celeriac reads version "
                    + VERSION + " only");
        }
        long gen = ByteSource.getLong(b, 12);
        if (gen != generation) {
            return new Scan(records, 0, 0, "its header says generation " + gen + " but its name says " + generation);
        }
        int pos = HEADER;
        while (pos < b.length) {
            int left = b.length - pos;
            if (left < 8) {
                return new Scan(records, pos, left, null);
            }
            long len = ByteSource.getInt(b, pos) & 0xFFFFFFFFL;
            if (len == 0 || len > MAX_RECORD) {
                if (allZero(b, pos)) {
                    return new Scan(records, pos, left, null);
                }
                return new Scan(records, pos, 0, "the record at offset " + pos + " has an impossible length " + len);
            }
            long recordEnd = pos + 4 + len + 4;
            if (recordEnd > b.length) {
                return new Scan(records, pos, left, null);
            }
            int crc = SnapshotCodec.crc(b, pos, (int) len + 4);
            if (crc != ByteSource.getInt(b, pos + 4 + (int) len)) {
                if (recordEnd == b.length || allZero(b, (int) recordEnd)) {
                    return new Scan(records, pos, left, null);
                }
                return new Scan(records, pos, 0, "the checksum of the record at offset " + pos + " does not match");
            }
            try {
                records.add(parse(b, pos + 4, (int) len));
            } catch (FormatException e) {
                return new Scan(records, pos, 0, "the record at offset " + pos + " is malformed: " + e.getMessage());
            }
            pos = (int) recordEnd;
        }
        return new Scan(records, pos, 0, null);
    }

    private static Record parse(byte[] b, int off, int len) {
        ByteSource in = new ByteSource(b, off, len, "journal record");
        int type = in.u8();
        Record r;
        switch (type) {
            case ADD:
                long micros = in.i64();
                r = new Add(readId(in), micros);
                break;
            case DISCARD:
                r = new Discard(readId(in));
                break;
            case CLEAR:
                r = new Clear();
                break;
            case CLOCK:
                r = new Clock(in.i64());
                break;
            default:
                throw new FormatException("unknown record type " + type);
        }
        if (in.remaining() != 0) {
            throw new FormatException(in.remaining() + " bytes after the record's fields");
        }
        return r;
    }

    private static String readId(ByteSource in) {
        int kind = in.u8();
        if (kind == 0) {
            return TaskIds.readUuid(in.array(), in.take(16));
        }
        if (kind == 1) {
            long n = in.varint();
            if (n > in.remaining()) {
                throw new FormatException("a task id longer than its record");
            }
            int at = in.take((int) n);
            return TaskIds.fromUtf8(in.array(), at, (int) n, "journal");
        }
        throw new FormatException("unknown id kind " + kind);
    }

    private static boolean allZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
