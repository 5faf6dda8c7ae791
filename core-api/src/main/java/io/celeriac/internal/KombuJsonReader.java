package io.celeriac.internal;

import io.celeriac.json.JsonFormatException;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON exactly as Python's {@code json.loads} (which kombu uses) accepts it: {@code NaN},
 * {@code Infinity} and {@code -Infinity}; lone surrogate escapes ({@code \ud800}) anywhere, object keys
 * included; no control characters inside strings; integers of any size up to Python's 4,300-digit limit;
 * duplicate keys keep their first position and their last value; equal object keys within a document are
 * one {@code String} instance, as Python's decoder memoizes them (a pickle of the result then shares
 * them exactly as Python's does); strict UTF-8; no byte-order mark.
 *
 * <p>Values come back as {@code null}, {@link Boolean}, {@link Long} or {@link BigInteger},
 * {@link Double}, {@link String}, and unmodifiable {@link List}s and insertion-ordered {@link Map}s.
 * Nesting deeper than 1,000 levels is refused rather than overflowing the stack. One instance reads one
 * document; not thread-safe.
 */
public final class KombuJsonReader {

    private static final int MAX_DEPTH = 1000;
    private static final int MAX_INT_DIGITS = 4300;

    /**
     * The top-level keys of a Celery result meta. {@link #readMeta} returns these very instances for the
     * top-level object's keys (never kept in a returned value: the meta's fields are read from them), so
     * that reading a meta neither allocates nor hashes them.
     */
    private static final String[] META_KEYS = {"status", "result", "traceback", "children", "date_done", "task_id",
        "group_id", "parent_id", "name", "args", "kwargs", "worker", "retries", "queue"};
    private static final byte[][] META_KEY_BYTES = new byte[META_KEYS.length][];
    private static final int META_KEY_MAX = 9;
    /** How many distinct keys a meta's top-level object keeps in arrays before it becomes a hash map. */
    private static final int SMALL_OBJECT = 16;

