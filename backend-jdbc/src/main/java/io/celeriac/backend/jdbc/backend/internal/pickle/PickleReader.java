package io.celeriac.backend.jdbc.backend.internal.pickle;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.jdbc.backend.ForbiddenPickleException;
import io.celeriac.backend.jdbc.backend.PickleFormatException;
import io.celeriac.backend.jdbc.backend.internal.pickle.PickleAllowList.Global;
import io.celeriac.backend.jdbc.backend.internal.pickle.PickleAllowList.Kind;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.celeriac.backend.jdbc.backend.internal.pickle.Opcodes.*;

/**
 * Reads Python pickles of every protocol (0 to 5) safely: it is a plain stack machine over the value
 * opcodes, and it never looks up, calls or constructs anything a pickle names. A global ({@code GLOBAL},
 * {@code STACK_GLOBAL}) is accepted only when {@link PickleAllowList} allows it, and is mapped to a Java value:
 * <ul>
 *   <li>{@code celery.result.GroupResult} and {@code celery.result.AsyncResult} → {@link ResultTuple}
 *       (a group has children), also as an app's subclasses pickle them
 *       ({@code celery.app.base._unpickle_appattr('GroupResult' | 'AsyncResult', args)}, no other name);</li>
 *   <li>{@code celery.backends.base.unpickle_backend} and Celery's backend classes
 *       ({@code celery.backends.*.*Backend}) → an opaque {@link BackendReference} holding the class
 *       name only (the embedded URL, which may hold a password, is dropped);</li>
 *   <li>{@code datetime.timedelta} → {@link Duration};</li>
 *   <li>Python's built-in exceptions, {@code celery.exceptions}, billiard's time-limit exceptions and
 *       {@code celery.utils.serialization.UnpickleableExceptionWrapper} → {@link ExceptionInfo};</li>
 *   <li>{@code builtins.set}, {@code frozenset}, {@code bytearray} and {@code _codecs.encode} (how
 *       protocol 2 writes sets and bytes) → sets and {@code byte[]}.</li>
 * </ul>
 * Any other global, and the opcodes that construct arbitrary objects ({@code INST}, {@code OBJ},
 * {@code NEWOBJ}, {@code NEWOBJ_EX}, persistent ids, extension codes, out-of-band buffers), raise
 * {@link ForbiddenPickleException} at once. Malformed input raises {@link PickleFormatException}; lengths
 * are checked against the input before anything is allocated.
 *
 * <p>Values come back as celeriac's plain values: {@code None} → {@code null}; {@code bool}; {@code int}
 * → {@link Long}, or {@link BigInteger} beyond 64 bits; {@code float} → {@link Double}; {@code str};
 * {@code bytes} → {@code byte[]}; {@code list} and {@code tuple} → unmodifiable {@link List};
 * {@code dict} → unmodifiable insertion-ordered {@link Map}; {@code set} → unmodifiable {@link Set}.
 *
 * <p>Not thread-safe: use {@link #loads}.
 */
public final class PickleReader {

    private static final int MAX_DEPTH = 1000; // as Python's recursion limit and the JSON codec; the conversion recurses
    private static final Object MARK_OBJ = new Object();

    /**
     * A Celery result backend that a pickle referred to (by {@code unpickle_backend}); only its class is
     * kept.
     *
     * @param className the backend class as {@code module.Name}
     */
    public record BackendReference(String className) {
    }

    /** A tuple on the stack: kept apart from lists until the end. */
    private record Tuple(Object[] items) {
    }

    /** An exception built by REDUCE, which a BUILD may follow. */
    private record ExceptionObject(ExceptionInfo info) {
    }

    private final byte[] data;
    private int pos;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int opStart;

    private PickleReader(byte[] data) {
        this.data = data;
    }

