package io.celeriac.internal;

import io.celeriac.backend.ResultConversionException;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Reads a decoded JSON value (null, Boolean, Long or BigInteger, Double, String, List, Map, and the typed values of
 * Celery 5.3+) as a Java type, losslessly or not at all: numbers convert only when the value fits (an {@code int}
 * from {@code 2**40} or a {@code long} from {@code 1.5} is an error, {@code 4.0} reads as {@code 4}); lists become
 * lists, sets, arrays or records (by position, as a Python tuple); maps become maps or records (by component
 * name, {@code snake_case} keys matching {@code camelCase} components); strings become enums (by name), UUIDs,
 * dates and times. Anything else is a {@link ResultConversionException} naming where in the value it failed.
 * Stateless and thread-safe.
 */
public final class ValueConverter {

    private final String taskId;

    private ValueConverter(String taskId) {
        this.taskId = taskId;
    }

    /**
     * Converts a value.
     *
     * @param value the decoded value
     * @param type the type asked for: a class, or a parameterized type such as {@code List<Long>}
     * @param taskId the task the value is the result of, for messages; may be {@code null}
     * @return the value as {@code type}; {@code null} stays {@code null} (an empty {@code Optional} for one)
     * @throws ResultConversionException when the value cannot be read as {@code type}
     */
    public static Object convert(Object value, Type type, String taskId) {
        return new ValueConverter(taskId).to(value, type, "");
    }

    private ResultConversionException fail(String path, Object value, Type type) {
        return fail(path, describe(value) + " cannot be read as " + type.getTypeName());
    }

    private ResultConversionException fail(String path, String problem) {
        return new ResultConversionException(taskId, path, problem);
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        String shown = value instanceof String s ? '"' + s + '"' : String.valueOf(value);
        if (shown.length() > 60) {
            shown = shown.substring(0, 60) + "...";
        }
        return "the " + value.getClass().getSimpleName() + " " + shown;
    }

