package io.celeriac.backend.jdbc.backend.internal.pickle;

import io.celeriac.backend.jdbc.backend.ForbiddenPickleException;

import java.util.Set;

/**
 * The security allow-list of {@link PickleReader}: the only Python globals a pickle may name, and what each
 * stands for. This class decides; the reader's opcode loop asks it for every {@code GLOBAL} and
 * {@code STACK_GLOBAL} and for the name {@code celery.app.base._unpickle_appattr} resolves, and refuses the
 * pickle when it says no. Nothing here loads, imports, calls or constructs anything: a global is a name
 * compared with fixed strings.
 *
 * <p>Allowed (Python 2's module names {@code __builtin__} and {@code exceptions} read as {@code builtins}):
 * <ul>
 *   <li>{@code celery.result.GroupResult} and {@code celery.result.AsyncResult}, also through
 *       {@code celery.app.base._unpickle_appattr} with exactly the names {@code 'GroupResult'} and
 *       {@code 'AsyncResult'} (Python would resolve any attribute path of the current app);</li>
 *   <li>{@code celery.backends.base.unpickle_backend} and Celery's backend classes: a name ending in
 *       {@code Backend} in a module under {@code celery.backends.};</li>
 *   <li>{@code datetime.timedelta};</li>
 *   <li>Python's built-in exceptions, those of {@code celery.exceptions} and {@code billiard.exceptions}, and
 *       {@code celery.utils.serialization.UnpickleableExceptionWrapper};</li>
 *   <li>{@code builtins.set}, {@code frozenset}, {@code bytearray} and {@code _codecs.encode} (how protocol 2
 *       writes sets and bytes).</li>
 * </ul>
 * Anything else raises {@link ForbiddenPickleException} naming the global, made printable and cut to 100
 * characters per part.
 *
 * <p>Stateless and thread-safe.
 */
final class PickleAllowList {

    /** Python's built-in exception classes (Python 3.11). */
    private static final Set<String> BUILTIN_EXCEPTIONS = Set.of(
            "BaseException", "Exception", "ArithmeticError", "AssertionError", "AttributeError",
            "BlockingIOError", "BrokenPipeError", "BufferError", "ChildProcessError", "ConnectionAbortedError",
            "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "EOFError", "EnvironmentError",
            "FileExistsError", "FileNotFoundError", "FloatingPointError", "GeneratorExit", "IOError",
            "ImportError", "IndentationError", "IndexError", "InterruptedError", "IsADirectoryError", "KeyError",
            "KeyboardInterrupt", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError",
            "NotADirectoryError", "NotImplementedError", "OSError", "OverflowError", "PermissionError",
            "ProcessLookupError", "RecursionError", "ReferenceError", "RuntimeError", "StopAsyncIteration",
            "StopIteration", "SyntaxError", "SystemError", "SystemExit", "TabError", "TimeoutError", "TypeError",
            "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError",
            "UnicodeTranslateError", "ValueError", "ZeroDivisionError", "BaseExceptionGroup", "ExceptionGroup",
            "Warning", "UserWarning", "DeprecationWarning", "PendingDeprecationWarning", "SyntaxWarning",
            "RuntimeWarning", "FutureWarning", "ImportWarning", "UnicodeWarning", "BytesWarning",
            "ResourceWarning", "EncodingWarning");

    /** The exception classes of {@code celery.exceptions} in Celery 5.2. */
    private static final Set<String> CELERY_EXCEPTIONS = Set.of(
            "CeleryWarning", "AlwaysEagerIgnored", "DuplicateNodenameWarning", "FixupWarning", "NotConfigured",
            "SecurityWarning", "CeleryError", "TaskPredicate", "Retry", "Ignore", "Reject",
            "ImproperlyConfigured", "SecurityError", "TaskError", "QueueNotFound", "IncompleteStream",
            "NotRegistered", "AlreadyRegistered", "TimeoutError", "MaxRetriesExceededError", "TaskRevokedError",
            "InvalidTaskError", "ChordError", "CPendingDeprecationWarning", "CDeprecationWarning",
            "WorkerTerminate", "WorkerShutdown", "BackendError", "BackendGetMetaError", "BackendStoreError",
            "SoftTimeLimitExceeded", "TimeLimitExceeded", "WorkerLostError", "Terminated");

    /** The exceptions of {@code billiard.exceptions} Celery re-exports. */
    private static final Set<String> BILLIARD_EXCEPTIONS = Set.of(
            "SoftTimeLimitExceeded", "TimeLimitExceeded", "WorkerLostError", "Terminated",
            "RestartFreqExceeded", "CoroStop");

