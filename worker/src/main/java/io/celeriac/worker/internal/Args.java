package io.celeriac.worker.internal;

import io.celeriac.backend.ResultConversionException;
import io.celeriac.internal.ValueConverter;
import io.celeriac.worker.CeleryTask;
import io.celeriac.worker.Task;
import io.celeriac.worker.TaskContext;
import io.celeriac.worker.TaskError;
import io.celeriac.worker.TaskOptions;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
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
     * Converts a JSON value to a Java type, as a task parameter or a typed argument read, with core-api's lossless
     * conversions (numbers that fit, lists, maps, records, enums, UUIDs, dates).
     *
     * @param value the JSON value
     * @param type the wanted type (a class or a parameterized type such as {@code List<Long>})
     * @param what what the value is, for the message
     * @param <T> the type
     * @return the converted value
     * @throws TaskError Python's {@code TypeError} when it cannot be converted exactly
     */
    @SuppressWarnings("unchecked")
    public static <T> T convert(Object value, java.lang.reflect.Type type, String what) {
        if (value == null && type instanceof Class<?> c && c.isPrimitive()) {
            throw TaskError.builtin("TypeError", what + " must be " + c.getSimpleName() + ", not None");
        }
        try {
            return (T) ValueConverter.convert(value, type, null);
        } catch (ResultConversionException e) {
            String got = value == null ? "None" : value.getClass().getSimpleName();
            throw TaskError.builtin("TypeError", what + " must be " + type.getTypeName() + ", not " + got
                    + (value == null ? "" : " (" + value + ")"));
        }
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
                    values[i] = convert(args.get(next++), p.getParameterizedType(), what);
                } else if (p.isNamePresent() && kwargs.containsKey(p.getName())) {
                    used.add(p.getName());
                    values[i] = convert(kwargs.get(p.getName()), p.getParameterizedType(), what);
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
