package io.celeriac.backend.jdbc.backend.internal.pickle;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.jdbc.backend.PickleFormatException;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.celeriac.backend.jdbc.backend.internal.pickle.Opcodes.*;

/**
 * Writes Python pickles (protocol 4 or 5) of plain values, byte for byte as CPython 3.11's C pickler
 * writes the same objects: the same opcodes, {@code MEMOIZE} after every string, bytes, list, dict and
 * non-empty tuple, {@code BINGET} for an object written twice (by identity, as Python's memo), items in
 * batches of 1000, and 64 KiB frames with strings and bytes of 64 KiB or more written outside frames.
 *
 * <p>Java values map as: {@code null} → {@code None}; {@link Boolean}; integral numbers and
 * {@link BigInteger} → {@code int}; {@link Double} and {@link Float} → {@code float}; {@link String} →
 * {@code str}; {@code byte[]} → {@code bytes}; any other {@link Collection} and arrays → {@code list};
 * {@link Map} → {@code dict}; {@link PyTuple} → {@code tuple}; {@link ExceptionInfo} → Celery's exception
 * dict with {@code exc_message} as a tuple; {@link ResultTuple} and {@link GroupResult} → their
 * {@code as_tuple()} form; {@link PyGlobal} and {@link PyReduce} → a global and a call. Anything else
 * that celeriac's JSON codec can write (dates, UUIDs, decimals) is written as that JSON value would read.
 *
 * <p>Not thread-safe: use {@link #dumps} for one value at a time.
 */
public final class PickleWriter {

    /** The frame size Python aims for. */
    static final int FRAME_SIZE_TARGET = 64 * 1024;
    private static final int FRAME_SIZE_MIN = 4;
    private static final int FRAME_HEADER_SIZE = 9;
    private static final int BATCHSIZE = 1000;
    private static final int MAX_DEPTH = 1000;

    private final int protocol;
    private byte[] buf = new byte[64];
    private int pos;
    private boolean framing;
    private int frameStart = -1;
    private int memoSize;
    private IdentityHashMap<Object, Integer> memo; // created on the first memoized object
    private Map<PyGlobal, Integer> globals;
    private int depth;

    private PickleWriter(int protocol) {
        this.protocol = protocol;
    }

    /**
     * Pickles a value.
     *
     * @param value the value (see the class comment)
     * @param protocol 4 or 5
     * @return the pickle
     * @throws PickleFormatException when the value holds a type that cannot be pickled, or nests deeper
     *                               than Python's default recursion limit
     */
    public static byte[] dumps(Object value, int protocol) {
        if (protocol != 4 && protocol != 5) {
            throw new IllegalArgumentException("celeriac writes pickle protocol 4 or 5, not " + protocol);
        }
        PickleWriter w = new PickleWriter(protocol);
        w.write2(PROTO, protocol);
        w.framing = true;
        w.save(value);
        w.write1(STOP);
        w.commitFrame();
        return Arrays.copyOf(w.buf, w.pos);
    }

    // ------------------------------------------------------------------------------------------
    // output and framing, as _pickle.c does it

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    private void startFrameIfNeeded() {
        if (framing && frameStart < 0) {
            ensure(FRAME_HEADER_SIZE);
            frameStart = pos;
            pos += FRAME_HEADER_SIZE;
        }
    }

    private void write1(int b) {
        startFrameIfNeeded();
        ensure(1);
        buf[pos++] = (byte) b;
    }

    private void write2(int a, int b) {
        startFrameIfNeeded();
        ensure(2);
        buf[pos++] = (byte) a;
        buf[pos++] = (byte) b;
    }

    private void writeBytes(byte[] b) {
        startFrameIfNeeded();
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void writeInt32(int v) {
        startFrameIfNeeded();
        ensure(4);
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >> 8);
        buf[pos++] = (byte) (v >> 16);
        buf[pos++] = (byte) (v >> 24);
    }

    /** Ends the current frame: fills in its FRAME header, or drops the header of a frame under 4 bytes. */
    private void commitFrame() {
        if (!framing || frameStart < 0) {
            return;
        }
        int frameLen = pos - frameStart - FRAME_HEADER_SIZE;
        if (frameLen >= FRAME_SIZE_MIN) {
            buf[frameStart] = (byte) FRAME;
            long len = frameLen;
            for (int i = 0; i < 8; i++) {
                buf[frameStart + 1 + i] = (byte) (len >>> (8 * i));
            }
        } else {
            System.arraycopy(buf, frameStart + FRAME_HEADER_SIZE, buf, frameStart, frameLen);
            pos -= FRAME_HEADER_SIZE;
        }
        frameStart = -1;
    }

