package io.celeriac.backend.jdbc.backend.interop;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;
import java.util.UUID;

/**
 * Interop with Python Celery on PostgreSQL: two fresh databases, one whose tables Python creates and one
 * whose tables celeriac creates. celeriac connects with a password in its URL (the test server trusts
 * loopback, so any password works) to prove the password never reaches a row.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class PostgresPythonInteropTest extends AbstractPythonInteropTest {

    private static PostgresTestServer pg;
    private static String pythonDb;
    private static String javaDb;
    private static final String FAKE_PASSWORD = "s3cret-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void createDatabases() {
        pg = TestServices.postgres();
        pythonDb = pg.createDatabase();
        javaDb = pg.createDatabase();
    }

    @AfterAll
    static void dropDatabases() {
        if (pg != null) {
            pg.dropDatabase(pythonDb);
            pg.dropDatabase(javaDb);
        }
    }

    @Override
    String pythonFirstUrl() {
        return pg.celeryUrl(pythonDb);
    }

    @Override
    String javaFirstUrl() {
        return pg.celeryUrl(javaDb);
    }

    @Override
    String javaUrlForJavaFirst() {
        if (pg.password() != null) {
            return javaFirstUrl();
        }
        return "db+postgresql://" + pg.user() + ":" + FAKE_PASSWORD + "@" + pg.host() + ":" + pg.port() + "/" + javaDb;
    }

    @Override
    String writerZone(io.celeriac.testing.CeleryVersion version, String appZone) {
        if (version == io.celeriac.testing.CeleryVersion.V5_2) {
            return "UTC";
        }
        // Celery 5.5+ binds an aware time: PostgreSQL stores it in the session's (here the server's) TimeZone
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg.jdbcUrl(pythonDb), pg.user(),
                pg.password() == null ? "" : pg.password());
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT setting FROM pg_file_settings"
                     + " WHERE name = 'timezone' AND applied")) {
            // the server's configured zone (a JDBC session's own TimeZone is the JVM's, psycopg2 keeps the server's)
            return rs.next() ? rs.getString(1) : "GMT";
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    String expectedMemberUrl() {
        return "postgresql://" + pg.user() + "@" + pg.host() + ":" + pg.port() + "/" + javaDb;
    }

    @Override
    List<String> secrets() {
        return pg.password() != null ? List.of(pg.password()) : List.of(FAKE_PASSWORD);
    }
}
