package io.celeriac.backend.jdbc.backend;

import io.celeriac.backend.jdbc.JdbcBackendSettings;
import io.celeriac.Celeriac;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.registry.ProviderInfo;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Parsing of the database backend's URLs and settings: every URL form Celery users write, the JDBC forms,
 * every setting from the URL or the options, every problem reported at once, no password in any message.
 */
class JdbcBackendSettingsTest {

    private static JdbcBackendSettings parse(String url) {
        return JdbcBackendSettings.parse(BackendUrl.parse(url), BackendOptions.defaults());
    }

    @Test
    void postgresUrlsAsCeleryUsersWriteThem() {
        JdbcBackendSettings s = parse("db+postgresql://scott:tiger%40x@DB.example.com:6543/results?sslmode=verify-full"
                + "&sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=worker");
        assertThat(s.database()).isEqualTo(JdbcBackendSettings.Database.POSTGRESQL);
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/results");
        assertThat(s.user()).isEqualTo("scott");
        assertThat(s.password()).contains("tiger@x");
        assertThat(s.driverProperties()).containsEntry("sslmode", "verify-full").containsEntry("sslrootcert", "/etc/ca.pem")
                .containsEntry("ApplicationName", "worker").doesNotContainKey("connect_timeout");
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.celeryUrlWithoutPassword()).isEqualTo("postgresql://scott@db.example.com:6543/results");
        assertThat(s.toString()).doesNotContain("tiger");
        assertThat(s.taskTable()).isEqualTo(new JdbcBackendSettings.Table(null, "celery_taskmeta"));
        assertThat(s.groupTable()).isEqualTo(new JdbcBackendSettings.Table(null, "celery_tasksetmeta"));
        assertThat(s.schemaMode()).isEqualTo(JdbcBackendSettings.SchemaMode.CREATE);
        assertThat(s.resultFormat()).isEqualTo(JdbcBackendSettings.ResultFormat.PICKLE);
        assertThat(s.pickleProtocol()).isEqualTo(4);
        assertThat(s.poolSize()).isEqualTo(10);

        assertThat(parse("db+postgresql+psycopg2://u@h/d").jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/d");
        assertThat(parse("database+postgresql://h").jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/");
        assertThat(parse("db+postgresql://u@h/d").celeryUrlWithoutPassword()).isEqualTo("postgresql://u@h/d");
        JdbcBackendSettings jdbc = parse("jdbc:postgresql://h:5433/d?user=app&password=pw&sslmode=require");
        assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5433/d");
        assertThat(jdbc.user()).isEqualTo("app");
        assertThat(jdbc.password()).contains("pw");
        assertThat(jdbc.driverProperties()).containsOnlyKeys("sslmode");
        assertThat(jdbc.secrets()).containsExactly("pw");
        assertThat(parse("db+postgresql://[::1]:5432/d").jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/d");
    }

    @Test
    void sqliteUrlsAsSqlalchemyReadsThem() {
        assertThat(parse("db+sqlite:///results.sqlite").sqlitePath()).contains("results.sqlite");
        assertThat(parse("db+sqlite:///var/rel/results.sqlite").jdbcUrl()).isEqualTo("jdbc:sqlite:var/rel/results.sqlite");
        assertThat(parse("db+sqlite:////var/abs/results.sqlite").jdbcUrl()).isEqualTo("jdbc:sqlite:/var/abs/results.sqlite");
        assertThat(parse("db+sqlite:////var/abs/results.sqlite").celeryUrlWithoutPassword()).isEqualTo("sqlite:////var/abs/results.sqlite");
        JdbcBackendSettings memory = parse("db+sqlite://");
        assertThat(memory.sqlitePath()).isEmpty();
        assertThat(memory.poolSize()).isEqualTo(1);
        assertThat(parse("db+sqlite:///:memory:").sqlitePath()).isEmpty();
        assertThat(parse("jdbc:sqlite:/tmp/x.db").sqlitePath()).contains("/tmp/x.db");
        assertThat(parse("db+sqlite:///x.db").poolSize()).isEqualTo(4);
        assertThat(parse("db+sqlite:///x.db?timeout=2.5").busyTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(parse("db+sqlite:///x.db?busy_timeout=1&timeout=9").busyTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(parse("db+sqlite:///x.db?cache_size=-2000").driverProperties()).containsEntry("cache_size", "-2000");
    }

    @Test
    void everySettingFromTheUrlOrTheOptions() {
        BackendOptions options = BackendOptions.builder()
                .property(JdbcBackendSettings.TASK_TABLE, "app_tasks")
                .property(JdbcBackendSettings.GROUP_TABLE, "app_groups")
                .property(JdbcBackendSettings.TASK_SCHEMA, "results")
                .property(JdbcBackendSettings.GROUP_SCHEMA, "results")
                .property(JdbcBackendSettings.SCHEMA_MODE, "validate")
                .property(JdbcBackendSettings.RESULT_FORMAT, "json")
                .property(JdbcBackendSettings.POOL_SIZE, "3")
                .property("driver.socketTimeout", "30")
                .property("someone.elses", "ignored")
                .build();
        JdbcBackendSettings s = JdbcBackendSettings.parse(BackendUrl.parse("db+postgresql://h/d?schema_mode=none&pickle_protocol=5"
                + "&poll_interval=0.25&notify_trigger=false&group_member_backend=app&result_expires=60"), options);
        assertThat(s.taskTable()).isEqualTo(new JdbcBackendSettings.Table("results", "app_tasks"));
        assertThat(s.groupTable()).isEqualTo(new JdbcBackendSettings.Table("results", "app_groups"));
        assertThat(s.schemaMode()).as("the URL wins").isEqualTo(JdbcBackendSettings.SchemaMode.NONE);
        assertThat(s.resultFormat()).isEqualTo(JdbcBackendSettings.ResultFormat.JSON);
        assertThat(s.pickleProtocol()).isEqualTo(5);
        assertThat(s.poolSize()).isEqualTo(3);
        assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.notifyTrigger()).isFalse();
        assertThat(s.groupMemberBackend()).isEqualTo(JdbcBackendSettings.GroupMemberBackend.APP);
        assertThat(s.driverProperties()).containsOnlyKeys("socketTimeout");
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
