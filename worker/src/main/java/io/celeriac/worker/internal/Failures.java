package io.celeriac.worker.internal;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.worker.SoftTimeLimitExceededException;
import io.celeriac.worker.TaskError;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * How a Java failure is stored for Python: the exception class Python re-raises ({@code exc_type},
 * {@code exc_module}, {@code exc_message}) and a traceback in Python's layout. Stateless.
 */
public final class Failures {

    /** The module of the pool's time-limit exceptions, which Celery re-exports. */
    public static final String BILLIARD = "billiard.exceptions";

    private Failures() {
    }

    /**
     * The stored form of a failure.
     *
     * @param t what the task threw
     * @param softLimitSeconds the soft limit, for {@link SoftTimeLimitExceededException}
     * @return the exception info
     */
    public static ExceptionInfo info(Throwable t, double softLimitSeconds) {
        if (t instanceof TaskError e) {
            return e.toExceptionInfo();
        }
        if (t instanceof SoftTimeLimitExceededException) {
            return ExceptionInfo.of("SoftTimeLimitExceeded", BILLIARD, softLimitSeconds);
        }
        String msg = t.getMessage();
        Object[] args = msg == null ? new Object[0] : new Object[] {msg};
        String builtin = builtin(t);
        if (builtin != null) {
            return ExceptionInfo.of(builtin, TaskError.BUILTINS, args);
        }
        Package p = t.getClass().getPackage();
        String type = t.getClass().getName();
        String module = p == null ? "" : p.getName();
        String simple = module.isEmpty() ? type : type.substring(module.length() + 1).replace('$', '.');
        return ExceptionInfo.of(simple, module.isEmpty() ? "__main__" : module, args);
    }

    /** Java exception classes and the Python built-in each is stored as; the first match wins (subclasses first). */
    private static final List<Map.Entry<Class<? extends Throwable>, String>> BUILTIN_TYPES = List.of(
            Map.entry(IllegalArgumentException.class, "ValueError"),
            Map.entry(IndexOutOfBoundsException.class, "IndexError"),
            Map.entry(NoSuchElementException.class, "LookupError"),
            Map.entry(ClassCastException.class, "TypeError"),
            Map.entry(UnsupportedOperationException.class, "NotImplementedError"),
            Map.entry(IllegalStateException.class, "RuntimeError"),
            Map.entry(TimeoutException.class, "TimeoutError"),
            Map.entry(FileNotFoundException.class, "FileNotFoundError"),
            Map.entry(IOException.class, "OSError"),
            Map.entry(UncheckedIOException.class, "OSError"),
            Map.entry(OutOfMemoryError.class, "MemoryError"),
            Map.entry(StackOverflowError.class, "RecursionError"));

    private static String builtin(Throwable t) {
        if (t instanceof ArithmeticException) {
            return "/ by zero".equals(t.getMessage()) ? "ZeroDivisionError" : "ArithmeticError";
        }
        for (Map.Entry<Class<? extends Throwable>, String> e : BUILTIN_TYPES) {
            if (e.getKey().isInstance(t)) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * A traceback in Python's layout, innermost frame last, then {@code Type: message}; causes first, joined by
     * Python's "The above exception was the direct cause of the following exception:".
     *
     * @param t the failure
     * @param info its stored form
     * @return the text
     */
    public static String traceback(Throwable t, ExceptionInfo info) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            chain.add(c);
        }
        Collections.reverse(chain);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < chain.size(); i++) {
            Throwable c = chain.get(i);
            if (i > 0) {
                sb.append("\nThe above exception was the direct cause of the following exception:\n\n");
            }
            sb.append("Traceback (most recent call last):\n");
            StackTraceElement[] frames = c.getStackTrace();
            int shown = 0;
            for (int f = frames.length - 1; f >= 0; f--) {
                StackTraceElement e = frames[f];
                if (e.getClassName().startsWith("io.celeriac.worker.internal.")
                        || e.getClassName().equals("io.celeriac.worker.TaskError")
                        || e.getClassName().equals("io.celeriac.worker.TaskContext")
                        || e.getClassName().startsWith("java.util.concurrent.")
                        || e.getClassName().startsWith("jdk.internal.reflect.")
                        || e.getClassName().startsWith("java.lang.reflect.")
                        || e.getClassName().equals("java.lang.Thread")) {
                    continue;
                }
                sb.append("  File \"").append(e.getFileName() == null ? e.getClassName() : e.getFileName())
                        .append("\", line ").append(Math.max(e.getLineNumber(), 0)).append(", in ")
                        .append(e.getClassName()).append('.').append(e.getMethodName()).append('\n');
                if (++shown >= 60) {
                    break;
                }
            }
            ExceptionInfo ci = c == t ? info : info(c, 0);
            sb.append(ci.excModule() == null || TaskError.BUILTINS.equals(ci.excModule()) ? "" : ci.excModule() + ".")
                    .append(ci.excType());
            String m = ci.message();
            if (m != null && !m.isEmpty()) {
                sb.append(": ").append(m);
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
