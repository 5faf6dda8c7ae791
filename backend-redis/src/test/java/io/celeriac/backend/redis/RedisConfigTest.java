package io.celeriac.backend.redis;

import io.celeriac.Celeriac;
import io.celeriac.backend.redis.backend.RedisBackendProvider;
import io.celeriac.backend.BackendOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisConfigTest {

    private static RedisConfig parse(String url) {
        return RedisConfig.parse(BackendUrl.parse(url), BackendOptions.defaults());
    }

    private static RedisConfig parse(String url, BackendOptions options) {
        return RedisConfig.parse(BackendUrl.parse(url), options);
    }

    private static InvalidUrlException invalid(String url) {
        try {
            parse(url);
        } catch (InvalidUrlException e) {
            return e;
        }
        throw new AssertionError("expected " + url + " to be refused");
    }

    @Test
    void aBareRedisUrlGetsCeleryDefaults() {
        RedisConfig c = parse("redis://");
        assertThat(c.transport()).isEqualTo(RedisConfig.Transport.TCP);
        assertThat(c.endpoints()).containsExactly(new RedisConfig.Endpoint("localhost", 6379));
        assertThat(c.database()).isZero();
        assertThat(c.username()).isNull();
        assertThat(c.password()).isNull();
        assertThat(c.socketTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.socketKeepalive()).isFalse();
        assertThat(c.healthCheckInterval()).isZero();
        assertThat(c.subscriberPingInterval()).isEqualTo(RedisConfig.DEFAULT_SUBSCRIBER_PING);
        assertThat(c.maxConnections()).isEqualTo(RedisConfig.DEFAULT_MAX_CONNECTIONS);
        assertThat(c.chordOrdered()).isTrue();
        assertThat(c.globalKeyPrefix()).isNull();
        assertThat(c.normalizedKeyPrefix()).isEmpty();
        assertThat(c.certRequirement()).isNull();
    }

    @Test
    void userPasswordHostPortAndDatabaseComeFromTheUrl() {
        RedisConfig c = parse("redis://alice:s%40cret@Cache.Example:7000/3");
        assertThat(c.username()).isEqualTo("alice");
        assertThat(c.password()).isEqualTo("s@cret");
        assertThat(c.endpoints()).containsExactly(new RedisConfig.Endpoint("cache.example", 7000));
        assertThat(c.database()).isEqualTo(3);
        assertThat(c.toString()).doesNotContain("s@cret").contains("password=**");
        assertThat(parse("redis://h/3?db=5").database()).isEqualTo(5);
        assertThat(parse("redis://:pw@h").password()).isEqualTo("pw");
        assertThat(parse("redis://[::1]:6380/1").endpoints()).containsExactly(new RedisConfig.Endpoint("::1", 6380));
    }

    @Test
    void queryParametersAreParsedAndTyped() {
        RedisConfig c = parse("redis://h?socket_timeout=2.5&socket_connect_timeout=1&socket_keepalive=true"
                + "&health_check_interval=4&max_connections=7&client_name=worker-7&global_keyprefix=app"
                + "&result_chord_ordered=false&retry_on_timeout=true&result_expires=60");
        assertThat(c.socketTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.socketKeepalive()).isTrue();
        assertThat(c.healthCheckInterval()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.subscriberPingInterval()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.maxConnections()).isEqualTo(7);
        assertThat(c.clientName()).isEqualTo("worker-7");
        assertThat(c.globalKeyPrefix()).isEqualTo("app");
        assertThat(c.normalizedKeyPrefix()).isEqualTo("app_");
        assertThat(c.chordOrdered()).isFalse();
        assertThat(parse("redis://h?socket_timeout=3").connectTimeout()).as("the connect timeout follows socket_timeout, as redis-py")
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void everyProblemIsReportedAtOnceWithThePasswordMasked() {
        InvalidUrlException e = invalid("redis://bob:hunter2@h/abc?socket_timeout=soon&max_connections=0"
                + "&socket_keepalive=maybe&bogus=1");
        assertThat(e.problems()).hasSize(5);
        assertThat(e.getMessage())
                .doesNotContain("hunter2")
                .contains("redis://bob:**@h/abc")
                .contains("database number in the path must be an integer, not 'abc'")
                .contains("'socket_timeout' must be a positive number of seconds, not 'soon'")
                .contains("'max_connections' must be between 1")
                .contains("'socket_keepalive' must be true or false, not 'maybe'")
                .contains("unknown query parameter 'bogus'");
    }

    @Test
    void sslParametersNeedTheRedissScheme() {
        assertThat(invalid("redis://h?ssl_cert_reqs=required").getMessage())
                .contains("SSL connection parameters have been provided but the specified URL scheme is redis://");
        assertThat(invalid("socket:///tmp/r.sock?ssl_cert_reqs=none").getMessage())
                .contains("'ssl_cert_reqs' applies to rediss:// URLs only");
    }

    @Test
    void redissNeedsAValidCertRequirement(@TempDir Path dir) throws Exception {
        assertThat(invalid("rediss://h").getMessage())
                .contains("A rediss:// URL must have parameter ssl_cert_reqs and this must be set to CERT_REQUIRED, CERT_OPTIONAL, or CERT_NONE");
        assertThat(invalid("rediss://h?ssl_cert_reqs=CERT_MAYBE").getMessage()).contains("found 'CERT_MAYBE'");
        assertThat(parse("rediss://h?ssl_cert_reqs=CERT_REQUIRED").certRequirement()).isEqualTo(RedisConfig.CertRequirement.REQUIRED);
        assertThat(parse("rediss://h?ssl_cert_reqs=required").certRequirement()).isEqualTo(RedisConfig.CertRequirement.REQUIRED);
        assertThat(parse("rediss://h?ssl_cert_reqs=CERT_OPTIONAL").certRequirement()).isEqualTo(RedisConfig.CertRequirement.OPTIONAL);
        assertThat(parse("rediss://h?ssl_cert_reqs=none").certRequirement()).isEqualTo(RedisConfig.CertRequirement.NONE);
        RedisConfig c = parse("rediss://h:6380?ssl_cert_reqs=required");
        assertThat(c.transport()).isEqualTo(RedisConfig.Transport.TLS);
        assertThat(c.checkHostname()).as("host names are checked by default").isTrue();
        assertThat(parse("rediss://h:6380?ssl_cert_reqs=required&ssl_check_hostname=false").checkHostname()).isFalse();
        assertThat(parse("rediss://h:6380?ssl_cert_reqs=none").checkHostname())
                .as("nothing is verified with ssl_cert_reqs=none").isFalse();

        Path ca = Files.writeString(dir.resolve("my ca.pem"), "x");
        RedisConfig files = parse("rediss://h?ssl_cert_reqs=required&ssl_ca_certs=" + ca.toString().replace(" ", "%20")
                + "&ssl_certfile=" + ca.toString().replace(" ", "%20") + "&ssl_check_hostname=true");
        assertThat(files.caCerts()).isEqualTo(ca);
        assertThat(files.certFile()).isEqualTo(ca);
        assertThat(files.checkHostname()).isTrue();
        InvalidUrlException missing = invalid("rediss://h?ssl_cert_reqs=required&ssl_ca_certs=/nonexistent/ca.pem&ssl_keyfile=/nonexistent/k.pem");
        assertThat(missing.problems()).hasSize(3);
        assertThat(missing.getMessage()).contains("ssl_ca_certs (/nonexistent/ca.pem) does not exist")
                .contains("ssl_keyfile is set without ssl_certfile");
    }

    @Test
    void unixSocketsTakeTheirDatabaseFromVirtualHostOrDb() {
        RedisConfig c = parse("socket:///var/run/redis/redis.sock?virtual_host=3");
        assertThat(c.transport()).isEqualTo(RedisConfig.Transport.UNIX_SOCKET);
        assertThat(c.socketPath()).isEqualTo(Path.of("/var/run/redis/redis.sock"));
        assertThat(c.database()).isEqualTo(3);
        assertThat(c.endpoints()).isEmpty();
        assertThat(parse("socket:///tmp/r.sock?db=4").database()).isEqualTo(4);
        assertThat(parse("socket:///tmp/r.sock").database()).isZero();
        assertThat(invalid("socket://").getMessage()).contains("needs the socket's absolute path");
        assertThat(invalid("socket:///tmp/r.sock?virtual_host=x").getMessage()).contains("'virtual_host' must be an integer");
    }

    @Test
    void sentinelUrlsListEverySentinelAndNeedAMasterName() {
        RedisConfig c = parse("sentinel://:pw@s1:26379/2;sentinel://s2:26380;sentinel://s3?master_name=mymaster");
        assertThat(c.transport()).isEqualTo(RedisConfig.Transport.SENTINEL);
        assertThat(c.endpoints()).containsExactly(new RedisConfig.Endpoint("s1", 26379),
                new RedisConfig.Endpoint("s2", 26380), new RedisConfig.Endpoint("s3", 26379));
        assertThat(c.database()).isEqualTo(2);
        assertThat(c.password()).isEqualTo("pw");
        assertThat(c.masterName()).isEqualTo("mymaster");
        assertThat(invalid("sentinel://s1;sentinel://s2").getMessage()).contains("needs the master's name");
        RedisConfig viaProperty = parse("sentinel://s1", BackendOptions.builder().property("master_name", "m2")
                .property("sentinel_password", "sp").build());
        assertThat(viaProperty.masterName()).isEqualTo("m2");
        assertThat(viaProperty.sentinelPassword()).isEqualTo("sp");
        assertThat(viaProperty.toString()).doesNotContain("sp,");
        assertThat(invalid("redis://h?master_name=m").getMessage()).contains("master_name applies to sentinel:// URLs only");
    }

    @Test
    void propertiesTakeCeleryNamesAndTheUrlOverridesThem() {
        BackendOptions o = BackendOptions.builder()
                .property("redis_socket_timeout", "5")
                .property("redis_max_connections", "9")
                .property("redis_backend_health_check_interval", "2")
                .property("global_keyprefix", "svc:")
                .property("redis_username", "u")
                .property("redis_password", "p")
                .property("some_other_plugin_setting", "ignored")
                .build();
        RedisConfig fromProps = parse("redis://h", o);
        assertThat(fromProps.socketTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(fromProps.maxConnections()).isEqualTo(9);
        assertThat(fromProps.healthCheckInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(fromProps.normalizedKeyPrefix()).isEqualTo("svc:");
        assertThat(fromProps.username()).isEqualTo("u");
        assertThat(fromProps.password()).isEqualTo("p");
        RedisConfig overridden = parse("redis://x:y@h?socket_timeout=1&max_connections=3", o);
        assertThat(overridden.socketTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(overridden.maxConnections()).isEqualTo(3);
        assertThat(overridden.username()).isEqualTo("x");
        assertThat(overridden.password()).isEqualTo("y");
        InvalidUrlException bad = (InvalidUrlException) catchThrowable(() -> parse("redis://h",
                BackendOptions.builder().property("redis_socket_timeout", "-1").build()));
        assertThat(bad.getMessage()).contains("property 'socket_timeout' must be a positive number");
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("no exception");
    }

    @Test
    void openingThroughTheRegistryReportsBadUrlsWithoutThePassword() {
        Celeriac celeriac = Celeriac.discover();
        assertThatThrownBy(() -> celeriac.openBackend("rediss://:topsecret@h:6380/0?ssl_ca_certs=/nope.pem"))
                .isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("rediss://:**@h:6380/0")
                .hasMessageContaining("ssl_cert_reqs")
                .hasMessageContaining("/nope.pem")
                .hasMessageNotContaining("topsecret");
        assertThat(celeriac.backends().resolve(BackendUrl.parse("sentinel://h?master_name=m")))
                .isInstanceOf(RedisBackendProvider.class);
        assertThat(new RedisBackendProvider().schemes()).containsExactlyInAnyOrder("redis", "rediss", "socket", "sentinel");
    }
}
