package io.celeriac.backend.redis.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisBackendConfigTest {

    private static RedisBackendConfig parse(String url) {
        return RedisBackendConfig.parse(BackendUrl.parse(url), BackendOptions.defaults());
    }

    @Test
    void aBareRedisUrlGetsCeleryDefaults() {
        RedisBackendConfig config = parse("redis://");
        assertThat(config.connection().transport()).isEqualTo(RedisConnectionConfig.Transport.TCP);
        assertThat(config.chordOrdered()).isTrue();
    }

    @Test
    void queryParametersAreParsedAndTyped() {
        RedisBackendConfig config = parse("redis://h?socket_timeout=2.5&socket_connect_timeout=1&socket_keepalive=true"
                + "&health_check_interval=4&max_connections=7&client_name=worker-7&global_keyprefix=app"
                + "&result_chord_ordered=false&retry_on_timeout=true&result_expires=60");
        RedisConnectionConfig c = config.connection();
        assertThat(c.socketTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.socketKeepalive()).isTrue();
        assertThat(c.healthCheckInterval()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.subscriberPingInterval()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.maxConnections()).isEqualTo(7);
        assertThat(c.clientName()).isEqualTo("worker-7");
        assertThat(c.globalKeyPrefix()).isEqualTo("app");
        assertThat(c.normalizedKeyPrefix()).isEqualTo("app_");
        assertThat(config.chordOrdered()).isFalse();
        assertThat(parse("redis://h?socket_timeout=3").connection().connectTimeout()).as("the connect timeout follows socket_timeout, as redis-py")
                .isEqualTo(Duration.ofSeconds(3));
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
