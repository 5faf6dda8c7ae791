package io.celeriac.worker;

import io.celeriac.CeleriacException;
import io.celeriac.backend.ExceptionInfo;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A task failure that names the Python exception class Python re-raises: thrown from a {@link Task}, it is stored
 * as {@code {"exc_type": type, "exc_module": module, "exc_message": args}}, so {@code AsyncResult.get()} in Python
 * raises {@code module.type(*args)} — a built-in such as {@code ValueError}, a Celery exception, or a class of the
 * Python project's own.
 *
 * <pre>{@code
 * throw TaskError.builtin("ValueError", "x must be positive");        // ValueError('x must be positive')
 * throw new TaskError("proj.errors", "QuotaExceeded", "tenant 7", 100); // proj.errors.QuotaExceeded('tenant 7', 100)
 * }</pre>
 *
 * <p>Any other exception a handler throws is stored under a Python built-in when one matches (e.g.
 * {@link IllegalArgumentException} as {@code ValueError}, {@link ArithmeticException} as {@code ArithmeticError}),
 * else under its Java class name and package; see the README.
 */
public class TaskError extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /** The module of Python's built-in exceptions. */
    public static final String BUILTINS = "builtins";

    private final String excModule;
    private final String excType;
    private final transient List<Object> excArgs;

    /**
     * A failure of a named Python class.
     *
     * @param excModule the Python module, e.g. {@code builtins} or {@code proj.errors}
     * @param excType the class name, e.g. {@code ValueError}
     * @param args the exception's arguments (JSON-like values), usually one message
     */
    public TaskError(String excModule, String excType, Object... args) {
        this(excModule, excType, null, args);
    }

    /**
     * A failure of a named Python class with a Java cause (shown in the traceback).
     *
     * @param excModule the Python module
     * @param excType the class name
     * @param cause the cause, or {@code null}
     * @param args the exception's arguments
     */
    public TaskError(String excModule, String excType, Throwable cause, Object... args) {
        super(excType + "(" + describe(args) + ")", cause);
        this.excModule = Objects.requireNonNull(excModule, "excModule");
        this.excType = Objects.requireNonNull(excType, "excType");
        this.excArgs = Arrays.asList(args == null ? new Object[0] : args.clone());
    }

    /**
     * A Python built-in exception, e.g. {@code ValueError}, {@code KeyError}, {@code RuntimeError}.
     *
     * @param excType the class name
     * @param message the message
     * @return the error, to throw
     */
    public static TaskError builtin(String excType, String message) {
        return new TaskError(BUILTINS, excType, message);
    }

    /** @return the Python module of the class */
    public String excModule() {
        return excModule;
    }

    /** @return the Python class name */
    public String excType() {
        return excType;
    }

    /** @return the exception's arguments */
    public List<Object> excArgs() {
        return excArgs;
    }

    /** @return the stored form of this failure */
    public ExceptionInfo toExceptionInfo() {
        return ExceptionInfo.of(excType, excModule, excArgs.toArray());
    }

    private static String describe(Object[] args) {
        if (args == null || args.length == 0) {
            return "";
        }
        return args.length == 1 ? String.valueOf(args[0]) : Arrays.toString(args);
    }
}