    /** What an allow-listed global stands for while reading. */
    enum Kind {
        GROUP_RESULT, ASYNC_RESULT, UNPICKLE_APPATTR, UNPICKLE_BACKEND, BACKEND_CLASS, TIMEDELTA, EXCEPTION, UNPICKLEABLE_WRAPPER,
        SET, FROZENSET, BYTEARRAY, CODECS_ENCODE
    }

    /**
     * An allow-listed global, as the reader keeps it on its stack.
     *
     * @param kind what it stands for
     * @param module its module, Python 2's names read as Python 3's
     * @param name its name
     */
    record Global(Kind kind, String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    private PickleAllowList() {
    }

    /**
     * The global a {@code GLOBAL} or {@code STACK_GLOBAL} opcode names, if it is allowed.
     *
     * @param module the module as the pickle gives it
     * @param name the name as the pickle gives it
     * @param offset the opcode's byte offset, for the error
     * @return the global
     * @throws ForbiddenPickleException when it is not on the list
     */
    static Global resolve(String module, String name, long offset) {
        String mod = switch (module) {
            case "__builtin__", "exceptions" -> "builtins";
            default -> module;
        };
        Kind kind = null;
        if (mod.equals("celery.result") && name.equals("GroupResult")) {
            kind = Kind.GROUP_RESULT;
        } else if (mod.equals("celery.result") && name.equals("AsyncResult")) {
            kind = Kind.ASYNC_RESULT;
        } else if (mod.equals("celery.app.base") && name.equals("_unpickle_appattr")) {
            kind = Kind.UNPICKLE_APPATTR;
        } else if (mod.equals("celery.backends.base") && name.equals("unpickle_backend")) {
            kind = Kind.UNPICKLE_BACKEND;
        } else if (mod.startsWith("celery.backends.") && name.endsWith("Backend") && isIdentifier(name)) {
            kind = Kind.BACKEND_CLASS;
        } else if (mod.equals("datetime") && name.equals("timedelta")) {
            kind = Kind.TIMEDELTA;
        } else if ((mod.equals("builtins") && BUILTIN_EXCEPTIONS.contains(name))
                || (mod.equals("celery.exceptions") && CELERY_EXCEPTIONS.contains(name))
                || (mod.equals("billiard.exceptions") && BILLIARD_EXCEPTIONS.contains(name))) {
            kind = Kind.EXCEPTION;
        } else if (mod.equals("celery.utils.serialization") && name.equals("UnpickleableExceptionWrapper")) {
            kind = Kind.UNPICKLEABLE_WRAPPER;
        } else if (mod.equals("builtins") && name.equals("set")) {
            kind = Kind.SET;
        } else if (mod.equals("builtins") && name.equals("frozenset")) {
            kind = Kind.FROZENSET;
        } else if (mod.equals("builtins") && name.equals("bytearray")) {
            kind = Kind.BYTEARRAY;
        } else if (mod.equals("_codecs") && name.equals("encode")) {
            kind = Kind.CODECS_ENCODE;
        }
        if (kind == null) {
            String g = printable(module) + "." + printable(name);
            throw new ForbiddenPickleException(g, "the pickle refers to the Python global " + g
                    + ", which is not on celeriac's allow-list (plain values, Celery's GroupResult, AsyncResult"
                    + " and backends, datetime.timedelta, built-in and Celery exceptions); nothing was executed", offset);
        }
        return new Global(kind, mod, name);
    }

    /**
     * The global {@code celery.app.base._unpickle_appattr(name, args)} stands for: an app's subclasses of
     * {@code GroupResult} and {@code AsyncResult} pickle that way. Python would call any attribute path of the
     * current app, so only these two names are accepted.
     *
     * @param attribute the attribute name the pickle gives
     * @param offset the opcode's byte offset, for the error
     * @return {@code celery.result.GroupResult} or {@code celery.result.AsyncResult}
     * @throws ForbiddenPickleException for any other name
     */
    static Global appAttribute(String attribute, long offset) {
        if (attribute.equals("GroupResult")) {
            return new Global(Kind.GROUP_RESULT, "celery.result", "GroupResult");
        }
        if (attribute.equals("AsyncResult")) {
            return new Global(Kind.ASYNC_RESULT, "celery.result", "AsyncResult");
        }
        String target = "celery.app.base._unpickle_appattr('" + printable(attribute) + "')";
        throw new ForbiddenPickleException(target, "the pickle calls " + target + ", which celeriac does not allow"
                + " (only app.GroupResult and app.AsyncResult); nothing was executed", offset);
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!Character.isJavaIdentifierPart(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A name as an error shows it: printable ASCII only, at most 100 characters and an ellipsis. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 100 ? sb + "..." : sb.toString();
    }
}
