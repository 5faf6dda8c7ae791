package io.celeriac.worker.internal;

import io.celeriac.worker.CeleryTask;
import io.celeriac.worker.Task;
import io.celeriac.worker.TaskContext;
import io.celeriac.worker.TaskError;
import io.celeriac.worker.TaskOptions;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Argument conversion and the binding of {@link CeleryTask} methods. Stateless. */
public final class Args {

    private Args() {
    }

    /**
     * Converts a JSON value to a Java type, as a task parameter or a typed argument read.
     *
     * @param value the JSON value
     * @param type the wanted type
     * @param what what the value is, for the message
     * @param <T> the type
     * @return the converted value
     * @throws TaskError Python's {@code TypeError} when it cannot be converted exactly
     */
    @SuppressWarnings("unchecked")
    public static <T> T convert(Object value, Class<T> type, String what) {
        Class<?> t = box(type);
        if (value == null) {
            if (type.isPrimitive()) {
                throw typeError(what, value, type);
            }
            return null;
        }
        if (t.isInstance(value)) {
            return (T) value;
        }
        if (value instanceof Number n) {
            Object c = number(n, t);
            if (c != null) {
                return (T) c;
            }
        }
        if (t.isEnum() && value instanceof String s) {
            for (Object constant : t.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(s)) {
                    return (T) constant;
                }
            }
        }
        if (t == List.class && value instanceof List<?>) {
            return (T) value;
        }
        throw typeError(what, value, type);
    }

    private static Object number(Number n, Class<?> t) {
        BigDecimal d = n instanceof BigDecimal b ? b : n instanceof BigInteger i ? new BigDecimal(i)
                : n instanceof Double || n instanceof Float ? (Double.isFinite(n.doubleValue())
                ? new BigDecimal(n.toString()) : null) : BigDecimal.valueOf(n.longValue());
        if (t == Double.class) {
            return n.doubleValue();
        }
        if (t == Float.class) {
            return n.floatValue();
        }
        if (d == null) {
            return null;
        }
        if (t == BigDecimal.class) {
            return d;
        }
        BigInteger exact;
        try {
            exact = d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            return null;
        }
        if (t == BigInteger.class) {
            return exact;
        }
        if (exact.bitLength() > 63) {
            return null;
        }
        long v = exact.longValue();
        if (t == Long.class) {
            return v;
        }
        if (t == Integer.class && v == (int) v) {
            return (int) v;
        }
        if (t == Short.class && v == (short) v) {
            return (short) v;
        }
        if (t == Byte.class && v == (byte) v) {
            return (byte) v;
        }
        return null;
    }

    private static TaskError typeError(String what, Object value, Class<?> type) {
        String got = value == null ? "None" : value.getClass().getSimpleName();
        return TaskError.builtin("TypeError", what + " must be " + type.getSimpleName() + ", not " + got
                + (value == null ? "" : " (" + value + ")"));
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
        if (t == float.class) {
            return Float.class;
        }
        if (t == short.class) {
            return Short.class;
        }
        if (t == byte.class) {
            return Byte.class;
        }
        return Character.class;
    }

    /**
     * The options an annotation sets.
     *
     * @param a the annotation
     * @return the options
     */
    public static TaskOptions options(CeleryTask a) {
        return TaskOptions.builder().acksLate(flag(a.acksLate())).ignoreResult(flag(a.ignoreResult()))
                .trackStarted(flag(a.trackStarted())).maxRetries(a.maxRetries())
                .defaultRetryDelay(seconds(a.defaultRetryDelay())).rateLimit(a.rateLimit())
                .timeLimit(a.timeLimit() > 0 ? seconds(a.timeLimit()) : null)
                .softTimeLimit(a.softTimeLimit() > 0 ? seconds(a.softTimeLimit()) : null).build();
    }

    private static Boolean flag(CeleryTask.Flag f) {
        return f == CeleryTask.Flag.DEFAULT ? null : f == CeleryTask.Flag.TRUE;
    }

    /**
     * Seconds as a duration, to the nanosecond.
     *
     * @param s seconds
     * @return the duration
     */
    public static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    /**
     * A handler that calls a {@link CeleryTask} method with the message's arguments.
     *
     * @param bean the object
     * @param m the method
     * @return the handler
     */
    public static Task invoker(Object bean, Method m) {
        Parameter[] ps = m.getParameters();
        return ctx -> {
            Object[] values = new Object[ps.length];
            List<Object> args = ctx.args();
            Map<String, Object> kwargs = ctx.kwargs();
            int next = 0;
            Set<String> used = new HashSet<>();
            for (int i = 0; i < ps.length; i++) {
                Parameter p = ps[i];
                if (p.getType() == TaskContext.class) {
                    values[i] = ctx;
                    continue;
                }
                String what = "argument '" + p.getName() + "' of " + ctx.name() + "()";
                if (next < args.size()) {
                    values[i] = convert(args.get(next++), p.getType(), what);
                } else if (p.isNamePresent() && kwargs.containsKey(p.getName())) {
                    used.add(p.getName());
                    values[i] = convert(kwargs.get(p.getName()), p.getType(), what);
                } else {
                    throw TaskError.builtin("TypeError", ctx.name() + "() missing 1 required positional argument: '"
                            + p.getName() + "'");
                }
            }
            if (next < args.size()) {
                throw TaskError.builtin("TypeError", ctx.name() + "() takes " + next + " positional arguments but "
                        + args.size() + " were given");
            }
            for (String k : kwargs.keySet()) {
                if (!used.contains(k)) {
                    throw TaskError.builtin("TypeError", ctx.name() + "() got an unexpected keyword argument '" + k
                            + "'");
                }
            }
            try {
                return m.invoke(bean, values);
            } catch (InvocationTargetException e) {
                Throwable c = e.getCause();
                if (c instanceof Exception ex) {
                    throw ex;
                }
                throw (Error) c;
            }
        };
    }
}
