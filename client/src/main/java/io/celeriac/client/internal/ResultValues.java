package io.celeriac.client.internal;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Reads a decoded JSON value (null, Boolean, Long or BigInteger, Double, String, List, Map) as a Java type: the
 * value itself when it already is one, or a lossless number conversion. Stateless and thread-safe.
 */
public final class ResultValues {

    private ResultValues() {
    }

    /**
     * Converts a value.
     *
     * @param value the decoded JSON value
     * @param type the type asked for
     * @param <T> the type
     * @return the value as {@code type}; {@code null} stays {@code null}
     * @throws IllegalArgumentException when the value is not of that type and no lossless conversion exists
     */
    @SuppressWarnings("unchecked")
    public static <T> T convert(Object value, Class<T> type) {
        if (value == null) {
            if (type.isPrimitive()) {
                throw new IllegalArgumentException("null");
            }
            return null;
        }
        Class<?> boxed = box(type);
        if (boxed.isInstance(value)) {
            return (T) value;
        }
        if (value instanceof Number n) {
            Object c = number(n, boxed);
            if (c != null) {
                return (T) c;
            }
        }
        throw new IllegalArgumentException(value.getClass().getName());
    }

    private static Object number(Number n, Class<?> t) {
        boolean integral = n instanceof Long || n instanceof Integer || n instanceof BigInteger;
        if (t == Integer.class && integral && n.longValue() == n.intValue() && fitsLong(n)) {
            return n.intValue();
        }
        if (t == Long.class && integral && fitsLong(n)) {
            return n.longValue();
        }
        if (t == Double.class) {
            return n.doubleValue();
        }
        if (t == BigInteger.class && integral) {
            return n instanceof BigInteger b ? b : BigInteger.valueOf(n.longValue());
        }
        if (t == BigDecimal.class) {
            return n instanceof BigInteger b ? new BigDecimal(b) : integral ? BigDecimal.valueOf(n.longValue())
                    : BigDecimal.valueOf(n.doubleValue());
        }
        if (t == Number.class) {
            return n;
        }
        return null;
    }

    private static boolean fitsLong(Number n) {
        return !(n instanceof BigInteger b) || b.bitLength() < 64;
    }

    private static Class<?> box(Class<?> t) {
        if (!t.isPrimitive()) {
            return t;
        }
        if (t == int.class) {
            return Integer.class;
        }
        if (t == long.class) {
            return Long.class;
        }
        if (t == double.class) {
            return Double.class;
        }
        if (t == boolean.class) {
            return Boolean.class;
        }
        return t;
    }
}
