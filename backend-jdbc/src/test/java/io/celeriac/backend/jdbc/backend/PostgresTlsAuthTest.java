package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.CeleriacException;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PrivatePostgres;
import io.celeriac.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PostgreSQL with TLS and password authentication, on a private cluster with its own certificates:
 * {@code sslmode=verify-full} works against the right CA and host name and fails clearly with a wrong root
 * certificate or host; a restricted role authenticates with SCRAM-SHA-256; a wrong password or a missing
 * privilege fails at once with a typed error that never shows the password.
 */
class PostgresTlsAuthTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final String PASSWORD = "Pg-Scram-Pw-5e1b7d";
    private static final String READONLY_PASSWORD = "Pg-Ro-Pw-9a2c44";

    private static TestCertificates pki;
    private static Path otherCa;
    private static PrivatePostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pki = TestCertificates.create("celeriac pg test CA");
        otherCa = pki.unrelatedCa("other-ca", "some other CA").certificate();
        TestCertificates.Issued server = pki.server("server", "localhost", "127.0.0.1");
        pg = PrivatePostgres.builder()
                .listenAddresses("127.0.0.1", "127.0.0.2")
                .tls(server.certificate(), server.key())
                .setting("password_encryption", "scram-sha-256")
                .setting("max_connections", "40")
                .setting("shared_buffers", "16MB")
                .hba("host all all 127.0.0.1/32 scram-sha-256",
                        "host all all 127.0.0.2/32 scram-sha-256")
                .start();
        pg.sql("postgres",
                "CREATE ROLE celery_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '" + PASSWORD + "'",
                "CREATE ROLE celery_ro LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '" + READONLY_PASSWORD + "'",
                "CREATE DATABASE results",
                "REVOKE ALL ON DATABASE results FROM PUBLIC",
                "GRANT CONNECT ON DATABASE results TO celery_app, celery_ro");
        pg.sql("results",
                "REVOKE ALL ON SCHEMA public FROM PUBLIC",
                "CREATE SCHEMA celery AUTHORIZATION celery_app",
                "GRANT USAGE ON SCHEMA celery TO celery_ro");
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
        if (pki != null) {
            pki.close();
        }
    }

    private static String url(String user, String password, String host, String query) {
        return "db+postgresql://" + user + ":" + password + "@" + host + ":" + pg.port() + "/results" + (query.isEmpty() ? "" : "?" + query);
    }

    private static BackendOptions options() {
        return BackendOptions.builder()
                .property(JdbcBackendConfig.TASK_SCHEMA, "celery")
                .property(JdbcBackendConfig.GROUP_SCHEMA, "celery")
                .property(JdbcConnectionConfig.CONNECT_TIMEOUT, "20")
                .build();
    }

    private static void roundTrip(Backend b) throws Exception {
        String id = UUID.randomUUID().toString();
        CompletableFuture<TaskMeta> w = b.waitForAsync(id, Tck.timeout(Duration.ofSeconds(30)));
        b.storeResult(id, "secured", TaskState.SUCCESS);
        assertThat(w.get(Tck.timeout(Duration.ofSeconds(30)).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("secured");
        assertThat(b.getResult(id)).isEqualTo("secured");
    }

    private static long sslConnectionsOf(String user) throws Exception {
        try (Connection c = pg.superuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                     + "WHERE a.usename = '" + user + "' AND s.ssl")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertNoSecret(Throwable e, String... secrets) {
        assertThat(e).isInstanceOf(CeleriacException.class);
        for (Throwable c = e; c != null; c = c.getCause()) {
            for (String s : secrets) {
                assertThat(String.valueOf(c.getMessage())).doesNotContain(s);
                assertThat(c.toString()).doesNotContain(s);
            }
        }
    }

    @Test
    void aRestrictedRoleAuthenticatesWithScram() throws Exception {
        try (Connection c = pg.superuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = 'celery_app'")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("SCRAM-SHA-256$");
        }
        try (Backend b = CELERIAC.openBackend(url("celery_app", PASSWORD, "127.0.0.1", "sslmode=disable"), options())) {
            roundTrip(b);
            assertThat(b.asUri()).doesNotContain(PASSWORD);
            assertThat(b.toString()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void aWrongPasswordFailsAtOnceWithoutShowingIt() {
        String wrong = "Wrong-Pg-Pw-0c9e12";
        assertThatThrownBy(() -> CELERIAC.openBackend(url("celery_app", wrong, "127.0.0.1", "sslmode=disable"), options()))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("28P01")
                .hasMessageContaining("password authentication failed")
                .satisfies(e -> assertNoSecret(e, wrong, PASSWORD));
    }

    @Test
    void aRoleWithoutTheNeededPrivilegesFailsClearly() {
        // celery_ro may use the schema but not create tables in it, and the tables do not exist yet
        assertThatThrownBy(() -> CELERIAC.openBackend(url("celery_ro", READONLY_PASSWORD, "127.0.0.1", "sslmode=disable"),
                options().toBuilder().property(JdbcBackendConfig.TASK_SCHEMA, "celery").build()))
                .isInstanceOf(CeleriacException.class)
                .hasMessageContaining("permission denied")
                .satisfies(e -> assertNoSecret(e, READONLY_PASSWORD));
    }

    @Test
    void verifyFullWorksWithTheRightCaAndHost() throws Exception {
        try (Backend b = CELERIAC.openBackend(url("celery_app", PASSWORD, "localhost",
                "sslmode=verify-full&sslrootcert=" + pki.caCertificate()), options())) {
            roundTrip(b);
            assertThat(sslConnectionsOf("celery_app")).as("the backend's connections use TLS").isPositive();
        }
    }

    @Test
    void verifyFullFailsClearlyWithAnotherRootCertificate() {
        assertThatThrownBy(() -> CELERIAC.openBackend(url("celery_app", PASSWORD, "localhost",
                "sslmode=verify-full&sslrootcert=" + otherCa), options()))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("SQLSTATE 08006: SSL error: PKIX path building failed")
                .satisfies(e -> assertNoSecret(e, PASSWORD));
    }

    @Test
    void verifyFullFailsClearlyWhenTheHostIsNotTheCertificates() {
        // 127.0.0.2 is loopback too, but the certificate names only localhost and 127.0.0.1
        assertThatThrownBy(() -> CELERIAC.openBackend(url("celery_app", PASSWORD, "127.0.0.2",
                "sslmode=verify-full&sslrootcert=" + pki.caCertificate()), options()))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("The hostname 127.0.0.2 could not be verified")
                .satisfies(e -> assertNoSecret(e, PASSWORD));
        // verify-ca checks the chain only, so the same host works
        try (Backend b = CELERIAC.openBackend(url("celery_app", PASSWORD, "127.0.0.2",
                "sslmode=verify-ca&sslrootcert=" + pki.caCertificate()), options())) {
            assertThat(b.getTaskMeta("absent").status()).isEqualTo(TaskState.PENDING);
        }
    }
}
