package io.celeriac.it;

import io.celeriac.CeleriacException;
import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.Backend;
import io.celeriac.registry.UnknownSchemeException;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Malformed URLs for every scheme, with every plugin installed: each is refused when the backend or state
 * store opens, with a typed error that says what is wrong and never shows the password, however it was
 * written (percent-encoded, or with an unescaped {@code @}, {@code :} or {@code /}).
 *
 * <p>An empty host is not malformed where Celery accepts it ({@code redis://:pw@/0} and
 * {@code db+postgresql://u:pw@/db} mean the local server, and a PostgreSQL URL without a database means the
 * user's database, as libpq reads it); a sentinel part without a host is.
 */
class MalformedUrlIT {

    /** A password no message may show, nor its parts around the characters a URL treats specially. */
    static final String PW = "Sekr3tPw71a9";

    /**
     * One malformed URL.
     *
     * @param what what is wrong
     * @param url the URL
     * @param type the error expected
     * @param says a part of its message
     * @param stateStore whether to open it as a state store rather than a backend
     */
    record Case(String what, String url, Class<? extends CeleriacException> type, String says, boolean stateStore) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static Case backend(String what, String url, Class<? extends CeleriacException> type, String says) {
        return new Case(what, url, type, says, false);
    }

    static Stream<Case> cases() {
        return Stream.of(
                // ports
                backend("redis: port not a number", "redis://u:" + PW + "@host:abc/0", InvalidUrlException.class, "is not a number"),
                backend("redis: port out of range", "redis://u:" + PW + "@host:70000/0", InvalidUrlException.class, "out of range 0-65535"),
                backend("rediss: port out of range", "rediss://:" + PW + "@host:123456/0?ssl_cert_reqs=required", InvalidUrlException.class, "out of range"),
                backend("postgresql: port not a number", "db+postgresql://u:" + PW + "@host:5x32/db", InvalidUrlException.class, "is not a number"),
                backend("postgresql: port out of range", "db+postgresql://u:" + PW + "@host:99999/db", InvalidUrlException.class, "out of range"),
                backend("sentinel: port not a number", "sentinel://:" + PW + "@h1:26x79;sentinel://:" + PW + "@h2:26379?master_name=m",
                        InvalidUrlException.class, "sentinel part 1"),
                // schemes
                backend("unknown scheme", "nosuch://u:" + PW + "@host/0", UnknownSchemeException.class, "Unknown backend scheme 'nosuch'"),
                backend("scheme with bad characters", "re_dis://u:" + PW + "@host/0", InvalidUrlException.class, "is not valid"),
                backend("unknown db+ driver", "db+oracle://u:" + PW + "@host/db", CeleriacException.class, "oracle"),
                // percent-encoding
                backend("redis: bad escape in the password", "redis://u:" + PW + "%zz@host/0", InvalidUrlException.class, "malformed percent escape"),
                backend("postgresql: bad escape in the database", "db+postgresql://u:" + PW + "@host/db%G1", InvalidUrlException.class, "malformed percent escape"),
                backend("redis: escape that is not UTF-8", "redis://u:" + PW + "%ff@host/0", InvalidUrlException.class, "not UTF-8"),
                backend("sqlite: bad escape in the path", "db+sqlite:///tmp/res%zzults.db", InvalidUrlException.class, "malformed percent escape"),
                new Case("file: bad escape in the path", "file:///tmp/worker%zz.state", InvalidUrlException.class, "percent escape", true),
                // TLS options
                backend("SSL options on redis://", "redis://:" + PW + "@host/0?ssl_cert_reqs=required", InvalidUrlException.class,
                        "A Redis SSL connection URL should use the scheme rediss://"),
                backend("rediss without ssl_cert_reqs", "rediss://:" + PW + "@host/0", InvalidUrlException.class, "must have parameter ssl_cert_reqs"),
                backend("bad ssl_cert_reqs", "rediss://:" + PW + "@host/0?ssl_cert_reqs=sometimes", InvalidUrlException.class, "found 'sometimes'"),
                backend("bad ssl_check_hostname", "rediss://:" + PW + "@host/0?ssl_cert_reqs=required&ssl_check_hostname=maybe",
                        InvalidUrlException.class, "ssl_check_hostname"),
                backend("missing CA file", "rediss://:" + PW + "@host/0?ssl_cert_reqs=required&ssl_ca_certs=/nonexistent/ca.pem",
                        InvalidUrlException.class, "does not exist"),
                backend("SSL options on socket://", "socket://:" + PW + "@/var/run/redis.sock?ssl_cert_reqs=none", InvalidUrlException.class,
                        "applies to rediss:// URLs only"),
                // sentinels
                backend("sentinel without master_name", "sentinel://:" + PW + "@h1:26379;sentinel://:" + PW + "@h2:26379",
                        InvalidUrlException.class, "needs the master's name"),
                backend("sentinel with an empty part", "sentinel://:" + PW + "@h1:26379;;sentinel://h2?master_name=m",
                        InvalidUrlException.class, "is empty"),
                backend("sentinel part without host", "sentinel://:" + PW + "@h1:26379;sentinel://:" + PW + "@:26380?master_name=m",
                        InvalidUrlException.class, "has no host"),
                backend("master_name on redis://", "redis://:" + PW + "@host/0?master_name=m", InvalidUrlException.class, "sentinel:// URLs only"),
                // hosts
                backend("redis: unterminated IPv6 host", "redis://:" + PW + "@[::1:6379/0", InvalidUrlException.class, "closing ']'"),
                backend("postgresql: unterminated IPv6 host", "db+postgresql://u:" + PW + "@[::1/db", InvalidUrlException.class, "closing ']'"),
                backend("redis: text after IPv6 host", "redis://:" + PW + "@[::1]x:6379/0", InvalidUrlException.class, "after the IPv6 host"),
                backend("socket without a path", "socket://:" + PW + "@", InvalidUrlException.class, "needs the socket's absolute path"),
                // databases
                backend("redis: db not a number", "redis://:" + PW + "@host/abc", InvalidUrlException.class, "database number"),
                backend("redis: negative db", "redis://:" + PW + "@host/-1", InvalidUrlException.class, "database number"),
                backend("redis: db query not a number", "redis://:" + PW + "@host/0?db=one", InvalidUrlException.class, "db must be an integer from 0 to"),
                backend("redis: db beyond int", "redis://:" + PW + "@host/99999999999", InvalidUrlException.class, "must be an integer from 0 to 2147483647"),
                // other parameters
                backend("redis: unknown parameter", "redis://:" + PW + "@host/0?no_such=1", InvalidUrlException.class, "unknown query parameter 'no_such'"),
                backend("redis: bad timeout", "redis://:" + PW + "@host/0?socket_timeout=-3", InvalidUrlException.class, "socket_timeout"),
                backend("postgresql: bad pool size", "db+postgresql://u:" + PW + "@host/db?pool_size=lots", InvalidUrlException.class, "pool_size"),
                backend("sqlite: bad schema mode", "db+sqlite:///tmp/x.db?schema_mode=sometimes", InvalidUrlException.class, "schema_mode"),
                // passwords written without escaping
                backend("password with an unescaped '/'", "redis://u:Sekr3t/Pw71a9@host:6379/0", InvalidUrlException.class, "percent-encode"),
                backend("password with an unescaped '/' (postgresql)", "db+postgresql://u:Sekr3t/Pw71a9@host/db", InvalidUrlException.class,
                        "percent-encode"),
                backend("password with unescaped '?' and '#'", "redis://u:Sekr3t?Pw#71a9@host/0", InvalidUrlException.class, ""),
                backend("empty URL", "  ", InvalidUrlException.class, "the URL is empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithATypedErrorThatHidesThePassword(Case c) {
        Celeriac celeriac = Celeriac.discover();
        try {
            if (c.stateStore()) {
                try (StateStore s = celeriac.openStateStore(c.url(), StateStoreOptions.defaults())) {
                    fail(c.what() + ": opened " + s);
                }
            } else {
                try (Backend b = celeriac.openBackend(c.url())) {
                    fail(c.what() + ": opened " + b.asUri());
                }
            }
        } catch (CeleriacException e) {
            assertThat(e).as(c.what()).isInstanceOf(c.type());
            assertThat(e.getMessage()).as(c.what()).contains(c.says());
            assertNoPassword(e);
        }
    }

    /** URLs with '@' and ':' in the password, which parse as Celery parses them, masked everywhere. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unescapedButValid")
    void passwordsWithAtAndColonParseAsCeleryDoes(String url, String password) {
        BackendUrl u = BackendUrl.parse(url);
        assertThat(u.password()).isEqualTo(password);
        assertThat(u.masked()).doesNotContain(password).doesNotContain("Sekr3t").contains(":**@");
        assertThat(u.toString()).isEqualTo(u.masked());
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> unescapedButValid() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("redis://u:Sekr3t@Pw71a9@host:6379/0", "Sekr3t@Pw71a9"),
                org.junit.jupiter.params.provider.Arguments.of("redis://u:Sekr3t:Pw71a9@host:6379/0", "Sekr3t:Pw71a9"),
                org.junit.jupiter.params.provider.Arguments.of("db+postgresql://u:Sekr3t@:Pw71a9@host/db", "Sekr3t@:Pw71a9"),
                org.junit.jupiter.params.provider.Arguments.of("redis://u:Sekr3t%2FPw71a9@host/0", "Sekr3t/Pw71a9"));
    }

    static void assertNoPassword(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (String secret : List.of(PW, "Sekr3t", "Pw71a9")) {
                assertThat(String.valueOf(t.getMessage())).as("message of %s", t.getClass().getName()).doesNotContain(secret);
                assertThat(t.toString()).doesNotContain(secret);
            }
            if (t instanceof InvalidConfigurationException ice) {
                ice.problems().forEach(p -> assertThat(p).doesNotContain("Sekr3t").doesNotContain("Pw71a9"));
            }
            if (t instanceof InvalidUrlException iue) {
                assertThat(iue.maskedUrl()).doesNotContain("Sekr3t").doesNotContain("Pw71a9");
            }
            if (t.getCause() == t) {
                break;
            }
        }
    }
}
