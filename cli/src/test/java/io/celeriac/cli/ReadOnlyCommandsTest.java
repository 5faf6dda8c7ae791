package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskState;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.celeriac.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command does not guess silently: a backend that was not given is named on stderr, and a command that only
 * reads creates no database file, table or trigger (a read-only PostgreSQL role is enough).
 */
class ReadOnlyCommandsTest {

    @Test
    void theDefaultBackendIsNamedAndNoFileIsLeftBehind() {
        assumeTrue(System.getenv(BackendOption.ENV) == null, "CELERY_RESULT_BACKEND is set here");
        Path file = Path.of("celeriac.sqlite");
        assumeTrue(!Files.exists(file), "a celeriac.sqlite is in the working directory already");
        MainTest.Run r = run("result", "get", "abc");
        assertThat(r.err()).startsWith("celeriac: using the result backend db+sqlite:///celeriac.sqlite (the default; "
                + "give --backend URL or set $CELERY_RESULT_BACKEND)\n");
        assertThat(r.err()).contains("celeriac: there is no SQLite database at " + file.toAbsolutePath()
                + ": nothing was stored there");
        assertThat(r.code()).isEqualTo(1);
        assertThat(file).doesNotExist();
    }

    @Test
    void aReadingCommandCreatesNoSqliteFile(@TempDir Path dir) {
        Path file = dir.resolve("results.sqlite");
        for (String[] args : List.of(new String[]{"result", "get", "abc"}, new String[]{"result", "wait", "abc", "-t", "0.1"},
                new String[]{"group", "get", "g"})) {
            List<String> a = new ArrayList<>(List.of(args));
            a.add("--backend");
            a.add("db+sqlite:///" + file);
            MainTest.Run r = run(a.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err()).as("named only when not given").doesNotContain("using the result backend")
                    .contains("there is no SQLite database at " + file);
            assertThat(file).doesNotExist();
        }
        try (Backend writer = Celeriac.discover().openBackend("db+sqlite:///" + file)) {
            writer.storeResult("abc", 5L, TaskState.SUCCESS);
        }
        MainTest.Run r = run("result", "get", "abc", "--json", "--backend", "db+sqlite:///" + file);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"result\": 5");
    }

    @Test
    void aReadingCommandCreatesNoTableAndAReadOnlyRoleIsEnough() throws SQLException {
        PostgresTestServer pg = TestServices.postgres();
        String db = pg.createDatabase();
        String role = "celeriac_ro_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
            String url = pg.celeryUrl(db);
            MainTest.Run none = run("result", "get", "abc", "--backend", url);
            assertThat(none.code()).isEqualTo(1);
            assertThat(none.err()).contains("celery_taskmeta");
            assertThat(objects(pg, db)).as("tables, sequences and triggers after a read").isEmpty();

            String id = UUID.randomUUID().toString();
            try (Backend writer = Celeriac.discover().openBackend(url)) {       // a worker's backend creates them
                writer.storeResult(id, "done", TaskState.SUCCESS);
            }
            List<String> before = objects(pg, db);
            try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + role + " LOGIN");
                s.execute("GRANT SELECT ON celery_taskmeta, celery_tasksetmeta TO " + role);
            }
            String readOnly = "db+postgresql://" + role + "@" + pg.host() + ":" + pg.port() + "/" + db;
            MainTest.Run get = run("result", "get", id, "--json", "--backend", readOnly);
            assertThat(get.code()).as(get.err()).isZero();
            assertThat(get.out()).contains("\"status\": \"SUCCESS\"").contains("\"result\": \"done\"");
            MainTest.Run wait = run("result", "wait", id, "-t", "5", "--backend", readOnly);
            assertThat(wait.code()).as(wait.err()).isZero();
            assertThat(objects(pg, db)).isEqualTo(before);
        } finally {
            pg.dropDatabase(db);
            try (Connection c = pg.connect(pg.database()); Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    private static List<String> objects(PostgresTestServer pg, String db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT c.relkind::text || ' ' || c.relname FROM pg_class c JOIN pg_namespace n"
                     + " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v')"
                     + " UNION ALL SELECT 't ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