    static {
        for (int i = 0; i < META_KEYS.length; i++) {
            META_KEY_BYTES[i] = META_KEYS[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final byte[] in;
    private final int end;
    private final boolean surrogatesEncoded;
    private final boolean metaKeys;
    private int pos;
    private int depth;
    /** The slow path's buffer (strings with escapes or non-ASCII), made on first use. */
    private StringBuilder sb;
    /** Python's json decoder memoizes object keys per document: equal keys are one object. Made on first use. */
    private java.util.HashMap<String, String> keyMemo;

    private KombuJsonReader(byte[] in, boolean surrogatesEncoded, boolean metaKeys) {
        this.in = in;
        this.end = in.length;
        this.surrogatesEncoded = surrogatesEncoded;
        this.metaKeys = metaKeys;
    }

    /**
     * Reads one JSON document from UTF-8 bytes.
     *
     * @param json the bytes
     * @return the value
     * @throws JsonFormatException when the bytes are not exactly one JSON value
     */
    public static Object read(byte[] json) {
        return new KombuJsonReader(json, false, false).document();
    }

    /**
     * Reads one JSON document from UTF-8 bytes that is expected to be a Celery result meta: the same value
     * as {@link #read(byte[])}, except that the top-level object's keys that are a meta's known keys
     * ({@code status}, {@code result}, ...) are shared constants rather than per-document strings. Only for
     * callers that read the meta's fields and do not keep the top-level map.
     *
     * @param json the bytes
     * @return the value
     * @throws JsonFormatException when the bytes are not exactly one JSON value
     */
    public static Object readMeta(byte[] json) {
        return new KombuJsonReader(json, false, true).document();
    }

    /**
     * Reads one JSON document from text (lone surrogates in the text are kept).
     *
     * @param json the text
     * @return the value
     * @throws JsonFormatException when the text is not exactly one JSON value
     */
    public static Object read(String json) {
        return new KombuJsonReader(wtf8(json), true, false).document();
    }

    /** UTF-8, except that lone surrogates are encoded as 3-byte sequences instead of being replaced. */
    private static byte[] wtf8(String s) {
        boolean ascii = true;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(++i));
            }
            if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | (cp >> 6));
                out.write(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out.write(0xE0 | (cp >> 12));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            } else {
                out.write(0xF0 | (cp >> 18));
                out.write(0x80 | ((cp >> 12) & 0x3F));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            }
        }
        return out.toByteArray();
    }

    private Object document() {
        if (end >= 3 && (in[0] & 0xff) == 0xEF && (in[1] & 0xff) == 0xBB && (in[2] & 0xff) == 0xBF) {
            throw error("unexpected UTF-8 byte-order mark");
        }
        skipWhitespace();
        if (pos >= end) {
            throw error("the input is empty");
        }
        Object v = value();
        skipWhitespace();
        if (pos < end) {
            throw error("extra data after the value");
        }
        return v;
    }

    private JsonFormatException error(String what) {
        return new JsonFormatException("Not valid JSON: " + what + " at offset " + pos);
    }

    private void skipWhitespace() {
        while (pos < end) {
            byte b = in[pos];
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                pos++;
            } else {
                return;
            }
        }
    }

    private Object value() {
        if (pos >= end) {
            throw error("unexpected end of input");
        }
        byte b = in[pos];
        switch (b) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                pos++;
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            case 'N':
                literal("NaN");
                return Double.NaN;
            case 'I':
                literal("Infinity");
                return Double.POSITIVE_INFINITY;
            default:
                if (b == '-' || (b >= '0' && b <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + printable(b) + "'");
        }
    }

    private static String printable(byte b) {
        int c = b & 0xff;
        return c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c);
    }

    private void literal(String word) {
        int n = word.length();
        if (pos + n > end) {
            throw error("expected " + word);
        }
        for (int i = 0; i < n; i++) {
            if (in[pos + i] != word.charAt(i)) {
                throw error("expected " + word);
            }
        }
        pos += n;
    }

    private Object object() {
        enter();
        pos++; // '{'
        // a meta's top-level object: a few keys, kept in two small arrays rather than a hash map
        boolean small = metaKeys && depth == 1;
        String[] keys = small ? new String[SMALL_OBJECT] : null;
        Object[] values = small ? new Object[SMALL_OBJECT] : null;
        int n = 0;
        Map<String, Object> map = small ? null : new LinkedHashMap<>();
        skipWhitespace();
        if (pos < end && in[pos] == '}') {
            pos++;
            depth--;
            return map == null ? Collections.emptyMap() : Collections.unmodifiableMap(map);
        }
        while (true) {
            skipWhitespace();
            if (pos >= end || in[pos] != '"') {
                throw error("expected a property name in double quotes");
            }
            pos++;
            String key = small ? metaKey() : null;
            if (key == null) {
                key = string();
                if (keyMemo == null) {
                    keyMemo = new java.util.HashMap<>();
                }
                String seen = keyMemo.putIfAbsent(key, key);
                if (seen != null) {
                    key = seen;
                }
            }
            skipWhitespace();
            if (pos >= end || in[pos] != ':') {
                throw error("expected ':' after a property name");
            }
            pos++;
            skipWhitespace();
            Object v = value();
            if (map != null) {
                map.put(key, v);
            } else {
                int at = indexOf(keys, n, key);
                if (at >= 0) {
                    values[at] = v; // a duplicate keeps its first position and takes the last value
                } else if (n < SMALL_OBJECT) {
                    keys[n] = key;
                    values[n++] = v;
                } else {
                    map = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        map.put(keys[i], values[i]);
                    }
                    map.put(key, v);
                }
            }
            skipWhitespace();
            if (pos >= end) {
                throw error("unterminated object");
            }
            byte b = in[pos++];
            if (b == '}') {
                depth--;
                if (map == null) {
                    return new SmallObject(keys, values, n);
                }
                // kombu 5.3's {"__type__", "__value__"}: a datetime, date, time, Decimal, UUID or bytes
                return map.size() == 2 ? KombuTypes.fromWrapper(Collections.unmodifiableMap(map))
                        : Collections.unmodifiableMap(map);
            }
            if (b != ',') {
                pos--;
                throw error("expected ',' or '}' in an object");
            }
        }
    }

    private static int indexOf(String[] keys, int n, String key) {
        for (int i = 0; i < n; i++) {
            if (keys[i] == key || keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * An unmodifiable, insertion-ordered map of a few entries in two arrays: a meta's top-level object,
     * equal (as a {@link Map}) to the {@link LinkedHashMap} the general path builds.
     */
    private static final class SmallObject extends java.util.AbstractMap<String, Object> {
        private final String[] keys;
        private final Object[] values;
        private final int size;

        SmallObject(String[] keys, Object[] values, int size) {
            this.keys = keys;
            this.values = values;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Object get(Object key) {
            int i = key instanceof String k ? indexOf(keys, size, k) : -1;
            return i < 0 ? null : values[i];
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String k && indexOf(keys, size, k) >= 0;
        }

        @Override
        public java.util.Set<Map.Entry<String, Object>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public java.util.Iterator<Map.Entry<String, Object>> iterator() {
                    return new java.util.Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < size;
                        }

                        @Override
                        public Map.Entry<String, Object> next() {
                            if (next >= size) {
                                throw new java.util.NoSuchElementException();
                            }
                            int i = next++;
                            return new java.util.AbstractMap.SimpleImmutableEntry<>(keys[i], values[i]);
                        }
                    };
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
    }

    /**
     * The constant for a known meta key whose plain ASCII body starts at {@code pos} (just after the
     * opening quote), with {@code pos} moved past the closing quote; {@code null}, {@code pos} unchanged,
     * for any other key (or one with escapes), which {@link #string()} then reads.
     */
    private String metaKey() {
        int len = 0;
        while (len <= META_KEY_MAX && pos + len < end) {
            byte b = in[pos + len];
            if (b == '"') {
                break;
            }
            if (b == '\\' || b < 0x20) { // escapes, control and non-ASCII bytes: the general path
                return null;
            }
            len++;
        }
        if (len > META_KEY_MAX || pos + len >= end) {
            return null;
        }
        for (int k = 0; k < META_KEYS.length; k++) {
            byte[] kb = META_KEY_BYTES[k];
            if (kb.length == len && java.util.Arrays.equals(in, pos, pos + len, kb, 0, len)) {
                pos += len + 1;
                return META_KEYS[k];
            }
        }
        return null;
    }

    private List<Object> array() {
        enter();
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (pos < end && in[pos] == ']') {
            pos++;
            depth--;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipWhitespace();
            list.add(value());
            skipWhitespace();
            if (pos >= end) {
                throw error("unterminated array");
            }
            byte b = in[pos++];
            if (b == ']') {
                depth--;
                return Collections.unmodifiableList(list);
            }
            if (b != ',') {
                pos--;
                throw error("expected ',' or ']' in an array");
            }
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** Reads a string body; {@code pos} is just after the opening quote. */
    private String string() {
        int start = pos;
        // fast path: plain ASCII without escapes
        while (pos < end) {
            byte b = in[pos];
            if (b == '"') {
                String s = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
                pos++;
                return s;
            }
            if (b == '\\' || b < 0x20) {
                break;
            }
            pos++;
        }
        if (sb == null) {
            sb = new StringBuilder(Math.max(32, pos - start + 16));
        }
        sb.setLength(0);
        for (int i = start; i < pos; i++) {
            sb.append((char) in[i]);
        }
        while (true) {
            if (pos >= end) {
                throw error("unterminated string");
            }
            int b = in[pos] & 0xff;
            if (b == '"') {
                pos++;
                return sb.toString();
            }
            if (b == '\\') {
                pos++;
                escape();
            } else if (b < 0x20) {
                throw error("invalid control character in a string");
            } else if (b < 0x80) {
                sb.append((char) b);
                pos++;
            } else {
                utf8(b);
            }
        }
    }

    private void escape() {
        if (pos >= end) {
            throw error("unterminated escape");
        }
        byte e = in[pos++];
        switch (e) {
            case '"': sb.append('"'); break;
            case '\\': sb.append('\\'); break;
            case '/': sb.append('/'); break;
            case 'b': sb.append('\b'); break;
            case 'f': sb.append('\f'); break;
            case 'n': sb.append('\n'); break;
            case 'r': sb.append('\r'); break;
            case 't': sb.append('\t'); break;
            case 'u': {
                if (pos + 4 > end) {
                    throw error("incomplete \\u escape");
                }
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hex(in[pos + i]);
                    if (h < 0) {
                        throw error("invalid \\u escape");
                    }
                    v = (v << 4) | h;
                }
                pos += 4;
                sb.append((char) v); // lone surrogates are kept, as Python keeps them
                break;
            }
            default:
                pos--;
                throw error("invalid escape '\\" + printable(e) + "'");
        }
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /** Decodes one UTF-8 sequence starting with lead byte {@code b}, strictly. */
    private void utf8(int b) {
        int need;
        int cp;
        int min;
        if ((b & 0xE0) == 0xC0) {
            need = 1;
            cp = b & 0x1F;
            min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            need = 2;
            cp = b & 0x0F;
            min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            need = 3;
            cp = b & 0x07;
            min = 0x10000;
        } else {
            throw error("the bytes are not UTF-8");
        }
        if (pos + need >= end) {
            throw error("the bytes are not UTF-8 (truncated sequence)");
        }
        for (int i = 1; i <= need; i++) {
            int c = in[pos + i] & 0xff;
            if ((c & 0xC0) != 0x80) {
                throw error("the bytes are not UTF-8");
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF && !surrogatesEncoded)) {
            throw error("the bytes are not UTF-8");
        }
        pos += need + 1;
        sb.appendCodePoint(cp);
    }

    private Object number() {
        int start = pos;
        if (in[pos] == '-') {
            pos++;
            if (pos < end && in[pos] == 'I') {
                literal("Infinity");
                return Double.NEGATIVE_INFINITY;
            }
        }
        if (pos >= end) {
            throw error("incomplete number");
        }
        if (in[pos] == '0') {
            pos++;
        } else if (in[pos] >= '1' && in[pos] <= '9') {
            while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
                pos++;
            }
        } else {
            throw error("invalid number");
        }
        boolean isFloat = false;
        if (pos < end && in[pos] == '.') {
            int dot = ++pos;
            while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
                pos++;
            }
            if (pos == dot) {
                throw error("invalid number: no digits after '.'");
            }
            isFloat = true;
        }
        if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
            pos++;
            if (pos < end && (in[pos] == '+' || in[pos] == '-')) {
                pos++;
            }
            int digits = pos;
            while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
                pos++;
            }
            if (pos == digits) {
                throw error("invalid number: no digits in the exponent");
            }
            isFloat = true;
        }
        int len = pos - start;
        if (isFloat) {
            return Double.parseDouble(new String(in, start, len, StandardCharsets.ISO_8859_1));
        }
        if (len <= 18) {
            long v = 0;
            int i = start;
            boolean neg = in[i] == '-';
            if (neg) {
                i++;
            }
            for (; i < pos; i++) {
                v = v * 10 + (in[i] - '0');
            }
            return neg ? -v : v;
        }
        if (len > MAX_INT_DIGITS + 1) {
            throw error("an integer with more than " + MAX_INT_DIGITS + " digits");
        }
        BigInteger big = new BigInteger(new String(in, start, len, StandardCharsets.ISO_8859_1));
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
}
