package io.celeriac.backend.jdbc.state;

import io.celeriac.Celeriac;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.Table;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Parsing of the state store's URLs and settings: the backend's URL forms and connection settings reused,
 * the store's own settings from the URL or the options (the URL wins) and never passed to the driver, the
 * store's defaults, every problem reported at once, no password anywhere; discovery by every scheme.
 */
class JdbcStateStoreConfigTest {

    private static JdbcStateStoreConfig parse(String url) {
        return JdbcStateStoreConfig.parse(BackendUrl.parse(url), StateStoreOptions.defaults());
    }

    @Test
    void postgresDefaults() {
        JdbcStateStoreConfig s = parse("db+postgresql://scott:tiger@db.example.com/celery?sslmode=require");
        assertThat(s.stateName()).isEqualTo("default");
        assertThat(s.revokedTable()).isEqualTo(new Table(null, "celeriac_revoked"));
        assertThat(s.clockTable()).isEqualTo(new Table(null, "celeriac_state_clock"));
        assertThat(s.indexName()).isEqualTo("celeriac_revoked_time");
        assertThat(s.clockReserve()).isEqualTo(1000);
        assertThat(s.retryPolicy().maxRetries()).isEqualTo(10);
        assertThat(s.retryTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.shutdownHook()).isTrue();
        JdbcConnectionConfig c = s.connection();
        assertThat(c.database()).isEqualTo(JdbcConnectionConfig.Database.POSTGRESQL);
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:5432/celery");
        assertThat(c.poolSize()).as("a small pool: the store needs few connections").isEqualTo(4);
        assertThat(c.schemaMode()).isEqualTo(JdbcConnectionConfig.SchemaMode.CREATE);
        assertThat(c.driverProperties()).containsEntry("sslmode", "require").containsEntry("socketTimeout", "60");
        assertThat(s.location()).isEqualTo("db+postgresql://scott:**@db.example.com/celery?state_name=default");
        assertThat(s.toString()).doesNotContain("tiger");
    }

    @Test
    void theStoresOwnSettingsComeFromTheUrlOrTheOptions_neverReachTheDriver() {
        JdbcStateStoreConfig s = JdbcStateStoreConfig.parse(
                BackendUrl.parse("db+postgresql://u:p@h/d?state_name=billing&sslmode=disable&state_table_prefix=w_&clock_reserve=0"
                        + "&application_name=worker"),
                StateStoreOptions.builder().property("state_name", "ignored-the-url-wins").property("state_schema", "ops")
                        .property("max_retries", "3").property("retry_timeout", "2.5").property("shutdown_hook", "false")
                        .property("pool_size", "7").property("driver.socketTimeout", "5").build());
        assertThat(s.stateName()).isEqualTo("billing");
        assertThat(s.revokedTable()).isEqualTo(new Table("ops", "w_revoked"));
        assertThat(s.clockTable()).isEqualTo(new Table("ops", "w_state_clock"));
        assertThat(s.clockReserve()).isZero();
        assertThat(s.retryPolicy().maxRetries()).isEqualTo(3);
        assertThat(s.retryTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.shutdownHook()).isFalse();
        assertThat(s.connection().poolSize()).isEqualTo(7);
        assertThat(s.connection().driverProperties()).containsOnlyKeys("sslmode", "ApplicationName", "socketTimeout")
                .containsEntry("socketTimeout", "5");
        assertThat(s.location()).endsWith("?state_name=billing");

        JdbcStateStoreConfig besideResults = JdbcStateStoreConfig.parse(BackendUrl.parse("db+postgresql://h/d"),
                StateStoreOptions.builder().property(JdbcBackendConfig.TASK_SCHEMA, "results").build());
        assertThat(besideResults.revokedTable().schema()).as("beside the result tables by default").isEqualTo("results");
    }

    @Test
    void sqliteDefaults_andMemoryRefused() {
        JdbcStateStoreConfig s = parse("db+sqlite:////var/lib/celery/state.sqlite?state_name=w");
        assertThat(s.connection().sqlitePath()).contains("/var/lib/celery/state.sqlite");
        assertThat(s.connection().poolSize()).isEqualTo(2);
        assertThat(s.connection().synchronous()).as("durable through a power loss").isEqualTo("full");
        assertThat(s.connection().driverProperties()).doesNotContainKey("state_name");
        assertThat(s.revokedTable().schema()).isNull();
        assertThat(parse("jdbc:sqlite:state.sqlite?synchronous=normal").connection().synchronous()).isEqualTo("normal");

        InvalidUrlException memory = catchThrowableOfType(InvalidUrlException.class, () -> parse("db+sqlite://"));
        assertThat(memory.problems()).singleElement().asString().contains("in-memory SQLite database would vanish");
        InvalidUrlException schema = catchThrowableOfType(InvalidUrlException.class, () -> parse("db+sqlite:///s.db?state_schema=x"));
        assertThat(schema.problems()).singleElement().asString().contains("SQLite has no schemas");
    }

