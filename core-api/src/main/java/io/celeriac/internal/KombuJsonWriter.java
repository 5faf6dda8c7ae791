package io.celeriac.internal;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.json.JsonFormatException;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * Writes JSON exactly as kombu 5.2's {@code json.dumps} does: {@code ", "} and {@code ": "} separators,
 * {@code ensure_ascii} escaping (every character outside {@code ' '..'~'} as a lower-case {@code \\uXXXX},
 * surrogate pairs above the BMP), Python's float repr, exact big integers, {@code NaN}/{@code Infinity}
 * as Python writes them, and kombu's conversions (datetimes to ISO text with {@code +00:00} as {@code Z},
 * {@code Decimal} and {@code UUID} to strings).
 *
 * <p>The output is pure ASCII. Not thread-safe; one instance per encoding.
 */
public final class KombuJsonWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_DEPTH = 1000;

    private byte[] buf;
    private int len;
    private final StringBuilder scratch = new StringBuilder(32);
    private int depth;
    private boolean typed;

    /**
     * Makes the writer write kombu 5.3's typed values ({@code {"__type__", "__value__"}}) for dates, times,
     * Decimals, UUIDs and bytes, as Celery 5.3 and later do, and refuse a map that would be read as one.
     *
     * @param v whether to write typed values (default: kombu 5.2's plain strings)
     * @return this writer
     */
    public KombuJsonWriter typedValues(boolean v) {
        typed = v;
        return this;
    }

    /**
     * Creates a writer with an initial capacity.
     *
     * @param capacity the initial buffer size in bytes
     */
    public KombuJsonWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    /**
     * The bytes written so far.
     *
     * @return a copy of the buffer's content
     */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    /**
     * The text written so far.
     *
     * @return the JSON text
     */
    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.US_ASCII);
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) len + extra);
            if (want > Integer.MAX_VALUE - 16) {
                if ((long) len + extra > Integer.MAX_VALUE - 16) {
                    throw new JsonFormatException("the encoded JSON would exceed 2 GiB");
                }
                want = Integer.MAX_VALUE - 16;
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    /**
     * Writes raw ASCII.
     *
     * @param ascii the text, ASCII only
     * @return this writer
     */
    public KombuJsonWriter raw(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    private void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    private void raw(char c) {
        ensure(1);
        buf[len++] = (byte) c;
    }

    /**
     * Writes {@code "key": } for an object member (without the preceding {@code ", "}).
     *
     * @param key the member name
     * @return this writer
     */
    public KombuJsonWriter key(String key) {
        string(key);
        raw(':');
        raw(' ');
        return this;
    }

    /**
     * Writes a JSON string with kombu's ASCII escaping.
     *
     * @param s the text
     * @return this writer
     */
    public KombuJsonWriter string(String s) {
        int n = s.length();
        ensure(n + 2);
        buf[len++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
                if (len >= buf.length) {
                    ensure(n - i + 1);
                }
                buf[len++] = (byte) c;
                continue;
            }
            ensure(6 + (n - i));
            buf[len++] = '\\';
            switch (c) {
                case '"': buf[len++] = '"'; break;
                case '\\': buf[len++] = '\\'; break;
                case '\n': buf[len++] = 'n'; break;
                case '\r': buf[len++] = 'r'; break;
                case '\t': buf[len++] = 't'; break;
                case '\b': buf[len++] = 'b'; break;
                case '\f': buf[len++] = 'f'; break;
                default:
                    buf[len++] = 'u';
                    buf[len++] = HEX[(c >> 12) & 0xf];
                    buf[len++] = HEX[(c >> 8) & 0xf];
                    buf[len++] = HEX[(c >> 4) & 0xf];
                    buf[len++] = HEX[c & 0xf];
            }
        }
        ensure(1);
        buf[len++] = '"';
        return this;
    }

    /**
     * Writes any supported value.
     *
     * @param value null, Boolean, a number, a String, a Map, a Collection or array, an
     *              {@link ExceptionInfo}, a {@link ResultTuple} or {@link GroupResult}, a date or time,
     *              a {@link BigDecimal} or a {@link UUID}
     * @return this writer
     * @throws JsonFormatException for a type JSON cannot hold
     */
    public KombuJsonWriter value(Object value) {
        if (value == null) {
            raw(NULL);
        } else if (value instanceof String s) {
            string(s);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            raw(Long.toString(((Number) value).longValue()));
        } else if (value instanceof Boolean b) {
            raw(b ? TRUE : FALSE);
        } else if (value instanceof Double d) {
            scratch.setLength(0);
            PythonFloat.appendRepr(d, scratch);
            raw(scratch.toString());
        } else if (value instanceof Map<?, ?> map) {
            if (typed && KombuTypes.looksLikeWrapper(map)) {
                throw new JsonFormatException("A map with exactly the keys __type__ and __value__ cannot be written for "
                        + "Celery 5.3 or later, which would read it as a typed value, not a dict: " + map.keySet());
            }
            object(map);
        } else if (typed && KombuTypes.toWrapper(value) != null) {
            object(KombuTypes.toWrapper(value));
        } else if (value instanceof Collection<?> c) {
            enter();
            raw('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    raw(',');
                    raw(' ');
                }
                first = false;
                value(o);
            }
            raw(']');
            depth--;
        } else if (value instanceof ExceptionInfo e) {
            enter();
            raw('{');
            key("exc_type").string(e.excType());
            raw(", ");
            key("exc_message").value(e.excMessage());
            raw(", ");
            key("exc_module").value(e.excModule());
            raw('}');
            depth--;
        } else if (value instanceof BigInteger bi) {
            raw(bi.toString());
        } else if (value instanceof Float f) {
            value(Double.parseDouble(Float.toString(f)));
        } else if (value instanceof CharSequence cs) {
            string(cs.toString());
        } else if (value instanceof Character ch) {
            string(String.valueOf(ch));
        } else if (value instanceof ResultTuple t) {
            value(t.toList());
        } else if (value instanceof GroupResult g) {
            value(g.asTuple().toList());
        } else if (value instanceof BigDecimal bd) {
            string(bd.toString());
        } else if (value instanceof UUID u) {
            string(u.toString());
        } else if (value instanceof Instant i) {
            string(isoUtc(LocalDateTime.ofInstant(i, ZoneOffset.UTC)) + "Z");
        } else if (value instanceof OffsetDateTime odt) {
            string(isoOffset(odt.toLocalDateTime(), odt.getOffset()));
        } else if (value instanceof ZonedDateTime zdt) {
            string(isoOffset(zdt.toLocalDateTime(), zdt.getOffset()));
        } else if (value instanceof LocalDateTime ldt) {
            string(isoUtc(ldt));
        } else if (value instanceof LocalDate ld) {
            string(isoUtc(ld.atStartOfDay()));
        } else if (value instanceof LocalTime lt) {
            string(isoTime(lt));
        } else if (value instanceof Enum<?> en) {
            string(en.name());
        } else if (value.getClass().isArray() && !(value instanceof byte[])) {
            enter();
            raw('[');
            int n = Array.getLength(value);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    raw(", ");
                }
                value(Array.get(value, i));
            }
            raw(']');
            depth--;
        } else {
            throw new JsonFormatException("Cannot encode a value of type " + value.getClass().getName()
                    + " as JSON (kombu's json serializer accepts None, bool, numbers, str, list, dict,"
                    + " datetimes, Decimal and UUID)");
        }
        return this;
    }

    private void object(Map<?, ?> map) {
        enter();
        raw('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!first) {
                raw(", ");
            }
            first = false;
            key(keyText(e.getKey()));
            value(e.getValue());
        }
        raw('}');
        depth--;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw new JsonFormatException("The value is nested more than " + MAX_DEPTH + " levels deep (or refers to itself)");
        }
    }

    /** Python json's key coercion: str as is; int, float, bool and None to their JSON text. */
    private static String keyText(Object key) {
        if (key instanceof String s) {
            return s;
        }
        if (key == null) {
            return "null";
        }
        if (key instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (key instanceof Double || key instanceof Float) {
            return PythonFloat.repr(((Number) key).doubleValue());
        }
        if (key instanceof Number || key instanceof CharSequence || key instanceof Character) {
            return key.toString();
        }
        throw new JsonFormatException("JSON object keys must be str, int, float, bool or None, not " + key.getClass().getName());
    }

    /** Python's naive {@code datetime.isoformat()}: microseconds only when non-zero. */
    public static String isoUtc(LocalDateTime t) {
        StringBuilder sb = new StringBuilder(26);
        pad(sb, t.getYear(), 4).append('-');
        pad(sb, t.getMonthValue(), 2).append('-');
        pad(sb, t.getDayOfMonth(), 2).append('T');
        appendTime(sb, t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1000);
        return sb.toString();
    }

    private static String isoOffset(LocalDateTime t, ZoneOffset offset) {
        String base = isoUtc(t);
        if (offset.getTotalSeconds() == 0) {
            return base + "Z";
        }
        return base + offset.getId();
    }

    private static String isoTime(LocalTime t) {
        StringBuilder sb = new StringBuilder(15);
        appendTime(sb, t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1000);
        return sb.toString();
    }

    private static void appendTime(StringBuilder sb, int h, int m, int s, int micros) {
        pad(sb, h, 2).append(':');
        pad(sb, m, 2).append(':');
        pad(sb, s, 2);
        if (micros != 0) {
            sb.append('.');
            pad(sb, micros, 6);
        }
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }
}
