package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.Table;
import io.celeriac.registry.ProviderInfo;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Parsing of the database backend's URLs and settings: every URL form Celery users write, the JDBC forms,
 * every setting from the URL or the options, every problem reported at once, no password in any message.
 */
class JdbcBackendConfigTest {

    private static JdbcBackendConfig parse(String url) {
        return JdbcBackendConfig.parse(BackendUrl.parse(url), BackendOptions.defaults());
    }

    @Test
    void theDateDoneTimeZoneIsAZoneIdAndCeleryVersionIsABackendSetting() {
        assertThat(parse("db+sqlite:///x.db").timeZone()).isEqualTo(java.time.ZoneOffset.UTC);
        JdbcBackendConfig c = parse("db+sqlite:///x.db?timezone=Europe/Paris&celery_version=5.6");
        assertThat(c.timeZone()).isEqualTo(java.time.ZoneId.of("Europe/Paris"));
        assertThat(c.connection().toString()).doesNotContain("celery_version");
        assertThatThrownBy(() -> parse("db+sqlite:///x.db?timezone=Mars/Olympus"))
                .isInstanceOf(InvalidUrlException.class).hasMessageContaining("Mars/Olympus");
    }

    @Test
    void postgresUrlsAsCeleryUsersWriteThem() {
        JdbcBackendConfig s = parse("db+postgresql://scott:tiger%40x@DB.example.com:6543/results?sslmode=verify-full"
                + "&sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=worker");
        assertThat(s.connection().database()).isEqualTo(JdbcConnectionConfig.Database.POSTGRESQL);
        assertThat(s.connection().jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/results");
        assertThat(s.connection().user()).isEqualTo("scott");
        assertThat(s.connection().password()).contains("tiger@x");
        assertThat(s.connection().driverProperties()).containsEntry("sslmode", "verify-full").containsEntry("sslrootcert", "/etc/ca.pem")
                .containsEntry("ApplicationName", "worker").doesNotContainKey("connect_timeout");
        assertThat(s.connection().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.connection().celeryUrlWithoutPassword()).isEqualTo("postgresql://scott@db.example.com:6543/results");
        assertThat(s.toString()).doesNotContain("tiger");
        assertThat(s.taskTable()).isEqualTo(new Table(null, "celery_taskmeta"));
        assertThat(s.groupTable()).isEqualTo(new Table(null, "celery_tasksetmeta"));
        assertThat(s.connection().schemaMode()).isEqualTo(JdbcConnectionConfig.SchemaMode.CREATE);
        assertThat(s.resultFormat()).isEqualTo(JdbcBackendConfig.ResultFormat.PICKLE);
        assertThat(s.pickleProtocol()).isEqualTo(4);
        assertThat(s.connection().poolSize()).isEqualTo(10);

        assertThat(parse("db+postgresql+psycopg2://u@h/d").connection().jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/d");
        assertThat(parse("database+postgresql://h").connection().jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/");
        assertThat(parse("db+postgresql://u@h/d").connection().celeryUrlWithoutPassword()).isEqualTo("postgresql://u@h/d");
        JdbcBackendConfig jdbc = parse("jdbc:postgresql://h:5433/d?user=app&password=pw&sslmode=require");
        assertThat(jdbc.connection().jdbcUrl()).isEqualTo("jdbc:postgresql://h:5433/d");
        assertThat(jdbc.connection().user()).isEqualTo("app");
        assertThat(jdbc.connection().password()).contains("pw");
        assertThat(jdbc.connection().driverProperties()).containsOnlyKeys("sslmode");
        assertThat(jdbc.connection().secrets()).containsExactly("pw");
        assertThat(parse("db+postgresql://[::1]:5432/d").connection().jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/d");
    }

    @Test
    void sqliteUrlsAsSqlalchemyReadsThem() {
        assertThat(parse("db+sqlite:///results.sqlite").connection().sqlitePath()).contains("results.sqlite");
        assertThat(parse("db+sqlite:///var/rel/results.sqlite").connection().jdbcUrl()).isEqualTo("jdbc:sqlite:var/rel/results.sqlite");
        assertThat(parse("db+sqlite:////var/abs/results.sqlite").connection().jdbcUrl()).isEqualTo("jdbc:sqlite:/var/abs/results.sqlite");
        assertThat(parse("db+sqlite:////var/abs/results.sqlite").connection().celeryUrlWithoutPassword()).isEqualTo("sqlite:////var/abs/results.sqlite");
        JdbcBackendConfig memory = parse("db+sqlite://");
        assertThat(memory.connection().sqlitePath()).isEmpty();
        assertThat(memory.connection().poolSize()).isEqualTo(1);
        assertThat(parse("db+sqlite:///:memory:").connection().sqlitePath()).isEmpty();
        assertThat(parse("jdbc:sqlite:/tmp/x.db").connection().sqlitePath()).contains("/tmp/x.db");
        assertThat(parse("db+sqlite:///x.db").connection().poolSize()).isEqualTo(4);
        assertThat(parse("db+sqlite:///x.db?timeout=2.5").connection().busyTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(parse("db+sqlite:///x.db?busy_timeout=1&timeout=9").connection().busyTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(parse("db+sqlite:///x.db?cache_size=-2000").connection().driverProperties()).containsEntry("cache_size", "-2000");
    }

    @Test
    void everySettingFromTheUrlOrTheOptions() {
        BackendOptions options = BackendOptions.builder()
                .property(JdbcBackendConfig.TASK_TABLE, "app_tasks")
                .property(JdbcBackendConfig.GROUP_TABLE, "app_groups")
                .property(JdbcBackendConfig.TASK_SCHEMA, "results")
                .property(JdbcBackendConfig.GROUP_SCHEMA, "results")
                .property(JdbcConnectionConfig.SCHEMA_MODE, "validate")
                .property(JdbcBackendConfig.RESULT_FORMAT, "json")
                .property(JdbcConnectionConfig.POOL_SIZE, "3")
                .property("driver.socketTimeout", "30")
                .property("someone.elses", "ignored")
                .build();
        JdbcBackendConfig s = JdbcBackendConfig.parse(BackendUrl.parse("db+postgresql://h/d?schema_mode=none&pickle_protocol=5"
                + "&poll_interval=0.25&notify_trigger=false&group_member_backend=app&result_expires=60"), options);
        assertThat(s.taskTable()).isEqualTo(new Table("results", "app_tasks"));
        assertThat(s.groupTable()).isEqualTo(new Table("results", "app_groups"));
        assertThat(s.connection().schemaMode()).as("the URL wins").isEqualTo(JdbcConnectionConfig.SchemaMode.NONE);
        assertThat(s.resultFormat()).isEqualTo(JdbcBackendConfig.ResultFormat.JSON);
        assertThat(s.pickleProtocol()).isEqualTo(5);
        assertThat(s.connection().poolSize()).isEqualTo(3);
        assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.notifyTrigger()).isFalse();
        assertThat(s.groupMemberBackend()).isEqualTo(JdbcBackendConfig.GroupMemberBackend.APP);
        assertThat(s.connection().driverProperties()).containsOnlyKeys("socketTimeout");
    }

    @Test
    void everyProblemIsReportedAtOnceWithThePasswordMasked() {
        assertThatThrownBy(() -> parse("db+postgresql://u:hunter2@h/d?schema_mode=sometimes&pool_size=0&pickle_protocol=2"
                + "&database_table_names.task=drop%20table&poll_interval=-1&result_format=xml&notify_trigger=maybe"))
                .isInstanceOf(InvalidUrlException.class)
                .satisfies(e -> assertThat(((InvalidUrlException) e).problems()).hasSize(7))
                .hasMessageContaining("postgresql://u:**@h/d")
                .hasMessageContaining("schema_mode").hasMessageContaining("pool_size").hasMessageContaining("pickle_protocol")
                .hasMessageContaining("database_table_names.task").hasMessageContaining("poll_interval")
                .hasMessageContaining("result_format").hasMessageContaining("notify_trigger")
                .message().doesNotContain("hunter2");
        assertThatThrownBy(() -> parse("db+sqlite://host/x.db?database_table_schemas.task=other"))
                .isInstanceOf(InvalidUrlException.class)
                .satisfies(e -> assertThat(((InvalidUrlException) e).problems()).hasSize(2));
        assertThatThrownBy(() -> parse("db+sqlite://?pool_size=4")).hasMessageContaining("in-memory");
        assertThatThrownBy(() -> parse("db+mysql://h/d")).hasMessageContaining("db+mysql");
        assertThatThrownBy(() -> parse("db+postgresql://h/d?database_table_names.task=t&database_table_names.group=t"))
                .hasMessageContaining("same table");
    }

    @Test
    void tableAndSchemaNamesAreTheReadersIdentifiers_withTheDollarPostgresqlAccepts() {
        JdbcBackendConfig s = parse("db+postgresql://h/d?database_table_names.task=%20app$tasks%20"
                + "&database_table_names.group=_Groups&database_table_schemas.task=res$1");
        assertThat(s.taskTable()).isEqualTo(new Table("res$1", "app$tasks"));
        assertThat(s.groupTable()).isEqualTo(new Table(null, "_Groups"));

        InvalidUrlException e = catchThrowableOfType(InvalidUrlException.class, () -> parse("db+postgresql://h/d?"
                + "database_table_names.task=1st&database_table_names.group=results.groups&database_table_schemas.task=$x"
                + "&database_table_schemas.group=" + "s".repeat(64)));
        assertThat(e.problems()).containsExactly(
                "database_table_schemas.task must be an identifier (a letter or _, then letters, digits or _, at most 63;"
                        + " one . may qualify it), not '$x'",
                "database_table_schemas.group must be an identifier (a letter or _, then letters, digits or _, at most 63;"
                        + " one . may qualify it), not '" + "s".repeat(64) + "'",
                "database_table_names.task must be an identifier (a letter or _, then letters, digits or _, at most 63;"
                        + " one . may qualify it), not '1st'",
                "database_table_names.group must be one name without '.' (a schema has its own setting), not 'results.groups'");
    }

    @Test
    void theBackendsSettingsInTheReadersWording() {
        InvalidUrlException e = catchThrowableOfType(InvalidUrlException.class, () -> parse("db+sqlite:///x.db?pickle_protocol=six"
                + "&poll_interval=0&notify_trigger=maybe&result_format=xml&group_member_backend=none"));
        assertThat(e.problems()).containsExactly(
                "result_format must be one of json, pickle, not 'xml'",
                "group_member_backend must be one of app, url, not 'none'",
                "pickle_protocol must be an integer from 4 to 5, not 'six'",
                "poll_interval must be a number of seconds above 0 to 31536000, not '0'",
                "notify_trigger must be true or false (also yes/no, on/off, 1/0), not 'maybe'");
        assertThat(parse("db+sqlite:///x.db?poll_interval=31536000").pollInterval()).as("up to the reader's year")
                .isEqualTo(Duration.ofDays(365));
        assertThat(parse("db+sqlite:///x.db?notify_trigger=OFF").notifyTrigger()).isFalse();
        assertThat(parse("db+postgresql://h/d?notify_trigger=no").notifyTrigger()).as("the same under every scheme").isFalse();
    }

    @Test
    void theProviderIsFoundForEverySchemeAndSpelling() {
        Celeriac c = Celeriac.discover();
        for (String url : new String[]{"db+postgresql://h/d", "db+postgresql+psycopg2://h/d", "db+postgresql+pg8000://h/d",
                "database+postgresql://h/d", "jdbc:postgresql://h/d", "db+sqlite:///x", "database+sqlite:///x", "jdbc:sqlite:x"}) {
            Optional<ProviderInfo> info = c.backends().providers().stream()
                    .filter(p -> p.schemes().contains("db+postgresql")).findFirst();
            assertThat(info).isPresent();
            assertThat(c.backends().resolve(BackendUrl.parse(url))).as(url).isInstanceOf(JdbcBackendProvider.class);
        }
    }

    @Test
    void anUnreachableServerIsATypedErrorWithTheMaskedUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens here once closed
        }
        String url = "db+postgresql://u:hunter2@127.0.0.1:" + port + "/d?connect_timeout=2";
        assertThatThrownBy(() -> Celeriac.discover().openBackend(url))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("postgresql://u:**@127.0.0.1:" + port + "/d")
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage())).doesNotContain("hunter2");
                    }
                });
    }
}
