package io.celeriac.backend.jdbc.internal;

import io.celeriac.CeleriacException;
import io.celeriac.ServiceUnavailableException;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Classifies database errors and keeps secrets out of their text: a lost or refused connection becomes the
 * area's {@link ServiceUnavailableException} (the result backend's is
 * {@link io.celeriac.backend.BackendUnavailableException}) with the masked URI; any other error becomes a
 * {@link SqlFailure} marked retryable or not. Thread-safe.
 */
public final class SqlErrors {

    /** SQLSTATEs worth retrying besides connection errors (class 08). */
    private static final Set<String> RETRYABLE = Set.of(
            "40001", // serialization_failure
            "40P01", // deadlock_detected
            "55P03", // lock_not_available
            "23505", // unique_violation: only our upserts insert, so it is always a lost race
            "57014"  // query_canceled (statement timeout)
    );
    /** SQLSTATEs that mean the server went away or refuses connections. */
    private static final Set<String> CONNECTION = Set.of(
            "57P01", // admin_shutdown (pg_terminate_backend)
            "57P02", // crash_shutdown
            "57P03", // cannot_connect_now
            "53300"  // too_many_connections
    );
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;

    /** Makes the exception an area raises when its database cannot be reached. */
    @FunctionalInterface
    public interface Unavailable {
        /**
         * Makes the exception.
         *
         * @param maskedUri the store's masked URI
         * @param reason what failed, scrubbed of secrets
         * @param cause the underlying failure, scrubbed of secrets
         * @return the exception
         */
        ServiceUnavailableException create(String maskedUri, String reason, Throwable cause);
    }

    private final String maskedUri;
    private final List<String> secrets;
    private final Unavailable unavailable;

    /**
     * Creates the classifier for one store.
     *
     * @param maskedUri the store's URI with its password masked, for messages
     * @param secrets every secret that must never appear in a message
     * @param unavailable makes the area's exception for an unreachable database
     */
    public SqlErrors(String maskedUri, List<String> secrets, Unavailable unavailable) {
        this.maskedUri = maskedUri;
        this.unavailable = unavailable;
        List<String> all = new ArrayList<>();
        for (String s : secrets) {
            all.add(s);
            String enc = URLEncoder.encode(s, StandardCharsets.UTF_8);
            if (!enc.equals(s)) {
                all.add(enc);
            }
        }
        this.secrets = List.copyOf(all);
    }

    /**
     * Replaces every secret in a text with {@code **}.
     *
     * @param text the text, may be {@code null}
     * @return the scrubbed text
     */
    public String scrub(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "**");
        }
        return out;
    }

    private boolean holdsSecret(Throwable t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !scrub(m).equals(m)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The cause to attach: the original, or when any message in its chain holds a secret, a copy of the
     * chain with scrubbed messages and the same stack traces.
     */
    public Throwable safeCause(Throwable t) {
        if (t == null || !holdsSecret(t)) {
            return t;
        }
        Throwable cause = t.getCause() == t ? null : safeCause(t.getCause());
        RuntimeException copy = new RuntimeException(t.getClass().getName() + ": " + scrub(t.getMessage()), cause);
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    /**
     * The first {@link SQLException} in a chain.
     *
     * @param t any throwable
     * @return the SQL exception, or {@code null}
     */
    public static SQLException sqlCause(Throwable t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    private static boolean ioCause(Throwable t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an SQL error means the connection was lost or could not be made.
     *
     * @param e the error
     * @return {@code true} for connection errors
     */
    public static boolean isConnectionError(SQLException e) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || CONNECTION.contains(state))) {
            return true;
        }
        return e instanceof SQLTransientConnectionException || e instanceof SQLRecoverableException
                || (state == null && ioCause(e));
    }

    /**
     * Whether an SQL error that is not a connection error is worth retrying.
     *
     * @param e the error
     * @return {@code true} to retry
     */
    public static boolean isRetryable(SQLException e) {
        String state = e.getSQLState();
        if (state != null && RETRYABLE.contains(state)) {
            return true;
        }
        if (e.getClass().getName().equals("org.sqlite.SQLiteException")) {
            int code = e.getErrorCode() & 0xff;
            return code == SQLITE_BUSY || code == SQLITE_LOCKED;
        }
        return e instanceof SQLTransientException;
    }

    /**
     * Translates a failure of a database call.
     *
     * @param t what the call threw
     * @return the area's {@link ServiceUnavailableException} for connection errors, a {@link CeleriacException}
     *         unchanged, else a {@link SqlFailure}
     */
    public RuntimeException translate(Throwable t) {
        if (t instanceof CeleriacException c) {
            return c;
        }
        SQLException sql = sqlCause(t);
        if (sql == null) {
            if (t instanceof RuntimeException r && !(t.getClass().getName().startsWith("org.jdbi."))) {
                return r;
            }
            return new SqlFailure(scrub(String.valueOf(t.getMessage())), null, false, safeCause(t));
        }
        String reason = describe(sql);
        if (isConnectionError(sql)) {
            return unavailable.create(maskedUri, reason, safeCause(sql));
        }
        return new SqlFailure(reason, sql.getSQLState(), isRetryable(sql), safeCause(sql));
    }

    /**
     * A one-line, scrubbed description of an SQL error.
     *
     * @param e the error
     * @return the description
     */
    public String describe(SQLException e) {
        String state = e.getSQLState();
        String msg = e.getMessage();
        if (msg != null) {
            int nl = msg.indexOf('\n');
            if (nl > 0) {
                msg = msg.substring(0, nl);
            }
        }
        StringBuilder sb = new StringBuilder();
        if (state != null) {
            sb.append("SQLSTATE ").append(state).append(": ");
        }
        sb.append(scrub(msg));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof java.net.UnknownHostException) {
                sb.append(" (the host ").append(scrub(c.getMessage())).append(" is unknown)");
                break;
            }
            if (c instanceof java.net.ConnectException && (msg == null || !msg.contains("refused"))) {
                sb.append(" (").append(scrub(c.getMessage())).append(')');
                break;
            }
        }
        if ("22001".equals(state)) {
            sb.append(" (Celery's columns hold at most 155 characters for task_id, name, worker and queue, 50 for status)");
        }
        return sb.toString();
    }
}
