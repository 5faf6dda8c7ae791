package io.celeriac.backend.jdbc.backend;

/**
 * Raised when a pickle refers to a Python global that celeriac does not allow, such as {@code os.system},
 * {@code builtins.eval} or {@code subprocess.Popen}, or uses an opcode that constructs arbitrary objects
 * ({@code INST}, {@code OBJ}, {@code NEWOBJ}, persistent ids, extension codes, out-of-band buffers).
 *
 * <p>celeriac never executes or constructs anything a pickle names: it reads plain values and maps a short
 * allow-list of Celery classes ({@code celery.result.GroupResult}, {@code celery.result.AsyncResult}, also
 * as an app pickles them through {@code celery.app.base._unpickle_appattr} with those two names only,
 * {@code celery.backends.base.unpickle_backend}, Celery's backend classes, {@code datetime.timedelta},
 * Python's built-in exceptions and {@code celery.exceptions}) to Java values. Anything else stops the
 * read with this exception, as the cause of a {@link io.celeriac.backend.CorruptResultException} that
 * names the row. The global is reported by name only.
 */
public class ForbiddenPickleException extends PickleFormatException {
    /** The serialization version. */
    private static final long serialVersionUID = 1L;

    /** The refused global or opcode. */
    private final String global;

    /**
     * Creates the exception.
     *
     * @param global the forbidden global as {@code module.name}, or the forbidden opcode's name
     * @param message what was refused and why
     * @param offset the byte offset where it was found
     */
    public ForbiddenPickleException(String global, String message, long offset) {
        super(message, offset);
        this.global = global;
    }

    /**
     * The global (as {@code module.name}) or opcode that was refused.
     *
     * @return the name
     */
    public String global() {
        return global;
    }
}
