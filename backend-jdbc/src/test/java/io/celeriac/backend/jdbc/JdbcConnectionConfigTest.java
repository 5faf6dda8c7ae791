package io.celeriac.backend.jdbc;

import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection settings every area of the module shares: read with the settings reader's wording, the
 * area's defaults applied, the area's own settings never passed to a driver, problems added to the area's list.
 */
class JdbcConnectionConfigTest {

    private static final JdbcConnectionConfig.Defaults DEFAULTS = new JdbcConnectionConfig.Defaults(7, 3, "normal", Map.of());

    private static JdbcConnectionConfig parse(String url, Map<String, String> properties, List<String> problems) {
        return JdbcConnectionConfig.parse(BackendUrl.parse(url), properties, DEFAULTS, Set.of("area_setting"), problems);
    }

    @Test
    void theAreasDefaultsApplyUnlessTheSettingsSayOtherwise() {
        List<String> problems = new ArrayList<>();
        JdbcConnectionConfig pg = parse("db+postgresql://h/d?sslmode=require", Map.of(), problems);
        assertThat(pg.poolSize()).isEqualTo(7);
        assertThat(pg.schemaMode()).isEqualTo(JdbcConnectionConfig.SchemaMode.CREATE);
        assertThat(pg.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(parse("db+sqlite:///x.db", Map.of(), problems).poolSize()).isEqualTo(3);
        assertThat(parse("db+sqlite:///x.db", Map.of(), problems).synchronous()).isEqualTo("normal");
        assertThat(parse("db+sqlite://", Map.of(), problems).poolSize()).as("one connection holds a memory database").isEqualTo(1);
        assertThat(parse("db+sqlite:///x.db?synchronous=FULL", Map.of(JdbcConnectionConfig.SYNCHRONOUS, "off"), problems)
                .synchronous()).as("the URL wins").isEqualTo("full");

        JdbcConnectionConfig.Defaults socket = new JdbcConnectionConfig.Defaults(4, 2, "full", Map.of("socketTimeout", "60"));
        assertThat(JdbcConnectionConfig.parse(BackendUrl.parse("db+postgresql://h/d"), Map.of(), socket, Set.of(), problems)
                .driverProperties()).containsEntry("socketTimeout", "60");
        assertThat(JdbcConnectionConfig.parse(BackendUrl.parse("db+postgresql://h/d?socketTimeout=5"), Map.of(), socket, Set.of(),
                problems).driverProperties()).containsEntry("socketTimeout", "5");
        assertThat(JdbcConnectionConfig.parse(BackendUrl.parse("db+sqlite:///x.db"), Map.of(), socket, Set.of(), problems)
                .driverProperties()).as("PostgreSQL's only").doesNotContainKey("socketTimeout");
        assertThat(problems).isEmpty();
    }

    @Test
    void theAreasOwnSettingsNeverReachTheDriver() {
        List<String> problems = new ArrayList<>();
        JdbcConnectionConfig c = parse("db+postgresql://h/d?area_setting=1&pool_size=2&sslmode=disable",
                Map.of("driver.loginTimeout", "3", "area_setting", "2", "unrelated", "x"), problems);
        assertThat(c.driverProperties()).containsOnlyKeys("sslmode", "loginTimeout");
        assertThat(c.poolSize()).isEqualTo(2);
        JdbcConnectionConfig sqlite = parse("db+sqlite:///x.db?area_setting=1&cache_size=-2000&check_same_thread=false",
                Map.of(), problems);
        assertThat(sqlite.driverProperties()).containsOnlyKeys("cache_size");
        assertThat(problems).isEmpty();
    }

    @Test
    void problemsGoToTheAreasListInTheReadersWording() {
        List<String> problems = new ArrayList<>(List.of("a problem of the area"));
        JdbcConnectionConfig c = parse("db+postgresql://u:pw@h/d?pool_size=0&connect_timeout=soon&schema_mode=sometimes"
                + "&synchronous=maybe", Map.of(), problems);
        assertThat(c).as("nothing to connect with").isNull();
        assertThat(problems).containsExactly("a problem of the area",
                "schema_mode must be one of create, none, validate, not 'sometimes'",
                "pool_size must be an integer from 1 to 1000, not '0'",
                "connect_timeout must be a number of seconds above 0 to 86400, not 'soon'",
                "synchronous must be one of extra, full, normal, off, not 'maybe'");

        problems.clear();
        assertThat(parse("db+sqlite://?pool_size=2", Map.of(), problems)).isNull();
        assertThat(problems).containsExactly("pool_size must be 1 for an in-memory SQLite database (one connection holds it)");
        problems.clear();
        assertThat(parse("db+mysql://h/d", Map.of(), problems)).isNull();
        assertThat(problems).singleElement().asString().contains("db+mysql");
    }

    @Test
    void timeoutsStopAtADayWhereTheDriversCountMillisecondsInAnInt() {
        List<String> problems = new ArrayList<>();
        JdbcConnectionConfig c = parse("db+sqlite:///x.db?connect_timeout=86400&busy_timeout=0", Map.of(), problems);
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofDays(1));
        assertThat(c.busyTimeout()).isZero();
        assertThat(parse("db+postgresql://h/d?connect_timeout=86401&busy_timeout=1e6", Map.of(), problems)).isNull();
        assertThat(problems).containsExactly(
                "connect_timeout must be a number of seconds above 0 to 86400, not '86401'",
                "busy_timeout must be a number of seconds from 0 to 86400, not '1e6'");
    }

    @Test
    void theDatabaseFollowsTheScheme() {
        for (String url : List.of("db+postgresql://h/d", "database+postgresql://h/d", "db+postgresql+psycopg2://h/d",
                "jdbc:postgresql://h/d")) {
            assertThat(JdbcConnectionConfig.Database.of(BackendUrl.parse(url))).as(url).contains(JdbcConnectionConfig.Database.POSTGRESQL);
        }
        for (String url : List.of("db+sqlite:///x.db", "database+sqlite:///x.db", "jdbc:sqlite:x.db")) {
            assertThat(JdbcConnectionConfig.Database.of(BackendUrl.parse(url))).as(url).contains(JdbcConnectionConfig.Database.SQLITE);
        }
        assertThat(JdbcConnectionConfig.Database.of(BackendUrl.parse("db+mysql://h/d"))).isEmpty();
    }
}
