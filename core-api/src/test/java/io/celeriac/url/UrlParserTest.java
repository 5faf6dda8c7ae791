package io.celeriac.url;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parser on its own: decoding, the parts of a URL, and what its messages may quote. */
class UrlParserTest {

    @Test
    void decodesPercentEscapesStrictlyAsUtf8() {
        List<String> problems = new ArrayList<>();
        assertThat(UrlParser.decode("plain", "path", problems)).isEqualTo("plain");
        assertThat(UrlParser.decode("a%2Fb%20c", "path", problems)).isEqualTo("a/b c");
        assertThat(UrlParser.decode("%C3%A9t%C3%A9", "path", problems)).isEqualTo("été");
        assertThat(problems).isEmpty();

        assertThat(UrlParser.decode("ab%2", "password", problems)).isNull();
        assertThat(UrlParser.decode("%zz", "path", problems)).isNull();
        assertThat(UrlParser.decode("x%C3", "user name", problems)).isNull();
        assertThat(problems).containsExactly(
                "the password has a malformed percent escape at position 2 (a '%' must be followed by two hex digits)",
                "the path has a malformed percent escape at position 0 (a '%' must be followed by two hex digits)",
                "the user name holds percent-encoded bytes that are not UTF-8");
    }

    @Test
    void quotesOnlyTextThatCannotHoldAPassword() {
        assertThat(UrlParser.shown("virtual_host")).isEqualTo("'virtual_host'");
        assertThat(UrlParser.shown("6379")).isEqualTo("'6379'");
        assertThat(UrlParser.shown(null)).isEqualTo("(none)");
        assertThat(UrlParser.shown("s3cr@t")).isEqualTo("(not shown: it may hold credentials)");
        assertThat(UrlParser.shown("x".repeat(41))).isEqualTo("(not shown: it may hold credentials)");
    }

    @Test
    void readsSchemesAsKombuDoes() {
        assertThat(UrlParser.isSchemeChars("db+postgresql+psycopg2")).isTrue();
        assertThat(UrlParser.isSchemeChars("cache+memory")).isTrue();
        assertThat(UrlParser.isSchemeChars("1redis")).isFalse();
        assertThat(UrlParser.isSchemeChars("red is")).isFalse();
        assertThat(UrlParser.parse("REDIS://Host/0").scheme()).isEqualTo("redis");
    }

    @Test
    void splitsTheUserInfoAtTheLastAtSignAndDropsTheFragment() {
        BackendUrl u = UrlParser.parse("redis://us%40er:p%40ss@host:6380/2?a=1#frag");
        assertThat(u.user()).isEqualTo("us@er");
        assertThat(u.password()).isEqualTo("p@ss");
        assertThat(u.host()).isEqualTo("host");
        assertThat(u.port()).isEqualTo(6380);
        assertThat(u.path()).isEqualTo("/2");
        assertThat(u.query()).isEqualTo(Map.of("a", "1"));
        assertThat(UrlParser.parse("redis://:@host").user()).isNull();
        assertThat(UrlParser.parse("redis://:@host").password()).isNull();
    }

    @Test
    void readsOpaqueJdbcUrlsAndPlainPaths() {
        BackendUrl sqlite = UrlParser.parse("jdbc:sqlite:relative/r%20x.db?busy_timeout=5");
        assertThat(sqlite.isOpaque()).isTrue();
        assertThat(sqlite.scheme()).isEqualTo("jdbc:sqlite");
        assertThat(sqlite.path()).isEqualTo("relative/r x.db");
        assertThat(sqlite.query()).isEqualTo(Map.of("busy_timeout", "5"));

        BackendUrl plain = UrlParser.parse("  relative/%n.state  ");
        assertThat(plain.scheme()).isEqualTo(BackendUrl.FILE_SCHEME);
        assertThat(plain.path()).isEqualTo("relative/%n.state");
        assertThat(plain.unmaskedText()).isEqualTo("relative/%n.state");

        assertThatThrownBy(() -> UrlParser.parse("jdbc:nosub")).isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("needs a sub-protocol");
        assertThatThrownBy(() -> UrlParser.parse("jdbc:a+b:x")).isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("sub-protocol is not valid");
        assertThatThrownBy(() -> UrlParser.parse("/tmp/a\0b")).isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void aSentinelListNamesThePartOfEachProblem() {
        BackendUrl u = UrlParser.parse("sentinel://h1:26379/0; sentinel://:pw@h2:26380/0");
        assertThat(u.parts()).extracting(BackendUrl::host).containsExactly("h1", "h2");
        assertThat(u.parts().get(1).password()).isEqualTo("pw");
        assertThat(u.password()).isNull();

        assertThatThrownBy(() -> UrlParser.parse("sentinel://:hunter2@h1:x/0;;sentinel://h3:99999"))
                .isInstanceOf(InvalidUrlException.class)
                .satisfies(e -> assertThat(((InvalidUrlException) e).problems()).containsExactly(
                        "sentinel part 1: the port is not a number (not shown: it may hold credentials); a password"
                                + " holding '/', '@', ':', '?' or '#' must percent-encode them (%2F, %40, %3A, %3F, %23)",
                        "sentinel part 2 is empty (parts are separated by ';')",
                        "sentinel part 3: the port 99999 is out of range 0-65535"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void aPortIsQuotedOnlyWhenNoUserInfoCouldHaveSpilledIntoIt() {
        assertThatThrownBy(() -> UrlParser.parse("redis://host:12ab/0")).isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("the port '12ab' is not a number");
        assertThatThrownBy(() -> UrlParser.parse("redis://u:pa/ss@host/0")).isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("(not shown: it may hold credentials)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pa/ss").doesNotContain("'pa'"));
    }
}