    /**
     * Reads a pickle.
     *
     * @param data the pickle's bytes
     * @return the value, as described in the class comment
     * @throws ForbiddenPickleException when the pickle names a global outside the allow-list or uses an
     *                                  object-constructing opcode
     * @throws PickleFormatException when the bytes are not a well-formed pickle
     */
    public static Object loads(byte[] data) {
        PickleReader r = new PickleReader(data);
        Object raw = r.run();
        return isPlain(raw) ? raw : r.toJava(raw, 0, new IdentityHashMap<>());
    }

    // ------------------------------------------------------------------------------------------
    // input

    private PickleFormatException malformed(String what) {
        return new PickleFormatException("not a valid pickle: " + what, opStart);
    }

    private void need(long n) {
        if (n < 0 || n > data.length - pos) {
            throw malformed("a length of " + n + " bytes runs past the end of the data (" + (data.length - pos) + " left)");
        }
    }

    private int u8() {
        need(1);
        return data[pos++] & 0xff;
    }

    private int u16() {
        need(2);
        int v = (data[pos] & 0xff) | ((data[pos + 1] & 0xff) << 8);
        pos += 2;
        return v;
    }

    private int i32() {
        need(4);
        int v = (data[pos] & 0xff) | ((data[pos + 1] & 0xff) << 8) | ((data[pos + 2] & 0xff) << 16) | ((data[pos + 3] & 0xff) << 24);
        pos += 4;
        return v;
    }

    private long u32() {
        return i32() & 0xffffffffL;
    }