    /** Between two objects: ends the frame once it holds 64 KiB. */
    private void opcodeBoundary() {
        if (framing && frameStart >= 0 && pos - frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET) {
            commitFrame();
        }
    }

    /** Writes an opcode header and a payload; payloads of 64 KiB or more go outside any frame. */
    private void writeWithPayload(byte[] header, byte[] payload) {
        if (payload.length >= FRAME_SIZE_TARGET) {
            commitFrame();
            boolean was = framing;
            framing = false;
            writeBytes(header);
            writeBytes(payload);
            framing = was;
        } else {
            writeBytes(header);
            writeBytes(payload);
        }
    }

    private void memoize(Object obj) {
        if (memo == null) {
            memo = new IdentityHashMap<>();
        }
        memo.put(obj, memoSize);
        memoSize++;
        write1(MEMOIZE);
    }

    private void writeGet(int index) {
        if (index < 256) {
            write2(BINGET, index);
        } else {
            write1(LONG_BINGET);
            writeInt32(index);
        }
    }

    // ------------------------------------------------------------------------------------------
    // objects

    private void save(Object obj) {
        opcodeBoundary();
        if (++depth > MAX_DEPTH) {
            throw new PickleFormatException("the value nests deeper than " + MAX_DEPTH
                    + " levels, beyond what Python's pickle can write", -1);
        }
        try {
            saveValue(obj);
        } finally {
            depth--;
        }
    }

    private void saveValue(Object obj) {
        if (obj == null) {
            write1(NONE);
            return;
        }
        if (obj instanceof Boolean b) {
            write1(b ? NEWTRUE : NEWFALSE);
            return;
        }
        if (obj instanceof Long || obj instanceof Integer || obj instanceof Short || obj instanceof Byte) {
            saveLong(((Number) obj).longValue());
            return;
        }
        if (obj instanceof BigInteger bi) {
            if (bi.bitLength() < 64) {
                saveLong(bi.longValue());
            } else {
                saveBigInteger(bi);
            }
            return;
        }
        if (obj instanceof Double || obj instanceof Float) {
            long bits = Double.doubleToRawLongBits(((Number) obj).doubleValue());
            startFrameIfNeeded();
            ensure(9);
            buf[pos++] = (byte) BINFLOAT;
            for (int i = 7; i >= 0; i--) {
                buf[pos++] = (byte) (bits >>> (8 * i));
            }
            return;
        }
        if (obj instanceof PyGlobal g) {
            saveGlobal(g);
            return;
        }
        Integer seen = memo == null ? null : memo.get(obj);
        if (seen != null) {
            writeGet(seen);
            return;
        }
        if (obj instanceof String s) {
            saveString(s);
        } else if (obj instanceof byte[] b) {
            saveBytes(b);
        } else if (obj instanceof PyTuple t) {
            saveTuple(t.items(), t);
        } else if (obj instanceof Map<?, ?> m) {
            saveDict(m);
        } else if (obj instanceof Collection<?> c) {
            saveList(c);
        } else if (obj instanceof Object[] a) {
            saveList(Arrays.asList(a));
        } else if (obj instanceof PyReduce r) {
            save(r.callable());
            save(r.args());
            write1(REDUCE);
            memoize(r);
        } else if (obj instanceof ExceptionInfo e) {
            saveException(e);
        } else if (obj instanceof ResultTuple rt) {
            save(asTuple(rt));
        } else if (obj instanceof GroupResult g) {
            save(asTuple(g.asTuple()));
        } else {
            Object plain;
            try {
                plain = CeleryJson.decode(CeleryJson.encode(obj));
            } catch (JsonFormatException e) {
                throw new PickleFormatException("cannot pickle a value of type " + obj.getClass().getName()
                        + ": " + e.getMessage(), -1);
            }
            save(plain);
        }
    }