    private Object to(Object value, Type type, String path) {
        if (type instanceof WildcardType w) {
            return to(value, w.getUpperBounds()[0], path);
        }
        if (type instanceof TypeVariable<?> v) {
            return to(value, v.getBounds()[0], path);
        }
        if (type instanceof GenericArrayType g) {
            return array(value, g.getGenericComponentType(), type, path);
        }
        if (type instanceof ParameterizedType p) {
            return parameterized(value, p, path);
        }
        if (!(type instanceof Class<?> c)) {
            throw fail(path, "the type " + type.getTypeName() + " is not supported");
        }
        if (value == null) {
            if (c.isPrimitive()) {
                throw fail(path, value, type);
            }
            return c == Optional.class ? Optional.empty() : null;
        }
        if (c == Object.class) {
            return value;
        }
        Class<?> boxed = box(c);
        if (Number.class.isAssignableFrom(boxed) && boxed != Number.class) {
            return number(value, boxed, type, path);
        }
        if (boxed.isInstance(value)) {
            return value;
        }
        if (c.isArray()) {
            return array(value, c.getComponentType(), type, path);
        }
        if (c.isEnum() && value instanceof String s) {
            for (Object constant : c.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(s)) {
                    return constant;
                }
            }
            throw fail(path, describe(value) + " names no constant of " + c.getName());
        }
        if (value instanceof String s) {
            Object parsed = fromString(s, c, path);
            if (parsed != null) {
                return parsed;
            }
        }
        if (c.isRecord()) {
            return record(value, c, path);
        }
        if ((c == Set.class || c == Collection.class || c == Iterable.class || c == List.class) && value instanceof Collection<?> col) {
            return collection(col, c, Object.class, path);
        }
        if (c == Optional.class) {
            return Optional.of(value);
        }
        throw fail(path, value, type);
    }

    private Object parameterized(Object value, ParameterizedType p, String path) {
        Class<?> raw = (Class<?>) p.getRawType();
        Type[] args = p.getActualTypeArguments();
        if (raw == Optional.class) {
            return value == null ? Optional.empty() : Optional.of(to(value, args[0], path));
        }
        if (value == null) {
            return null;
        }
        if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
            if (!(value instanceof Collection<?> col)) {
                throw fail(path, value, p);
            }
            return collection(col, raw, args[0], path);
        }
        if (Map.class.isAssignableFrom(raw)) {
            if (!(value instanceof Map<?, ?> map)) {
                throw fail(path, value, p);
            }
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String at = path + "." + e.getKey();
                out.put(key(e.getKey(), args[0], at), to(e.getValue(), args[1], at));
            }
            return Collections.unmodifiableMap(out);
        }
        return to(value, raw, path);
    }

    private Object key(Object key, Type type, String path) {
        if (type == String.class || type == Object.class || (type instanceof WildcardType)) {
            return key;
        }
        if (key instanceof String s && (type == Long.class || type == Integer.class)) {
            try {
                return to(Long.parseLong(s), type, path);
            } catch (NumberFormatException e) {
                throw fail(path, "the key \"" + s + "\" is not a whole number");
            }
        }
        return to(key, type, path);
    }

    private Object collection(Collection<?> col, Class<?> raw, Type element, String path) {
        List<Object> items = new ArrayList<>(col.size());
        int i = 0;
        for (Object o : col) {
            items.add(to(o, element, path + "[" + i++ + "]"));
        }
        if (Set.class.isAssignableFrom(raw)) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(items));
        }
        if (!raw.isInterface() && !raw.isAssignableFrom(ArrayList.class)) {
            throw fail(path, "the collection type " + raw.getName() + " is not supported; ask for a List or a Set");
        }
        return Collections.unmodifiableList(items);
    }

    private Object array(Object value, Type component, Type type, String path) {
        if (!(value instanceof List<?> list)) {
            throw fail(path, value, type);
        }
        Class<?> rawComponent = component instanceof Class<?> c ? c
                : component instanceof ParameterizedType p ? (Class<?>) p.getRawType() : Object.class;
        Object array = Array.newInstance(rawComponent, list.size());
        for (int i = 0; i < list.size(); i++) {
            Array.set(array, i, to(list.get(i), component, path + "[" + i + "]"));
        }
        return array;
    }

    private Object record(Object value, Class<?> c, String path) {
        RecordComponent[] components = c.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        if (value instanceof Map<?, ?> map) {
            for (int i = 0; i < components.length; i++) {
                RecordComponent rc = components[i];
                types[i] = rc.getType();
                String name = rc.getName();
                Object v = map.containsKey(name) ? map.get(name) : map.get(snake(name));
                if (v == null && !map.containsKey(name) && !map.containsKey(snake(name)) && rc.getType().isPrimitive()) {
                    throw fail(path, "the map has no \"" + name + "\" for " + c.getSimpleName() + "." + name
                            + " (keys: " + map.keySet() + ")");
                }
                args[i] = to(v, rc.getGenericType(), path + "." + name);
            }
        } else if (value instanceof List<?> list) {
            if (list.size() != components.length) {
                throw fail(path, describe(value) + " has " + list.size() + " items, " + c.getSimpleName() + " has "
                        + components.length + " components");
            }
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                args[i] = to(list.get(i), components[i].getGenericType(), path + "[" + i + "]");
            }
        } else {
            throw fail(path, value, c);
        }
        try {
            Constructor<?> k = c.getDeclaredConstructor(types);
            k.setAccessible(true);
            return k.newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw fail(path, c.getSimpleName() + " refused the values: " + e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw fail(path, "cannot create a " + c.getName() + ": " + e);
        }
    }

    private static String snake(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private Object fromString(String s, Class<?> c, String path) {
        try {
            if (c == UUID.class) {
                return UUID.fromString(s);
            }
            if (c == Instant.class) {
                return OffsetDateTime.parse(s.length() > 10 && s.charAt(10) == ' ' ? s.replace(' ', 'T') : s).toInstant();
            }
            if (c == OffsetDateTime.class) {
                return OffsetDateTime.parse(s);
            }
            if (c == LocalDateTime.class) {
                return LocalDateTime.parse(s);
            }
            if (c == LocalDate.class) {
                return LocalDate.parse(s);
            }
            if (c == LocalTime.class) {
                return LocalTime.parse(s);
            }
            if (c == BigDecimal.class) {
                return new BigDecimal(s);
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw fail(path, describe(s) + " is not a " + c.getSimpleName() + " (" + e.getMessage() + ")");
        }
        return null;
    }

    private Object number(Object value, Class<?> boxed, Type type, String path) {
        if (!(value instanceof Number n) || value instanceof Boolean) {
            if (value instanceof String s && boxed == BigDecimal.class) {
                return fromString(s, BigDecimal.class, path);
            }
            throw fail(path, value, type);
        }
        if (boxed.isInstance(value)) {
            return value;
        }
        if (boxed == Double.class) {
            return n.doubleValue();
        }
        if (boxed == Float.class) {
            double d = n.doubleValue();
            if (!Double.isFinite(d) || Math.abs(d) <= Float.MAX_VALUE) {
                return (float) d;
            }
            throw fail(path, describe(value) + " does not fit a float");
        }
        if (boxed == BigDecimal.class) {
            return n instanceof BigInteger b ? new BigDecimal(b) : n instanceof Double || n instanceof Float
                    ? BigDecimal.valueOf(n.doubleValue()) : BigDecimal.valueOf(n.longValue());
        }
        BigInteger whole = whole(n, type, path);
        if (boxed == BigInteger.class) {
            return whole;
        }
        long min;
        long max;
        if (boxed == Long.class) {
            min = Long.MIN_VALUE;
            max = Long.MAX_VALUE;
        } else if (boxed == Integer.class) {
            min = Integer.MIN_VALUE;
            max = Integer.MAX_VALUE;
        } else if (boxed == Short.class) {
            min = Short.MIN_VALUE;
            max = Short.MAX_VALUE;
        } else if (boxed == Byte.class) {
            min = Byte.MIN_VALUE;
            max = Byte.MAX_VALUE;
        } else {
            throw fail(path, value, type);
        }
        if (whole.bitLength() > 63 || whole.longValue() < min || whole.longValue() > max) {
            throw fail(path, describe(value) + " does not fit " + type.getTypeName() + " (" + min + " to " + max + ")");
        }
        long l = whole.longValue();
        if (boxed == Long.class) {
            return l;
        }
        if (boxed == Integer.class) {
            return (int) l;
        }
        return boxed == Short.class ? (Object) (short) l : (Object) (byte) l;
    }

    private BigInteger whole(Number n, Type type, String path) {
        if (n instanceof BigInteger b) {
            return b;
        }
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return BigInteger.valueOf(n.longValue());
        }
        if (n instanceof BigDecimal d) {
            try {
                return d.toBigIntegerExact();
            } catch (ArithmeticException e) {
                throw fail(path, describe(n) + " is not a whole number, so not " + type.getTypeName());
            }
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d) || d != Math.rint(d)) {
            throw fail(path, describe(n) + " is not a whole number, so not " + type.getTypeName());
        }
        return new BigDecimal(d).toBigIntegerExact();
    }

    private static Class<?> box(Class<?> t) {
        if (!t.isPrimitive()) {
            return t;
        }
        switch (t.getName().toLowerCase(Locale.ROOT)) {
            case "int":
                return Integer.class;
            case "long":
                return Long.class;
            case "double":
                return Double.class;
            case "float":
                return Float.class;
            case "short":
                return Short.class;
            case "byte":
                return Byte.class;
            case "boolean":
                return Boolean.class;
            case "char":
                return Character.class;
            default:
                return t;
        }
    }
}
