package io.celeriac.backend.amqp.backend;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.amqp.AmqpConnectionConfig;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@code rpc://} URLs and settings are read: where the connection comes from, the settings, the problems. */
class RpcBackendConfigTest {

    private static RpcBackendConfig parse(String url, BackendOptions options, Map<String, String> env) {
        return RpcBackendConfig.parse(BackendUrl.parse(url), options, env);
    }

    private static BackendOptions brokerUrl(String url) {
        return BackendOptions.builder().property(RpcBackendConfig.BROKER_URL, url).build();
    }

    @Test
    void rpcAloneTakesTheBrokerUrlOptionThenTheEnvironmentThenCelerysDefault() {
        Map<String, String> env = Map.of(RpcBackendConfig.ENV_BROKER_URL, "amqp://env:pw@envhost:5673/envvhost");
        RpcBackendConfig fromOption = parse("rpc://", brokerUrl("amqp://u:p@opthost:5674/v?heartbeat=10"), env);
        assertThat(fromOption.brokerSource()).isEqualTo(RpcBackendConfig.BrokerSource.OPTION);
        assertThat(fromOption.connection().endpoints()).containsExactly(new AmqpConnectionConfig.Endpoint("opthost", 5674));
        assertThat(fromOption.connection().virtualHost()).isEqualTo("v");
        assertThat(fromOption.connection().heartbeat()).isEqualTo(Duration.ofSeconds(10));

        RpcBackendConfig fromEnv = parse("rpc://", BackendOptions.defaults(), env);
        assertThat(fromEnv.brokerSource()).isEqualTo(RpcBackendConfig.BrokerSource.ENVIRONMENT);
        assertThat(fromEnv.connection().user()).isEqualTo("env");
        assertThat(fromEnv.connection().virtualHost()).isEqualTo("envvhost");

        RpcBackendConfig byDefault = parse("rpc://", BackendOptions.defaults(), Map.of());
        assertThat(byDefault.brokerSource()).isEqualTo(RpcBackendConfig.BrokerSource.DEFAULT);
        assertThat(byDefault.maskedBroker()).isEqualTo("amqp://guest:**@localhost:5672//");
        assertThat(byDefault.persistent()).isFalse();
        assertThat(byDefault.durableReplyQueue()).isFalse();
        assertThat(byDefault.defaultReplyTo()).isNull();
        assertThat(byDefault.replyQueueExpiresMillis()).isEqualTo(86_400_000L);
    }

    @Test
    void anExplicitUrlIsReadAsTheAmqpUrlOfTheSameBroker() {
        RpcBackendConfig c = parse("rpc://alice:s3cret@rabbit.example:5673/prod?result_persistent=yes"
                + "&reply_queue_durable=true&default_reply_to=replies", brokerUrl("amqp://other//"), Map.of());
        assertThat(c.brokerSource()).isEqualTo(RpcBackendConfig.BrokerSource.URL);
        assertThat(c.connection().user()).isEqualTo("alice");
        assertThat(c.connection().password()).isEqualTo("s3cret");
        assertThat(c.connection().endpoints()).containsExactly(new AmqpConnectionConfig.Endpoint("rabbit.example", 5673));
        assertThat(c.connection().virtualHost()).isEqualTo("prod");
        assertThat(c.persistent()).isTrue();
        assertThat(c.durableReplyQueue()).isTrue();
        assertThat(c.defaultReplyTo()).isEqualTo("replies");
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void celeryVersionFiveSevenPicksTheDurableQueueAndTheWholeMeta() {
        BackendUrl url = BackendUrl.parse("rpc://?celery_version=5.7");
        RpcBackendConfig v57 = RpcBackendConfig.parse(url, BackendOptions.defaults().withUrlOverrides(url), Map.of());
        assertThat(v57.durableReplyQueue()).isTrue();
        assertThat(v57.sendsWholeMeta()).isTrue();
        BackendUrl older = BackendUrl.parse("rpc://?celery_version=5.6&reply_queue_durable=true");
        RpcBackendConfig v56 = RpcBackendConfig.parse(older, BackendOptions.defaults().withUrlOverrides(older), Map.of());
        assertThat(v56.durableReplyQueue()).isTrue();
        assertThat(v56.sendsWholeMeta()).isFalse();
        RpcBackendConfig extended = parse("rpc://", BackendOptions.builder().resultExtended(true).build(), Map.of());
        assertThat(extended.durableReplyQueue()).isFalse();
        assertThat(extended.sendsWholeMeta()).isTrue();
    }

    @Test
    void resultExpiresSetsTheReplyQueueExpiry() {
        BackendOptions never = BackendOptions.builder().resultExpires(Duration.ZERO).build();
        assertThat(parse("rpc://", never, Map.of()).replyQueueExpiresMillis()).isZero();
        BackendOptions long90 = BackendOptions.builder().resultExpires(Duration.ofDays(90)).build();
        assertThat(parse("rpc://", long90, Map.of()).replyQueueExpiresMillis()).isEqualTo(Integer.MAX_VALUE);
        BackendOptions half = BackendOptions.builder().resultExpires(Duration.ofMillis(1500)).build();
        assertThat(parse("rpc://", half, Map.of()).replyQueueExpiresMillis()).isEqualTo(1500L);
    }

    @Test
    void everyProblemIsReportedAtOnceWithoutThePassword() {
        assertThatThrownBy(() -> parse("rpc://bob:hunter2@host/?result_persistent=maybe&colour=blue",
                BackendOptions.defaults(), Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("result_persistent must be true or false")
                .hasMessageContaining("unknown setting 'colour'")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> parse("rpc://", brokerUrl("redis://:hunter2@localhost:6379/0"), Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("rpc:// sends results through RabbitMQ")
                .hasMessageContaining("option broker_url")
                .hasMessageNotContaining("hunter2");
    }
}
