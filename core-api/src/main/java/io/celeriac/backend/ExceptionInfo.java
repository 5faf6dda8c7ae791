package io.celeriac.backend;

import io.celeriac.internal.PythonRepr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A serialized exception, as Celery stores one with every non-pickle serializer:
 * {@code {"exc_type": ..., "exc_message": [...], "exc_module": ...}}.
 *
 * <p>{@code excType} is the class's {@code __qualname__} (it may be dotted), {@code excMessage} is the
 * exception's {@code args} (usually a list; Celery passes any other value to the constructor as one
 * argument) and {@code excModule} is its {@code __module__} ({@code builtins} for built-in exceptions,
 * {@code celery.exceptions} for Celery's own), or {@code null}.
 *
 * @param excType the exception class's qualified name, never {@code null}
 * @param excMessage the exception's arguments: usually a {@code List}, may be any JSON value
 * @param excModule the exception class's module, may be {@code null}
 */
public record ExceptionInfo(String excType, Object excMessage, String excModule) {

    /** The module of Celery's own exceptions. */
    public static final String CELERY_EXCEPTIONS = "celery.exceptions";

    /**
     * Validates the type name and freezes a list message.
     *
     * @throws NullPointerException when {@code excType} is null
     */
    public ExceptionInfo {
        Objects.requireNonNull(excType, "excType");
        if (excMessage instanceof List<?> list) {
            excMessage = Collections.unmodifiableList(new ArrayList<>(list));
        }
    }

    /**
     * An exception with these arguments.
     *
     * @param excType the class's qualified name, e.g. {@code ValueError}
     * @param excModule the module, e.g. {@code builtins}
     * @param args the exception's arguments
     * @return the exception info
     */
    public static ExceptionInfo of(String excType, String excModule, Object... args) {
        return new ExceptionInfo(excType, Arrays.asList(args), excModule);
    }

    /**
     * A built-in Python exception such as {@code ValueError} with one message.
     *
     * @param excType the built-in class name
     * @param message the message
     * @return the exception info
     */
    public static ExceptionInfo builtin(String excType, String message) {
        return of(excType, "builtins", message);
    }

    /**
     * Celery's {@code TaskRevokedError(reason)}, what a revoke stores.
     *
     * @param reason {@code revoked}, {@code expired} or {@code terminated}, or any text
     * @return the exception info
     */
    public static ExceptionInfo taskRevoked(String reason) {
        return of("TaskRevokedError", CELERY_EXCEPTIONS, reason);
    }

    /**
     * Celery's {@code ChordError(message)}, what a failed chord stores on its body.
     *
     * @param message the message, e.g. {@code Dependency <id> raised ValueError('x')}
     * @return the exception info
     */
    public static ExceptionInfo chordError(String message) {
        return of("ChordError", CELERY_EXCEPTIONS, message);
    }

    /**
     * The arguments as a list: {@code excMessage} itself when it is a list, else a one-element list.
     *
     * @return the arguments
     */
    public List<Object> args() {
        if (excMessage instanceof List<?> list) {
            @SuppressWarnings("unchecked")
            List<Object> l = (List<Object>) list;
            return l;
        }
        return Collections.singletonList(excMessage);
    }

    /**
     * The exception's {@code repr()} as Python would print it, e.g. {@code ValueError('bad value: 42')}.
     *
     * @return the repr text
     */
    public String pythonRepr() {
        String name = excType.substring(excType.lastIndexOf('.') + 1);
        StringBuilder sb = new StringBuilder(name).append('(');
        List<Object> args = args();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(PythonRepr.repr(args.get(i)));
        }
        return sb.append(')').toString();
    }

    /**
     * The first argument as text, or an empty string, for display.
     *
     * @return a short message
     */
    public String message() {
        List<Object> args = args();
        if (args.isEmpty()) {
            return "";
        }
        if (args.size() == 1) {
            return String.valueOf(args.get(0));
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(args.get(i));
        }
        return sb.toString();
    }
}
