package io.celeriac.backend.redis;

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

class RedisConnectionConfigTest {

    private static RedisConnectionConfig parse(String url) {
        return RedisConnectionConfig.parse(BackendUrl.parse(url), BackendOptions.defaults().properties());
    }

    private static RedisConnectionConfig parse(String url, BackendOptions options) {
        return RedisConnectionConfig.parse(BackendUrl.parse(url), options.properties());
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
        RedisConnectionConfig c = parse("redis://");
        assertThat(c.transport()).isEqualTo(RedisConnectionConfig.Transport.TCP);
        assertThat(c.endpoints()).containsExactly(new RedisConnectionConfig.Endpoint("localhost", 6379));
        assertThat(c.database()).isZero();
        assertThat(c.username()).isNull();
        assertThat(c.password()).isNull();
        assertThat(c.socketTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.socketKeepalive()).isFalse();
        assertThat(c.healthCheckInterval()).isZero();
        assertThat(c.subscriberPingInterval()).isEqualTo(RedisConnectionConfig.DEFAULT_SUBSCRIBER_PING);
        assertThat(c.maxConnections()).isEqualTo(RedisConnectionConfig.DEFAULT_MAX_CONNECTIONS);
        assertThat(c.globalKeyPrefix()).isNull();
        assertThat(c.normalizedKeyPrefix()).isEmpty();
        assertThat(c.certRequirement()).isNull();
    }

    @Test
    void userPasswordHostPortAndDatabaseComeFromTheUrl() {
        RedisConnectionConfig c = parse("redis://alice:s%40cret@Cache.Example:7000/3");
        assertThat(c.username()).isEqualTo("alice");
        assertThat(c.password()).isEqualTo("s@cret");
        assertThat(c.endpoints()).containsExactly(new RedisConnectionConfig.Endpoint("cache.example", 7000));
        assertThat(c.database()).isEqualTo(3);
        assertThat(c.toString()).doesNotContain("s@cret").contains("password=**");
        assertThat(parse("redis://h/3?db=5").database()).isEqualTo(5);
        assertThat(parse("redis://:pw@h").password()).isEqualTo("pw");
        assertThat(parse("redis://[::1]:6380/1").endpoints()).containsExactly(new RedisConnectionConfig.Endpoint("::1", 6380));
    }

    @Test
    void everyProblemIsReportedAtOnceWithThePasswordMasked() {
        InvalidUrlException e = invalid("redis://bob:hunter2@h/abc?socket_timeout=soon&max_connections=0"
                + "&socket_keepalive=maybe&bogus=1");
        assertThat(e.problems()).hasSize(5);
        assertThat(e.getMessage())
                .doesNotContain("hunter2")
                .contains("redis://bob:**@h/abc")
                .contains("database number in the path must be an integer from 0 to 2147483647, not 'abc'")
                .contains("socket_timeout must be a number of seconds above 0 to 31536000, not 'soon'")
                .contains("max_connections must be an integer from 1 to 100000, not '0'")
                .contains("socket_keepalive must be true or false (also yes/no, on/off, 1/0), not 'maybe'")
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
        assertThat(parse("rediss://h?ssl_cert_reqs=CERT_REQUIRED").certRequirement()).isEqualTo(RedisConnectionConfig.CertRequirement.REQUIRED);
        assertThat(parse("rediss://h?ssl_cert_reqs=required").certRequirement()).isEqualTo(RedisConnectionConfig.CertRequirement.REQUIRED);
        assertThat(parse("rediss://h?ssl_cert_reqs=CERT_OPTIONAL").certRequirement()).isEqualTo(RedisConnectionConfig.CertRequirement.OPTIONAL);
        assertThat(parse("rediss://h?ssl_cert_reqs=none").certRequirement()).isEqualTo(RedisConnectionConfig.CertRequirement.NONE);
        RedisConnectionConfig c = parse("rediss://h:6380?ssl_cert_reqs=required");
        assertThat(c.transport()).isEqualTo(RedisConnectionConfig.Transport.TLS);
        assertThat(c.checkHostname()).as("host names are checked by default").isTrue();
        assertThat(parse("rediss://h:6380?ssl_cert_reqs=required&ssl_check_hostname=false").checkHostname()).isFalse();
        assertThat(parse("rediss://h:6380?ssl_cert_reqs=none").checkHostname())
                .as("nothing is verified with ssl_cert_reqs=none").isFalse();

        Path ca = Files.writeString(dir.resolve("my ca.pem"), "x");
        RedisConnectionConfig files = parse("rediss://h?ssl_cert_reqs=required&ssl_ca_certs=" + ca.toString().replace(" ", "%20")
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
        RedisConnectionConfig c = parse("socket:///var/run/redis/redis.sock?virtual_host=3");
        assertThat(c.transport()).isEqualTo(RedisConnectionConfig.Transport.UNIX_SOCKET);
        assertThat(c.socketPath()).isEqualTo(Path.of("/var/run/redis/redis.sock"));
        assertThat(c.database()).isEqualTo(3);
        assertThat(c.endpoints()).isEmpty();
        assertThat(parse("socket:///tmp/r.sock?db=4").database()).isEqualTo(4);
        assertThat(parse("socket:///tmp/r.sock").database()).isZero();
        assertThat(invalid("socket://").getMessage()).contains("needs the socket's absolute path");
        assertThat(invalid("socket:///tmp/r.sock?virtual_host=x").getMessage()).contains("virtual_host must be an integer from 0 to 2147483647, not 'x'");
    }

    @Test
    void sentinelUrlsListEverySentinelAndNeedAMasterName() {
        RedisConnectionConfig c = parse("sentinel://:pw@s1:26379/2;sentinel://s2:26380;sentinel://s3?master_name=mymaster");
        assertThat(c.transport()).isEqualTo(RedisConnectionConfig.Transport.SENTINEL);
        assertThat(c.endpoints()).containsExactly(new RedisConnectionConfig.Endpoint("s1", 26379),
                new RedisConnectionConfig.Endpoint("s2", 26380), new RedisConnectionConfig.Endpoint("s3", 26379));
        assertThat(c.database()).isEqualTo(2);
        assertThat(c.password()).isEqualTo("pw");
        assertThat(c.masterName()).isEqualTo("mymaster");
        assertThat(invalid("sentinel://s1;sentinel://s2").getMessage()).contains("needs the master's name");
        RedisConnectionConfig viaProperty = parse("sentinel://s1", BackendOptions.builder().property("master_name", "m2")
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
        RedisConnectionConfig fromProps = parse("redis://h", o);
        assertThat(fromProps.socketTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(fromProps.maxConnections()).isEqualTo(9);
        assertThat(fromProps.healthCheckInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(fromProps.normalizedKeyPrefix()).isEqualTo("svc:");
        assertThat(fromProps.username()).isEqualTo("u");
        assertThat(fromProps.password()).isEqualTo("p");
        RedisConnectionConfig overridden = parse("redis://x:y@h?socket_timeout=1&max_connections=3", o);
        assertThat(overridden.socketTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(overridden.maxConnections()).isEqualTo(3);
        assertThat(overridden.username()).isEqualTo("x");
        assertThat(overridden.password()).isEqualTo("y");
        InvalidUrlException bad = (InvalidUrlException) catchThrowable(() -> parse("redis://h",
                BackendOptions.builder().property("redis_socket_timeout", "-1").build()));
        assertThat(bad.getMessage()).contains("socket_timeout must be a number of seconds above 0 to 31536000, not '-1'");
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("no exception");
    }
}
