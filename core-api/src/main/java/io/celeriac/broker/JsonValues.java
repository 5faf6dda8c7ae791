package io.celeriac.broker;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Normalizes header and argument values to the JSON-like Java values of the broker model: {@code null},
 * {@link String}, {@link Long}, {@link Boolean}, {@link Double}, {@link List} and {@link Map} with string keys,
 * nested; {@code Integer}, {@code Short}, {@code Byte} become {@code Long}, {@code Float} becomes {@code Double}.
 * The copies are unmodifiable and keep the order of maps.
 */
final class JsonValues {

    private JsonValues() {
    }

    /**
     * A normalized, unmodifiable copy of a map of values.
     *
     * @param map the map, may be {@code null} (empty)
     * @param what what the map is, for messages ("header", "argument")
     * @param error builds the exception from a problem
     * @return the copy
     */
    static Map<String, Object> copyMap(Map<String, ?> map, String what, Function<String, RuntimeException> error) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            if (e.getKey() == null) {
                throw error.apply("a " + what + " name cannot be null");
            }
            out.put(e.getKey(), normalize(e.getValue(), what + " '" + e.getKey() + "'", error));
        }
        return Collections.unmodifiableMap(out);
    }

    static Object normalize(Object v, String where, Function<String, RuntimeException> error) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b) {
            if (b.bitLength() < 64) {
                return b.longValue();
            }
            throw error.apply("the " + where + " holds an integer outside the 64-bit range: " + b);
        }
        if (v instanceof Double d) {
            return checkFinite(d, where, error);
        }
        if (v instanceof Float f) {
            return checkFinite(f.doubleValue(), where, error);
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(normalize(o, where, error));
            }
            return Collections.unmodifiableList(out);
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw error.apply("the " + where + " holds a map whose key is not a string: " + e.getKey());
                }
                out.put(k, normalize(e.getValue(), where, error));
            }
            return Collections.unmodifiableMap(out);
        }
        throw error.apply("the " + where + " holds a " + v.getClass().getName()
                + "; values are null, String, Long (or Integer), Boolean, Double, List or Map");
    }

    private static Double checkFinite(double d, String where, Function<String, RuntimeException> error) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw error.apply("the " + where + " holds " + d + ", which JSON cannot carry");
        }
        return d;
    }

    /**
     * Checks that a name fits an AMQP short string (at most 255 UTF-8 bytes).
     */
    static void checkShortString(String s, String what, Function<String, RuntimeException> error) {
        if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw error.apply("the " + what + " is longer than 255 bytes");
        }
    }
}
