package io.celeriac.backend.jdbc.internal;

/**
 * A database error that is not a lost connection, with its SQLSTATE and whether it is worth retrying
 * (a serialization failure, a deadlock, SQLite's busy or locked database). Its message is scrubbed of
 * secrets. The backend's retry loop wraps it in {@link io.celeriac.backend.UnableToStoreResultException}
 * or {@link io.celeriac.backend.UnableToReadResultException} when it finally fails.
 */
public final class SqlFailure extends RuntimeException {
    /** The serialization version. */
    private static final long serialVersionUID = 1L;

    /** The SQLSTATE, or {@code null}. */
    private final String sqlState;
    /** Whether the operation is worth retrying. */
    private final boolean retryable;

    SqlFailure(String message, String sqlState, boolean retryable, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
        this.retryable = retryable;
    }

    /** @return the SQLSTATE, or {@code null} */
    public String sqlState() {
        return sqlState;
    }

    /** @return whether the operation is worth retrying */
    public boolean retryable() {
        return retryable;
    }
}
