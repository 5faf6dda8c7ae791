package io.celeriac.url;

import io.celeriac.backend.BackendOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackendUrlTest {

    /** Expected values printed by kombu 5.2.4's maybe_sanitize_url with Celery's as_uri trimming. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "redis://user:secret@localhost:6379/3 | redis://user:**@localhost:6379/3",
            "redis://localhost | redis://localhost/",
            "redis://:pw@127.0.0.1:6379/0 | redis://:**@127.0.0.1:6379/0",
            "rediss://:p%40ss@host:6380/1?ssl_cert_reqs=required | rediss://:**@host:6380/1",
            "disabled:// | disabled://",
            "postgresql://user:pw@host/dbname | postgresql://user:**@host/dbname",
            "sqlite:///out/interop.db | sqlite:///out/interop.db",
            "sqlite:////tmp/x.db | sqlite:////tmp/x.db",
            "sqlite:// | sqlite://",
            "memory:// | memory://",
            "file:///var/run/celery/w.state | file:///var/run/celery/w.state",
            "redis://u%20ser:pw@HOST.Example.COM:6379/2 | redis://u%20ser:**@host.example.com:6379/2",
            "socket:///tmp/redis.sock?virtual_host=3 | socket:///tmp/redis.sock",
            "sentinel://:pw@h1:26379/0 | sentinel://:**@h1:26379/0",
            "redis://user@host/5 | redis://user@host/5",
            "cache+memory:// | cache+memory://",
    })
    void masksExactlyAsKombu(String url, String expected) {
        BackendUrl u = BackendUrl.parse(url);
        assertThat(u.masked()).isEqualTo(expected);
        assertThat(u.toString()).isEqualTo(expected);
    }

    @Test
    void splitsTheAliasAtTheFirstPlus() {
        BackendUrl u = BackendUrl.parse("db+postgresql+psycopg2://celery:s%3Acret@db.example:5433/results?sslmode=require");
        assertThat(u.scheme()).isEqualTo("db+postgresql+psycopg2");
        assertThat(u.alias()).isEqualTo("db");
        assertThat(u.driverScheme()).isEqualTo("postgresql+psycopg2");
        assertThat(u.user()).isEqualTo("celery");
        assertThat(u.password()).isEqualTo("s:cret");
        assertThat(u.host()).isEqualTo("db.example");
        assertThat(u.port()).isEqualTo(5433);
        assertThat(u.pathWithoutLeadingSlash()).isEqualTo("results");
        assertThat(u.query()).isEqualTo(Map.of("sslmode", "require"));
        assertThat(u.masked()).isEqualTo("db+postgresql+psycopg2://celery:**@db.example:5433/results");
        assertThat(u.withoutAlias().masked()).isEqualTo("postgresql+psycopg2://celery:**@db.example:5433/results");
        assertThat(u.withoutAlias().password()).isEqualTo("s:cret");
    }

    @Test
    void readsSqlitePathsAsSqlAlchemyDoes() {
        assertThat(BackendUrl.parse("db+sqlite:///relative/results.sqlite").pathWithoutLeadingSlash()).isEqualTo("relative/results.sqlite");
        assertThat(BackendUrl.parse("db+sqlite:////abs/results.sqlite").pathWithoutLeadingSlash()).isEqualTo("/abs/results.sqlite");
        assertThat(BackendUrl.parse("db+sqlite://").pathWithoutLeadingSlash()).isEmpty();
        assertThat(BackendUrl.parse("file:///var/lib/w.state").path()).isEqualTo("/var/lib/w.state");
    }

    @Test
    void readsPlainPathsAndJdbcUrls() {
        BackendUrl plain = BackendUrl.parse("/var/run/celery/%n.state");
        assertThat(plain.scheme()).isEqualTo("file");
        assertThat(plain.isOpaque()).isTrue();
        assertThat(plain.path()).isEqualTo("/var/run/celery/%n.state");
        assertThat(plain.masked()).isEqualTo("/var/run/celery/%n.state");

        BackendUrl jdbc = BackendUrl.parse("jdbc:postgresql://db:5432/results?user=celery&password=secret");
        assertThat(jdbc.scheme()).isEqualTo("jdbc:postgresql");
        assertThat(jdbc.host()).isEqualTo("db");
        assertThat(jdbc.query()).containsEntry("password", "secret");
        assertThat(jdbc.masked()).isEqualTo("jdbc:postgresql://db:5432/results").doesNotContain("secret");

        BackendUrl sqlite = BackendUrl.parse("jdbc:sqlite:/tmp/r.db");
        assertThat(sqlite.scheme()).isEqualTo("jdbc:sqlite");
        assertThat(sqlite.path()).isEqualTo("/tmp/r.db");
    }

    @Test
    void splitsSentinelListsAndMasksEachPart() {
        BackendUrl u = BackendUrl.parse("sentinel://:pw1@h1:26379/2;sentinel://:pw2@h2:26380/2;sentinel://h3:26381/2");
        assertThat(u.parts()).hasSize(3);
        assertThat(u.host()).isEqualTo("h1");
        assertThat(u.password()).isEqualTo("pw1");
        assertThat(u.parts().get(1).port()).isEqualTo(26380);
        assertThat(u.masked()).isEqualTo("sentinel://:**@h1:26379/2;sentinel://:**@h2:26380/2;sentinel://h3:26381/2");
    }

    @Test
    void readsQueryParametersAsParseQslDoes() {
        BackendUrl u = BackendUrl.parse("redis://h/0?a=1&b=&a=2&c=x+y%2Bz&flag=true&t=1.5");
        assertThat(u.query()).containsExactly(Map.entry("a", "2"), Map.entry("c", "x y+z"), Map.entry("flag", "true"), Map.entry("t", "1.5"));
        assertThat(u.booleanParam("flag", false)).isTrue();
        assertThat(u.booleanParam("missing", true)).isTrue();
        assertThat(u.intParam("a", 0)).isEqualTo(2);
        assertThat(u.secondsParam("t", null)).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> u.intParam("c", 0)).isInstanceOf(InvalidUrlException.class).hasMessageContaining("c must be an integer").hasMessageContaining("'x y+z'");
        assertThatThrownBy(() -> u.booleanParam("c", false)).isInstanceOf(InvalidUrlException.class);
    }

    @Test
    void typedParametersAreReadAsEverySettingIsWithTheSameWordingAndAllProblemsTogether() {
        BackendUrl u = BackendUrl.parse("redis://:hunter2@h/0?b=Off&s=1e3&n=+7&bad=hunter2&big=31536001");
        assertThat(u.booleanParam("b", true)).isFalse();
        assertThat(u.secondsParam("s", null)).isEqualTo(Duration.ofSeconds(1000));
        assertThat(u.intParam("n", 0)).isEqualTo(7);
        assertThatThrownBy(() -> u.secondsParam("big", null)).isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("big must be a number of seconds from 0 to 31536000, not '31536001'");
        assertThatThrownBy(() -> u.booleanParam("bad", false)).isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("bad must be true or false (also yes/no, on/off, 1/0), not '**'")
                .hasMessageContaining("redis://:**@h/0")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));

        io.celeriac.spi.SettingsReader r = u.settings();
        r.integer("bad", 0, 0, 10);
        r.seconds("big", Duration.ZERO, true);
        assertThat(r.problems()).hasSize(2);
        assertThat(BackendOptions.defaults().withUrlOverrides(u)).isNotNull();
        assertThatThrownBy(() -> BackendOptions.defaults().withUrlOverrides(
                BackendUrl.parse("memory://?result_expires=-1&result_extended=maybe")))
                .isInstanceOf(InvalidUrlException.class)
                .satisfies(e -> assertThat(((InvalidUrlException) e).problems()).containsExactly(
                        "result_expires must be a number of seconds from 0 to 31536000, not '-1'",
                        "result_extended must be true or false (also yes/no, on/off, 1/0), not 'maybe'"));
    }

    @Test
    void ipv6HostsKeepTheirBrackets() {
        BackendUrl u = BackendUrl.parse("redis://[::1]:6379/0");
        assertThat(u.host()).isEqualTo("[::1]");
        assertThat(u.port()).isEqualTo(6379);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "redis://:hunter2@host:99999/0 | out of range",
            "redis://:hunter2@host:12ab/0 | is not a number",
            "redis://:hunter2@host/0?x=%zz | malformed percent escape",
            "redis://user:hunter2%@host/0 | malformed percent escape",
            "redis://:hunter2%ff@host/0 | not UTF-8",
            "1redis://:hunter2@host/0 | is not valid",
            "redis://:hunter2@[::1/0 | closing ']'",
    })
    void malformedUrlsGiveATypedErrorWithoutThePassword(String url, String problem) {
        assertThatThrownBy(() -> BackendUrl.parse(url))
                .isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void everyProblemIsReportedTogether() {
        assertThatThrownBy(() -> BackendUrl.parse("redis://:hunter2@host:70000/0?a=%g1"))
                .isInstanceOf(InvalidUrlException.class)
                .satisfies(e -> assertThat(((InvalidUrlException) e).problems()).hasSize(2))
                .hasMessageContaining("2 problems");
        assertThatThrownBy(() -> BackendUrl.parse("  ")).isInstanceOf(InvalidUrlException.class).hasMessageContaining("empty");
    }

    @Test
    void maskUnparsedHidesPasswordsInAnyText() {
        assertThat(BackendUrl.maskUnparsed("redis://u:p@ss:w@rd@host:1/0?password=x")).isEqualTo("redis://u:**@host:1/0");
        assertThat(BackendUrl.maskUnparsed("sentinel://:a@h1;sentinel://:b@h2")).isEqualTo("sentinel://:**@h1;sentinel://:**@h2");
        // an unescaped '?' or '#' in the password comes before the '@' that ends the user info
        assertThat(BackendUrl.maskUnparsed("redis://u:Sekr3t?Pw#71a9@host/0?x=1")).isEqualTo("redis://u:**@host/0");
        assertThat(BackendUrl.maskUnparsed("redis://u:Sekr3t#Pw@host/0")).isEqualTo("redis://u:**@host/0");
        // a query holding an '@' is still dropped when there is no user info
        assertThat(BackendUrl.maskUnparsed("redis://h/0?password=s3cr@t")).isEqualTo("redis://h/0");
        assertThat(List.of(BackendUrl.parse("redis://:x@h/1").unmaskedText())).containsExactly("redis://:x@h/1");
    }

    @Test
    void aPlaceholderInAFileUrlGetsAHint() {
        assertThatThrownBy(() -> BackendUrl.parse("file:///var/run/%n.state")).isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("%25n").hasMessageContaining("plain path");
        assertThat(BackendUrl.parse("file:///var/run/%25n.state").path()).isEqualTo("/var/run/%n.state");
        assertThat(BackendUrl.parse("/var/run/%n.state").path()).isEqualTo("/var/run/%n.state");
    }
}
