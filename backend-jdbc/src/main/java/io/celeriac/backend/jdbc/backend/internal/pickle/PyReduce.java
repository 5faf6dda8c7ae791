package io.celeriac.backend.jdbc.backend.internal.pickle;

import java.util.Objects;

/**
 * A call to write as pickle's {@code REDUCE}: Python builds the object by calling {@code callable(*args)}
 * when it unpickles. Compared by identity, so writing the same instance twice refers back to the first
 * ({@code BINGET}), as Python's memo does for shared objects.
 */
public final class PyReduce {
    private final PyGlobal callable;
    private final PyTuple args;

    /**
     * Creates the call.
     *
     * @param callable the global to call
     * @param args its arguments
     */
    public PyReduce(PyGlobal callable, PyTuple args) {
        this.callable = Objects.requireNonNull(callable, "callable");
        this.args = Objects.requireNonNull(args, "args");
    }

    /** @return the global called */
    public PyGlobal callable() {
        return callable;
    }

    /** @return the arguments */
    public PyTuple args() {
        return args;
    }
}
