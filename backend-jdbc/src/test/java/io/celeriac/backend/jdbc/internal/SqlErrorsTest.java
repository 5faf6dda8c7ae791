package io.celeriac.backend.jdbc.internal;

import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.BackendUnavailableException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How database errors are classified (lost connections, retryable states, SQLite's busy and locked
 * codes) and that a password a driver echoes never survives into the error celeriac raises.
 */
class SqlErrorsTest {

    private final SqlErrors errors = new SqlErrors("postgresql://app:**@db/results", List.of("s3cr&t"),
            BackendUnavailableException::new);

    @Test
    void eachAreaGetsItsOwnUnavailableError() {
        SqlErrors state = new SqlErrors("db+postgresql://app:**@db/results?state_name=default", List.of("s3cr&t"),
                ServiceUnavailableException::new);
        RuntimeException t = state.translate(new SQLException("password s3cr&t refused", "08001"));
        assertThat(t).isInstanceOf(ServiceUnavailableException.class).isNotInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("db+postgresql://app:**@db/results?state_name=default")
                .hasMessageNotContaining("s3cr&t");
        assertThat(errors.translate(new SQLException("gone", "08006"))).isInstanceOf(BackendUnavailableException.class);
    }

    @Test
    void lostConnectionsBecomeBackendUnavailable() {
        for (SQLException e : List.of(new SQLException("I/O error", "08006"), new SQLException("terminated", "57P01"),
                new SQLException("starting up", "57P03"), new SQLTransientConnectionException("pool timeout"))) {
            RuntimeException t = errors.translate(new RuntimeException("wrapped", e));
            assertThat(t).as(e.getMessage()).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("postgresql://app:**@db/results");
        }
    }

    @Test
    void retryableStatesAreMarked() {
        for (String state : List.of("40001", "40P01", "55P03", "23505")) {
            assertThat(((SqlFailure) errors.translate(new SQLException("x", state))).retryable()).as(state).isTrue();
        }
        for (String state : List.of("42P01", "22001", "42501")) {
            assertThat(((SqlFailure) errors.translate(new SQLException("x", state))).retryable()).as(state).isFalse();
        }
        assertThat(((SqlFailure) errors.translate(new SQLiteException("busy", SQLiteErrorCode.SQLITE_BUSY))).retryable()).isTrue();
        assertThat(((SqlFailure) errors.translate(new SQLiteException("busy", SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT))).retryable()).isTrue();
        assertThat(((SqlFailure) errors.translate(new SQLiteException("locked", SQLiteErrorCode.SQLITE_LOCKED))).retryable()).isTrue();
        assertThat(((SqlFailure) errors.translate(new SQLiteException("no table", SQLiteErrorCode.SQLITE_ERROR))).retryable()).isFalse();
        assertThat(errors.translate(new SQLException("too long", "22001")).getMessage()).contains("155 characters");
    }

    @Test
    void aPasswordEchoedByADriverIsScrubbedFromTheWholeChain() {
        SQLException inner = new SQLException("could not connect with password=s3cr%26t", "08001");
        SQLException outer = new SQLException("login failed for app:s3cr&t@db", "08001", inner);
        RuntimeException t = errors.translate(outer);
        for (Throwable x = t; x != null; x = x.getCause()) {
            assertThat(String.valueOf(x.getMessage())).doesNotContain("s3cr&t").doesNotContain("s3cr%26t");
        }
        assertThat(t.getMessage()).contains("app:**@db");
        assertThat(t.getCause().getStackTrace()).isEqualTo(outer.getStackTrace());
        SQLException clean = new SQLException("nothing secret", "40001");
        assertThat(errors.translate(clean).getCause()).as("kept as is when nothing is secret").isSameAs(clean);
    }
}