    private long i64() {
        need(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (data[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    private byte[] bytes(long n) {
        need(n);
        byte[] b = java.util.Arrays.copyOfRange(data, pos, pos + (int) n);
        pos += (int) n;
        return b;
    }

    private String utf8(long n) {
        need(n);
        try {
            String s = PyUtf8.decode(data, pos, (int) n);
            pos += (int) n;
            return s;
        } catch (IllegalArgumentException e) {
            throw malformed("a string is not UTF-8: " + e.getMessage());
        }
    }

    /** A protocol-0 line, without its newline. */
    private String line() {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            pos++;
        }
        if (pos >= data.length) {
            throw malformed("a text argument has no terminating newline");
        }
        String s = new String(data, start, pos - start, StandardCharsets.ISO_8859_1);
        pos++;
        return s;
    }

    // ------------------------------------------------------------------------------------------
    // stack

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw malformed("the stack is empty");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw malformed("the stack is empty");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw malformed("an opcode needs a MARK that was never set");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    // ------------------------------------------------------------------------------------------
    // the machine

    private Object run() {
        if (data.length == 0) {
            throw new PickleFormatException("not a valid pickle: the data is empty", 0);
        }
        while (true) {
            if (pos >= data.length) {
                throw new PickleFormatException("not a valid pickle: the data ends before STOP", pos);
            }
            opStart = pos;
            int op = data[pos++] & 0xff;
            switch (op) {
                case PROTO: {
                    int p = u8();
                    if (p > 5) {
                        throw malformed("unsupported pickle protocol " + p);
                    }
                    break;
                }
                case FRAME: {
                    long len = i64();
                    need(len);
                    break;
                }
                case STOP: {
                    Object v = pop();
                    if (!stack.isEmpty() || !marks.isEmpty()) {
                        throw malformed("values are left on the stack at STOP");
                    }
                    return v;
                }
                case MARK:
                    marks.add(stack.size());
                    break;
                case POP:
                    if (!stack.isEmpty() && (marks.isEmpty() || stack.size() > marks.get(marks.size() - 1))) {
                        pop();
                    } else {
                        popMark();
                    }
                    break;
                case POP_MARK:
                    popMark();
                    break;
                case DUP:
                    push(peek());
                    break;
                case NONE:
                    push(null);
                    break;
                case NEWTRUE:
                    push(Boolean.TRUE);
                    break;
                case NEWFALSE:
                    push(Boolean.FALSE);
                    break;
                case INT: {
                    String s = line();
                    if (s.equals("01")) {
                        push(Boolean.TRUE);
                    } else if (s.equals("00")) {
                        push(Boolean.FALSE);
                    } else {
                        push(parseInt(s));
                    }
                    break;
                }
                case BININT:
                    push((long) i32());
                    break;
                case BININT1:
                    push((long) u8());
                    break;
                case BININT2:
                    push((long) u16());
                    break;
                case LONG: {
                    String s = line();
                    push(parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
                    break;
                }
                case LONG1:
                    push(littleEndianInt(bytes(u8())));
                    break;
                case LONG4: {
                    int n = i32();
                    if (n < 0) {
                        throw malformed("LONG4 with a negative length");
                    }
                    push(littleEndianInt(bytes(n)));
                    break;
                }
                case FLOAT: {
                    String s = line();
                    try {
                        push(parseFloat(s));
                    } catch (NumberFormatException e) {
                        throw malformed("FLOAT argument is not a number");
                    }
                    break;
                }
                case BINFLOAT: {
                    need(8);
                    long bits = 0;
                    for (int i = 0; i < 8; i++) {
                        bits = (bits << 8) | (data[pos++] & 0xff);
                    }
                    push(Double.longBitsToDouble(bits));
                    break;
                }
                case STRING:
                    push(pythonStringLiteral(line()));
                    break;
                case BINSTRING: {
                    int n = i32();
                    if (n < 0) {
                        throw malformed("BINSTRING with a negative length");
                    }
                    push(asciiString(bytes(n)));
                    break;
                }
                case SHORT_BINSTRING:
                    push(asciiString(bytes(u8())));
                    break;
                case UNICODE:
                    push(rawUnicodeEscape(line()));
                    break;
                case BINUNICODE:
                    push(utf8(u32()));
                    break;
                case SHORT_BINUNICODE:
                    push(utf8(u8()));
                    break;
                case BINUNICODE8:
                    push(utf8(i64()));
                    break;
                case BINBYTES:
                    push(bytes(u32()));
                    break;
                case SHORT_BINBYTES:
                    push(bytes(u8()));
                    break;
                case BINBYTES8:
                case BYTEARRAY8:
                    push(bytes(i64()));
                    break;
                case EMPTY_LIST:
                    push(new ArrayList<>());
                    break;
                case EMPTY_TUPLE:
                    push(new Tuple(new Object[0]));
                    break;
                case EMPTY_DICT:
                    push(new LinkedHashMap<>());
                    break;
                case EMPTY_SET:
                    push(new LinkedHashSet<>());
                    break;
                case LIST:
                    push(new ArrayList<>(popMark()));
                    break;
                case TUPLE:
                    push(new Tuple(popMark().toArray()));
                    break;
                case TUPLE1: {
                    Object a = pop();
                    push(new Tuple(new Object[]{a}));
                    break;
                }
                case TUPLE2: {
                    Object b = pop();
                    Object a = pop();
                    push(new Tuple(new Object[]{a, b}));
                    break;
                }
                case TUPLE3: {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(new Tuple(new Object[]{a, b, c}));
                    break;
                }
                case DICT: {
                    List<Object> items = popMark();
                    if (items.size() % 2 != 0) {
                        throw malformed("DICT with an odd number of items");
                    }
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < items.size(); i += 2) {
                        m.put(key(items.get(i)), items.get(i + 1));
                    }
                    push(m);
                    break;
                }
                case FROZENSET:
                    push(Collections.unmodifiableSet(new LinkedHashSet<>(keys(popMark()))));
                    break;
                case APPEND: {
                    Object v = pop();
                    list(peek()).add(v);
                    break;
                }
                case APPENDS: {
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                    break;
                }
                case SETITEM: {
                    Object v = pop();
                    Object k = pop();
                    dict(peek()).put(key(k), v);
                    break;
                }
                case SETITEMS: {
                    List<Object> items = popMark();
                    if (items.size() % 2 != 0) {
                        throw malformed("SETITEMS with an odd number of items");
                    }
                    Map<Object, Object> m = dict(peek());
                    for (int i = 0; i < items.size(); i += 2) {
                        m.put(key(items.get(i)), items.get(i + 1));
                    }
                    break;
                }
                case ADDITEMS: {
                    List<Object> items = popMark();
                    Object top = peek();
                    if (!(top instanceof LinkedHashSet<?>)) {
                        throw malformed("ADDITEMS on something that is not a set");
                    }
                    @SuppressWarnings("unchecked")
                    Set<Object> set = (Set<Object>) top;
                    set.addAll(keys(items));
                    break;
                }
                case GET:
                    push(memoGet(parseMemoIndex(line())));
                    break;
                case BINGET:
                    push(memoGet(u8()));
                    break;
                case LONG_BINGET:
                    push(memoGet(u32()));
                    break;
                case PUT:
                    memo.put(parseMemoIndex(line()), peek());
                    break;
                case BINPUT:
                    memo.put((long) u8(), peek());
                    break;
                case LONG_BINPUT:
                    memo.put(u32(), peek());
                    break;
                case MEMOIZE:
                    memo.put((long) memo.size(), peek());
                    break;
                case GLOBAL: {
                    String module = line();
                    String name = line();
                    push(PickleAllowList.resolve(module, name, opStart));
                    break;
                }
                case STACK_GLOBAL: {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw malformed("STACK_GLOBAL needs two strings");
                    }
                    push(PickleAllowList.resolve(m, n, opStart));
                    break;
                }
                case REDUCE: {
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                    break;
                }
                case BUILD: {
                    pop(); // the state
                    if (!(peek() instanceof ExceptionObject)) {
                        throw new ForbiddenPickleException("BUILD", "the pickle sets the state of an object with BUILD,"
                                + " which celeriac allows only on exceptions", opStart);
                    }
                    break;
                }
                case PERSID:
                case BINPERSID:
                    throw forbiddenOpcode("PERSID", "a persistent id");
                case EXT1:
                case EXT2:
                case EXT4:
                    throw forbiddenOpcode("EXT", "an extension registry code");
                case INST:
                    throw forbiddenOpcode("INST", "INST (constructs an arbitrary class)");
                case OBJ:
                    throw forbiddenOpcode("OBJ", "OBJ (constructs an arbitrary class)");
                case NEWOBJ:
                    throw forbiddenOpcode("NEWOBJ", "NEWOBJ (constructs an arbitrary class)");
                case NEWOBJ_EX:
                    throw forbiddenOpcode("NEWOBJ_EX", "NEWOBJ_EX (constructs an arbitrary class)");
                case NEXT_BUFFER:
                case READONLY_BUFFER:
                    throw forbiddenOpcode("NEXT_BUFFER", "an out-of-band buffer");
                default:
                    throw malformed(String.format("unknown opcode 0x%02x", op));
            }
        }
    }

    private ForbiddenPickleException forbiddenOpcode(String name, String what) {
        return new ForbiddenPickleException(name, "the pickle uses " + what + ", which celeriac never allows", opStart);
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw malformed("memo entry " + index + " was never stored");
        }
        return memo.get(index);
    }

    private long parseMemoIndex(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw malformed("a memo index is not a number");
        }
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof ArrayList<?>) {
            return (List<Object>) o;
        }
        throw malformed("APPEND on something that is not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (o instanceof LinkedHashMap<?, ?>) {
            return (Map<Object, Object>) o;
        }
        throw malformed("SETITEM on something that is not a dict");
    }

    /** A dict key or set item: lists, dicts and sets are unhashable in Python, so never keys. */
    private Object key(Object k) {
        if (k instanceof ArrayList<?> || k instanceof LinkedHashMap<?, ?> || k instanceof LinkedHashSet<?>) {
            throw malformed("a dict key or set item is unhashable (a list, dict or set)");
        }
        return k;
    }

    private List<Object> keys(List<Object> items) {
        List<Object> out = new ArrayList<>(items.size());
        for (Object o : items) {
            out.add(key(o));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // globals

    private Object reduce(Object callable, Object args) {
        if (!(callable instanceof Global g)) {
            throw new ForbiddenPickleException("REDUCE", "the pickle calls something that is not an allowed global", opStart);
        }
        if (!(args instanceof Tuple t)) {
            throw malformed("REDUCE arguments are not a tuple");
        }
        Object[] a = t.items();
        switch (g.kind()) {
            case UNPICKLE_APPATTR: {
                // app.GroupResult / app.AsyncResult pickle as _unpickle_appattr(reverse_name, args)
                if (a.length != 2 || !(a[0] instanceof String attr) || !(a[1] instanceof Tuple inner)) {
                    throw malformed("celery.app.base._unpickle_appattr needs (name, args)");
                }
                return reduce(PickleAllowList.appAttribute(attr, opStart), inner);
            }
            case GROUP_RESULT: {
                // GroupResult(id, results[, parent]) as GroupResult.__reduce_args__ gives it
                if (a.length < 1 || a.length > 3 || !(a[0] instanceof String id)) {
                    throw malformed("celery.result.GroupResult needs (id, results)");
                }
                List<ResultTuple> children = new ArrayList<>();
                Object results = a.length > 1 ? a[1] : null;
                if (results != null) {
                    Object conv = toJava(results, 0, new IdentityHashMap<>());
                    if (!(conv instanceof List<?> l)) {
                        throw malformed("the results of celery.result.GroupResult are not a list");
                    }
                    for (Object o : l) {
                        if (!(o instanceof ResultTuple rt)) {
                            throw malformed("a member of celery.result.GroupResult is not a result");
                        }
                        children.add(rt);
                    }
                }
                return new ResultTuple(id, parentOf(a.length > 2 ? a[2] : null), children);
            }
            case ASYNC_RESULT: {
                // AsyncResult(id, backend, task_name, app, parent) as AsyncResult.__reduce_args__ gives it
                if (a.length < 1 || a.length > 5 || !(a[0] instanceof String id)) {
                    throw malformed("celery.result.AsyncResult needs (id, backend, task_name, app, parent)");
                }
                return new ResultTuple(id, parentOf(a.length > 4 ? a[4] : null), null);
            }
            case UNPICKLE_BACKEND: {
                if (a.length != 3 || !(a[0] instanceof Global cls) || cls.kind() != Kind.BACKEND_CLASS) {
                    throw malformed("celery.backends.base.unpickle_backend needs (backend class, args, kwargs)");
                }
                return new BackendReference(cls.qualified());
            }
            case TIMEDELTA: {
                long days = a.length > 0 ? integer(a[0]) : 0;
                long seconds = a.length > 1 ? integer(a[1]) : 0;
                long micros = a.length > 2 ? integer(a[2]) : 0;
                try {
                    return Duration.ofDays(days).plusSeconds(seconds).plusNanos(Math.multiplyExact(micros, 1000L));
                } catch (ArithmeticException e) {
                    throw malformed("datetime.timedelta out of range");
                }
            }
            case EXCEPTION: {
                List<Object> excArgs = new ArrayList<>(a.length);
                for (Object o : a) {
                    excArgs.add(toJava(o, 0, new IdentityHashMap<>()));
                }
                return new ExceptionObject(new ExceptionInfo(g.name(), excArgs, g.module()));
            }
            case UNPICKLEABLE_WRAPPER: {
                if (a.length < 3 || !(a[1] instanceof String cls)) {
                    throw malformed("UnpickleableExceptionWrapper needs (exc_module, exc_cls_name, exc_args, text)");
                }
                Object module = toJava(a[0], 0, new IdentityHashMap<>());
                Object excArgs = toJava(a[2], 0, new IdentityHashMap<>());
                return new ExceptionObject(new ExceptionInfo(cls, excArgs, module instanceof String m ? m : null));
            }
            case SET:
            case FROZENSET: {
                LinkedHashSet<Object> set = new LinkedHashSet<>();
                if (a.length > 0 && a[0] != null) {
                    Object items = a[0];
                    if (items instanceof ArrayList<?> l) {
                        set.addAll(keys(new ArrayList<>(l)));
                    } else if (items instanceof Tuple tt) {
                        set.addAll(keys(List.of(tt.items())));
                    } else {
                        throw malformed(g.name() + " needs a list");
                    }
                }
                return g.kind() == Kind.SET ? set : Collections.unmodifiableSet(set);
            }
            case BYTEARRAY:
                if (a.length == 0) {
                    return new byte[0];
                }
                if (a[0] instanceof byte[] b) {
                    return b;
                }
                if (a.length == 2 && a[0] instanceof String s && ("latin-1".equals(a[1]) || "latin1".equals(a[1]))) {
                    return latin1(s);
                }
                throw malformed("bytearray needs bytes");
            case CODECS_ENCODE:
                if (a.length == 2 && a[0] instanceof String s && ("latin1".equals(a[1]) || "latin-1".equals(a[1]))) {
                    return latin1(s);
                }
                throw new ForbiddenPickleException("_codecs.encode", "the pickle calls _codecs.encode other than as"
                        + " protocol 2 writes bytes (a str and 'latin1')", opStart);
            default:
                throw new ForbiddenPickleException(g.qualified(), "the pickle calls " + g.qualified()
                        + ", which celeriac accepts only as an argument", opStart);
        }
    }

    private byte[] latin1(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xff) {
                throw malformed("protocol-2 bytes hold a character above U+00FF");
            }
            b[i] = (byte) c;
        }
        return b;
    }

    private ResultTuple parentOf(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof ResultTuple rt) {
            return rt;
        }
        throw malformed("the parent of a Celery result is not a result");
    }

    private long integer(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        throw malformed("expected an integer");
    }

    // ------------------------------------------------------------------------------------------
    // protocol 0 text forms

    private Object parseInt(String s) {
        try {
            String t = s.strip();
            if (t.length() < 19) {
                return Long.parseLong(t);
            }
            BigInteger b = new BigInteger(t);
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        } catch (NumberFormatException e) {
            throw malformed("an INT or LONG argument is not a number");
        }
    }

    private static Object littleEndianInt(byte[] le) {
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger b = new BigInteger(be);
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    private static double parseFloat(String s) {
        String t = s.strip();
        switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "nan":
                return Double.NaN;
            case "inf":
                return Double.POSITIVE_INFINITY;
            case "-inf":
                return Double.NEGATIVE_INFINITY;
            default:
                return Double.parseDouble(t);
        }
    }

    private String asciiString(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                throw malformed("a Python 2 str holds non-ASCII bytes (Python 3 would refuse it with encoding='ASCII')");
            }
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** A protocol-0 {@code STRING} argument: a quoted Python 2 str literal with escapes. */
    private String pythonStringLiteral(String s) {
        if (s.length() < 2 || (s.charAt(0) != '\'' && s.charAt(0) != '"') || s.charAt(s.length() - 1) != s.charAt(0)) {
            throw malformed("the STRING argument is not quoted");
        }
        String body = s.substring(1, s.length() - 1);
        StringBuilder sb = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= body.length()) {
                throw malformed("a STRING ends in a backslash");
            }
            char e = body.charAt(i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int v = 0;
                    int k = 0;
                    while (k < 3 && i < body.length() && body.charAt(i) >= '0' && body.charAt(i) <= '7') {
                        v = v * 8 + (body.charAt(i) - '0');
                        i++;
                        k++;
                    }
                    i--;
                    sb.append((char) v);
                }
                case 'x' -> {
                    if (i + 2 >= body.length()) {
                        throw malformed("a truncated \\x escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(body.substring(i + 1, i + 3), 16));
                    } catch (RuntimeException ex) {
                        throw malformed("a bad \\x escape");
                    }
                    i += 2;
                }
                default -> sb.append(e);
            }
        }
        String out = sb.toString();
        for (int i = 0; i < out.length(); i++) {
            if (out.charAt(i) > 0x7f) {
                throw malformed("a Python 2 str holds non-ASCII bytes (Python 3 would refuse it with encoding='ASCII')");
            }
        }
        return out;
    }

    /** A protocol-0 {@code UNICODE} argument: raw-unicode-escape text. */
    private String rawUnicodeEscape(String latin1) {
        StringBuilder sb = new StringBuilder(latin1.length());
        for (int i = 0; i < latin1.length(); i++) {
            char c = latin1.charAt(i);
            if (c == '\\' && i + 1 < latin1.length() && (latin1.charAt(i + 1) == 'u' || latin1.charAt(i + 1) == 'U')) {
                int n = latin1.charAt(i + 1) == 'u' ? 4 : 8;
                if (i + 2 + n > latin1.length()) {
                    throw malformed("a truncated \\u escape");
                }
                try {
                    sb.appendCodePoint(Integer.parseInt(latin1.substring(i + 2, i + 2 + n), 16));
                } catch (RuntimeException e) {
                    throw malformed("a bad \\u escape");
                }
                i += 1 + n;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------
    // to Java values

    /** A value that is already its Java form (no container to convert). */
    private static boolean isPlain(Object o) {
        return o == null || o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean
                || o instanceof BigInteger || o instanceof byte[] || o instanceof ResultTuple
                || o instanceof Duration || o instanceof BackendReference || o instanceof ExceptionInfo;
    }

    private Object toJava(Object o, int depth, IdentityHashMap<Object, Object> done) {
        if (isPlain(o)) {
            return o;
        }
        if (depth > MAX_DEPTH) {
            throw new PickleFormatException("the value nests deeper than " + MAX_DEPTH + " levels", -1);
        }
        Object cached = done.get(o);
        if (cached != null) {
            if (cached == MARK_OBJ) {
                throw new PickleFormatException("the value contains itself (a recursive list, dict or tuple),"
                        + " which celeriac's values cannot hold", -1);
            }
            return cached;
        }
        if (o instanceof ExceptionObject e) {
            return e.info();
        }
        if (o instanceof Global g) {
            throw new ForbiddenPickleException(g.qualified(), "the pickle holds the class or function "
                    + g.qualified() + " itself as a value, which celeriac does not accept", -1);
        }
        done.put(o, MARK_OBJ);
        Object out;
        if (o instanceof Tuple t) {
            List<Object> l = new ArrayList<>(t.items().length);
            for (Object x : t.items()) {
                l.add(toJava(x, depth + 1, done));
            }
            out = Collections.unmodifiableList(l);
        } else if (o instanceof ArrayList<?> src) {
            List<Object> l = new ArrayList<>(src.size());
            for (Object x : src) {
                l.add(toJava(x, depth + 1, done));
            }
            out = Collections.unmodifiableList(l);
        } else if (o instanceof Map<?, ?> src) {
            Map<Object, Object> m = new LinkedHashMap<>(Math.max(4, src.size() * 2));
            for (Map.Entry<?, ?> e : src.entrySet()) {
                m.put(toJava(e.getKey(), depth + 1, done), toJava(e.getValue(), depth + 1, done));
            }
            out = Collections.unmodifiableMap(m);
        } else if (o instanceof Set<?> src) {
            Set<Object> s = new LinkedHashSet<>();
            for (Object x : src) {
                s.add(toJava(x, depth + 1, done));
            }
            out = Collections.unmodifiableSet(s);
        } else {
            throw new PickleFormatException("an unexpected value of type " + o.getClass().getSimpleName(), -1);
        }
        done.put(o, out);
        return out;
    }
}
