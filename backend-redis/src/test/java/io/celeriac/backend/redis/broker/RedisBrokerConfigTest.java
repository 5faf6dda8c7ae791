package io.celeriac.backend.redis.broker;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Redis broker's configuration: kombu's defaults, every transport option as a query parameter and as a
 * property (the URL wins), every URL form, and every bad value reported together in one error without the password.
 */
class RedisBrokerConfigTest {

    private static RedisBrokerConfig parse(String url) {
        return RedisBrokerConfig.parse(BackendUrl.parse(url), BrokerOptions.defaults());
    }

    private static RedisBrokerConfig parse(String url, Map<String, String> properties) {
        return RedisBrokerConfig.parse(BackendUrl.parse(url), new BrokerOptions(properties));
    }

    @Test
    void aBareUrlGetsKombusDefaults() {
        RedisBrokerConfig c = parse("redis://");
        assertThat(c.connection().transport()).isEqualTo(RedisConnectionConfig.Transport.TCP);
        assertThat(c.connection().database()).isZero();
        assertThat(c.visibilityTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(c.queueOrder()).isEqualTo(RedisBrokerConfig.QueueOrder.ROUND_ROBIN);
        assertThat(c.fanoutPrefix()).isEqualTo("/0.");
        assertThat(c.fanoutPatterns()).isTrue();
        assertThat(c.sep()).isEqualTo("\u0006\u0016");
        assertThat(c.prioritySteps()).containsExactly(0, 3, 6, 9);
        assertThat(c.unackedKey()).isEqualTo("unacked");
        assertThat(c.unackedIndexKey()).isEqualTo("unacked_index");
        assertThat(c.unackedMutexKey()).isEqualTo("unacked_mutex");
        assertThat(c.unackedMutexExpire()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.unackedRestoreLimit()).isZero();
        assertThat(c.ackEmulation()).isTrue();
        assertThat(c.pollingInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.keyPrefix()).isEmpty();
    }

    @Test
    void everyTransportOptionAsAQueryParameter() {
        RedisBrokerConfig c = parse("redis://:pw@h:6380/8?visibility_timeout=10.5&queue_order_strategy=priority"
                + "&fanout_prefix=false&fanout_patterns=no&sep=%7C&priority_steps=%5B0,%205,9%5D&unacked_key=ua"
                + "&unacked_index_key=uai&unacked_mutex_key=uam&unacked_mutex_expire=30&unacked_restore_limit=100"
                + "&ack_emulation=off&polling_interval=0.25&global_keyprefix=app:&socket_timeout=7");
        assertThat(c.connection().endpoint().orElseThrow().port()).isEqualTo(6380);
        assertThat(c.connection().database()).isEqualTo(8);
        assertThat(c.connection().socketTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.visibilityTimeout()).isEqualTo(Duration.ofMillis(10_500));
        assertThat(c.queueOrder()).isEqualTo(RedisBrokerConfig.QueueOrder.PRIORITY);
        assertThat(c.fanoutPrefix()).isEmpty();
        assertThat(c.fanoutPatterns()).isFalse();
        assertThat(c.sep()).isEqualTo("|");
        assertThat(c.prioritySteps()).containsExactly(0, 5, 9);
        assertThat(c.unackedKey()).isEqualTo("ua");
        assertThat(c.unackedIndexKey()).isEqualTo("uai");
        assertThat(c.unackedMutexKey()).isEqualTo("uam");
        assertThat(c.unackedMutexExpire()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.unackedRestoreLimit()).isEqualTo(100);
        assertThat(c.ackEmulation()).isFalse();
        assertThat(c.pollingInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.keyPrefix()).as("kombu puts global_keyprefix before keys as written").isEqualTo("app:");
        assertThat(c.toString()).doesNotContain("pw");
        assertThat(parse("redis://h/3?fanout_prefix=/custom{db}.").fanoutPrefix()).isEqualTo("/custom3.");
        assertThat(parse("redis://h/3?queue_order_strategy=sorted").queueOrder()).isEqualTo(RedisBrokerConfig.QueueOrder.SORTED);
    }

    @Test
    void propertiesCarryTheOptionsAndTheUrlWins() {
        RedisBrokerConfig c = parse("redis://h/2?visibility_timeout=20", Map.of("visibility_timeout", "99",
                "queue_order_strategy", "sorted", "priority_steps", "0,1,2,3,4,5,6,7,8,9", "redis_password", "pw",
                "redis_socket_timeout", "3"));
        assertThat(c.visibilityTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.queueOrder()).isEqualTo(RedisBrokerConfig.QueueOrder.SORTED);
        assertThat(c.prioritySteps()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(c.connection().password()).isEqualTo("pw");
        assertThat(c.connection().socketTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.fanoutPrefix()).isEqualTo("/2.");
    }

    @Test
    void everyUrlFormOfTheConnection() {
        assertThat(parse("rediss://h:6390/1?ssl_cert_reqs=none").connection().transport())
                .isEqualTo(RedisConnectionConfig.Transport.TLS);
        RedisBrokerConfig socket = parse("socket:///var/run/redis.sock?virtual_host=4");
        assertThat(socket.connection().transport()).isEqualTo(RedisConnectionConfig.Transport.UNIX_SOCKET);
        assertThat(socket.fanoutPrefix()).isEqualTo("/4.");
        RedisBrokerConfig sentinel = parse("sentinel://s1:26379/5;sentinel://s2:26380/5?master_name=mymaster");
        assertThat(sentinel.connection().transport()).isEqualTo(RedisConnectionConfig.Transport.SENTINEL);
        assertThat(sentinel.connection().endpoints()).hasSize(2);
        assertThat(sentinel.connection().masterName()).isEqualTo("mymaster");
    }

    @Test
    void everyBadValueIsReportedAtOnceWithoutThePassword() {
        assertThatThrownBy(() -> parse("redis://:hunter2@h/0?visibility_timeout=-1&queue_order_strategy=fifo"
                + "&fanout_patterns=maybe&priority_steps=3,0&unacked_mutex_expire=0"
                + "&unacked_restore_limit=-5&ack_emulation=sometimes&polling_interval=0&max_connections=0&colour=red",
                Map.of("visibilty_timeout", "10", "sep", "", "unacked_key", "")))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    List<String> p = e.problems();
                    assertThat(String.join("\n", p))
                            .contains("visibility_timeout")
                            .contains("queue_order_strategy must be one of priority, round_robin, sorted, not 'fifo'")
                            .contains("fanout_patterns")
                            .contains("sep must not be empty")
                            .contains("priority_steps must be a list of integers")
                            .contains("unacked_key must not be empty")
                            .contains("unacked_mutex_expire")
                            .contains("unacked_restore_limit")
                            .contains("ack_emulation")
                            .contains("polling_interval")
                            .contains("max_connections")
                            .contains("unknown query parameter 'colour'")
                            .contains("unknown property 'visibilty_timeout'");
                    assertThat(p).hasSize(13);
                    assertThat(e.getMessage()).contains("redis://:**@h/0").doesNotContain("hunter2");
                });
        assertThatThrownBy(() -> parse("redis://h?priority_steps=0,3,x")).hasMessageContaining("'x' is not an integer");
        assertThatThrownBy(() -> parse("redis://h?priority_steps=1,3")).hasMessageContaining("the first step must be 0");
        assertThatThrownBy(() -> parse("redis://h?priority_steps=0,300")).hasMessageContaining("from 0 to 255");
        assertThatThrownBy(() -> parse("sentinel://s1:26379")).hasMessageContaining("master_name");
    }

    @Test
    void theRegistryOpensItForEveryRedisSchemeAndAnUnreachableServerIsATypedError() {
        Celeriac celeriac = Celeriac.discover();
        for (String scheme : List.of("redis", "rediss", "socket", "sentinel")) {
            assertThat(celeriac.brokers().resolve(BackendUrl.parse(scheme + "://h?master_name=m")))
                    .isInstanceOf(RedisBrokerProvider.class);
        }
        assertThatThrownBy(() -> celeriac.openBroker("redis://:s3cret@127.0.0.1:1/0?socket_timeout=1"))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("redis://:**@127.0.0.1:1/0")
                .hasMessageNotContaining("s3cret");
    }
}