    private void saveLong(long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            if (v >= 0 && v <= 0xff) {
                write2(BININT1, (int) v);
            } else if (v >= 0 && v <= 0xffff) {
                startFrameIfNeeded();
                ensure(3);
                buf[pos++] = (byte) BININT2;
                buf[pos++] = (byte) v;
                buf[pos++] = (byte) (v >> 8);
            } else {
                write1(BININT);
                writeInt32((int) v);
            }
            return;
        }
        saveBigInteger(BigInteger.valueOf(v));
    }

    private void saveBigInteger(BigInteger v) {
        byte[] be = v.toByteArray(); // minimal two's complement, big-endian: what Python writes, reversed
        int n = be.length;
        if (n <= 0xff) {
            startFrameIfNeeded();
            ensure(2 + n);
            buf[pos++] = (byte) LONG1;
            buf[pos++] = (byte) n;
        } else {
            write1(LONG4);
            writeInt32(n);
            ensure(n);
        }
        for (int i = n - 1; i >= 0; i--) {
            buf[pos++] = be[i];
        }
    }

    private void saveString(String s) {
        byte[] b = PyUtf8.encode(s);
        int n = b.length;
        if (n <= 0xff) {
            startFrameIfNeeded();
            ensure(2 + n);
            buf[pos++] = (byte) SHORT_BINUNICODE;
            buf[pos++] = (byte) n;
            System.arraycopy(b, 0, buf, pos, n);
            pos += n;
        } else {
            writeWithPayload(new byte[]{(byte) BINUNICODE, (byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)}, b);
        }
        memoize(s);
    }

    private void saveBytes(byte[] b) {
        int n = b.length;
        if (n <= 0xff) {
            write2(SHORT_BINBYTES, n);
            writeBytes(b);
        } else {
            writeWithPayload(new byte[]{(byte) BINBYTES, (byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)}, b);
        }
        memoize(b);
    }

    private void saveTuple(List<?> items, Object identity) {
        int n = items.size();
        if (n == 0) {
            write1(EMPTY_TUPLE);
            return;
        }
        if (n <= 3) {
            for (Object o : items) {
                save(o);
            }
            write1(n == 1 ? TUPLE1 : n == 2 ? TUPLE2 : TUPLE3);
        } else {
            write1(MARK);
            for (Object o : items) {
                save(o);
            }
            write1(TUPLE);
        }
        memoize(identity);
    }

    private void saveList(Collection<?> c) {
        write1(EMPTY_LIST);
        memoize(c);
        int n = c.size();
        if (n == 0) {
            return;
        }
        Iterator<?> it = c.iterator();
        if (n == 1) {
            save(it.next());
            write1(APPEND);
            return;
        }
        int total = 0;
        do {
            int batch = 0;
            write1(MARK);
            while (total < n) {
                save(it.next());
                total++;
                if (++batch == BATCHSIZE) {
                    break;
                }
            }
            write1(APPENDS);
        } while (total < n);
    }

    private void saveDict(Map<?, ?> m) {
        write1(EMPTY_DICT);
        memoize(m);
        int n = m.size();
        if (n == 0) {
            return;
        }
        Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
        if (n == 1) {
            Map.Entry<?, ?> e = it.next();
            save(e.getKey());
            save(e.getValue());
            write1(SETITEM);
            return;
        }
        int batch;
        do {
            batch = 0;
            write1(MARK);
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                save(e.getKey());
                save(e.getValue());
                if (++batch == BATCHSIZE) {
                    break;
                }
            }
            write1(SETITEMS);
        } while (batch == BATCHSIZE); // Python writes an empty batch after a multiple of 1000 items
    }

    private void saveGlobal(PyGlobal g) {
        if (globals == null) {
            globals = new HashMap<>();
        }
        Integer seen = globals.get(g);
        if (seen != null) {
            writeGet(seen);
            return;
        }
        save(g.module());
        save(g.name());
        write1(STACK_GLOBAL);
        globals.put(g, memoSize);
        memoSize++;
        write1(MEMOIZE);
    }

    /** Celery's exception dict as the database backend pickles it: {@code exc_message} is a tuple. */
    private void saveException(ExceptionInfo e) {
        Map<String, Object> d = new java.util.LinkedHashMap<>(4);
        d.put("exc_type", e.excType());
        d.put("exc_message", e.excMessage() instanceof List<?> l ? PyTuple.ofList(l) : e.excMessage());
        d.put("exc_module", e.excModule());
        save(d);
    }

    /** Celery's {@code as_tuple()}: {@code ((id, parent), None)} or {@code ((id, parent), [children])}. */
    private static PyTuple asTuple(ResultTuple t) {
        PyTuple head = PyTuple.of(t.id(), t.parent() == null ? null : asTuple(t.parent()));
        if (t.children() == null) {
            return PyTuple.of(head, null);
        }
        List<Object> kids = new java.util.ArrayList<>(t.children().size());
        for (ResultTuple c : t.children()) {
            kids.add(asTuple(c));
        }
        return PyTuple.of(head, kids);
    }
}