    @Test
    void everyProblemIsReportedAtOnceWithThePasswordMasked() {
        InvalidUrlException e = catchThrowableOfType(InvalidUrlException.class, () -> parse(
                "db+postgresql://u:sekrit@h/d?state_table_prefix=1bad&clock_reserve=-1&max_retries=lots&retry_timeout=0"
                        + "&shutdown_hook=maybe&state_name=&schema_mode=sometimes"));
        List<String> problems = e.problems();
        assertThat(problems).hasSize(6);
        assertThat(String.join("\n", problems)).contains("state_table_prefix").contains("clock_reserve").contains("max_retries")
                .contains("retry_timeout").contains("shutdown_hook").contains("schema_mode");
        assertThat(e.getMessage()).contains("u:**@h").doesNotContain("sekrit");
    }

    @Test
    void aUrlSharedWithTheResultBackend_itsSettingsAreNeitherReadNorPassedToTheDriver() {
        JdbcStateStoreConfig s = parse("db+postgresql://h/d?result_format=json&pickle_protocol=5&poll_interval=1"
                + "&database_table_names.task=app_tasks&result_expires=60&schema_mode=validate&sslmode=require");
        assertThat(s.connection().driverProperties()).containsOnlyKeys("sslmode", "socketTimeout");
        assertThat(s.connection().schemaMode()).as("the connection's settings are shared").isEqualTo(JdbcConnectionConfig.SchemaMode.VALIDATE);
        assertThat(parse("db+sqlite:///s.db?database_table_schemas.task=main").revokedTable().schema()).isNull();
        InvalidUrlException e = catchThrowableOfType(InvalidUrlException.class,
                () -> parse("db+sqlite:///s.db?database_table_schemas.task=results"));
        assertThat(e.problems()).containsExactly(
                "database_table_schemas.task is 'results', but SQLite has no schemas (only 'main'); leave it unset");
    }

    @Test
    void theStoresSettingsInTheReadersWording() {
        InvalidUrlException e = catchThrowableOfType(InvalidUrlException.class, () -> parse("db+postgresql://h/d?"
                + "clock_reserve=-1&max_retries=lots&retry_timeout=0&shutdown_hook=maybe&state_schema=1ops"));
        assertThat(e.problems()).containsExactly(
                "state_schema must be an identifier (a letter or _, then letters, digits or _, at most 63; one . may"
                        + " qualify it), not '1ops'",
                "clock_reserve must be an integer from 0 to " + Long.MAX_VALUE / 4 + ", not '-1'",
                "max_retries must be an integer from 0 to 1000, not 'lots'",
                "retry_timeout must be a number of seconds above 0 to 31536000, not '0'",
                "shutdown_hook must be true or false (also yes/no, on/off, 1/0), not 'maybe'");
        assertThat(parse("db+postgresql://h/d?retry_timeout=172800").retryTimeout()).as("the reader's bound")
                .isEqualTo(Duration.ofDays(2));
        assertThat(parse("db+postgresql://h/d?state_table_prefix=w$_").revokedTable().name()).isEqualTo("w$_revoked");
    }

    @Test
    void theDdlIsAvailableWithoutAConnection() {
        List<String> pg = JdbcStateStoreProvider.schemaStatements(parse("db+postgresql://h/d?state_schema=ops"));
        assertThat(pg).containsExactly(
                "CREATE TABLE IF NOT EXISTS ops.celeriac_revoked (state_name VARCHAR(155) NOT NULL, task_id TEXT NOT NULL,"
                        + " revoked_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (state_name, task_id))",
                "CREATE INDEX IF NOT EXISTS celeriac_revoked_time ON ops.celeriac_revoked (state_name, revoked_at)",
                "CREATE TABLE IF NOT EXISTS ops.celeriac_state_clock (state_name VARCHAR(155) NOT NULL PRIMARY KEY,"
                        + " clock BIGINT NOT NULL)");
        List<String> sqlite = JdbcStateStoreProvider.schemaStatements(parse("db+sqlite:///s.db"));
        assertThat(sqlite).hasSize(3);
        assertThat(sqlite.get(0)).contains("revoked_at REAL NOT NULL");
    }

    @Test
    void everySchemeFindsTheProvider() {
        Celeriac c = Celeriac.discover();
        for (String url : List.of("db+postgresql://h/d", "database+postgresql://h/d", "db+postgresql+psycopg2://h/d",
                "jdbc:postgresql://h:5432/d", "db+sqlite:///s.db", "database+sqlite:///s.db", "jdbc:sqlite:s.db")) {
            assertThat(c.stateStores().resolve(BackendUrl.parse(url))).as(url).isInstanceOf(JdbcStateStoreProvider.class);
        }
        assertThat(c.stateStores().schemes()).contains("db+postgresql", "db+sqlite", "jdbc:postgresql", "jdbc:sqlite");
    }
}
