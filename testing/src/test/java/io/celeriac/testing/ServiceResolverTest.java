package io.celeriac.testing;

import io.celeriac.testing.ServiceResolver.Resolution;
import io.celeriac.testing.ServiceResolver.Service;
import io.celeriac.testing.ServiceResolver.Source;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceResolverTest {

    private final AtomicInteger loopbackProbes = new AtomicInteger();
    private final AtomicInteger dockerProbes = new AtomicInteger();

    private BooleanSupplier loopback(boolean answers) {
        return () -> {
            loopbackProbes.incrementAndGet();
            return answers;
        };
    }

    private BooleanSupplier docker(boolean available) {
        return () -> {
            dockerProbes.incrementAndGet();
            return available;
        };
    }

    @Test
    void anExplicitUrlWinsAndNothingIsProbed() {
        Resolution r = ServiceResolver.resolve(Service.REDIS, Map.of("CELERIAC_TEST_REDIS_URL", " redis://:s3cret@10.0.0.5:6380 "),
                loopback(true), docker(true));
        assertThat(r.source()).isEqualTo(Source.ENVIRONMENT);
        assertThat(r.url()).isEqualTo("redis://:s3cret@10.0.0.5:6380");
        assertThat(r.message()).contains("CELERIAC_TEST_REDIS_URL").doesNotContain("s3cret");
        assertThat(loopbackProbes).hasValue(0);
        assertThat(dockerProbes).hasValue(0);
    }

    @Test
    void theLoopbackServerComesSecondAndDockerIsNotAsked() {
        Resolution r = ServiceResolver.resolve(Service.POSTGRES, Map.of("CELERIAC_TEST_POSTGRES_URL", "  "), loopback(true), docker(true));
        assertThat(r.source()).isEqualTo(Source.LOOPBACK);
        assertThat(r.url()).isEqualTo("postgresql://postgres@127.0.0.1:5432/postgres");
        assertThat(r.message()).contains("127.0.0.1:5432");
        assertThat(dockerProbes).hasValue(0);
    }

    @Test
    void testcontainersComesThirdWithTheNamedImage() {
        Resolution r = ServiceResolver.resolve(Service.REDIS, Map.of(), loopback(false), docker(true));
        assertThat(r.source()).isEqualTo(Source.CONTAINER);
        assertThat(r.message()).contains("redis:7");
        assertThat(loopbackProbes).hasValue(1);
        assertThat(dockerProbes).hasValue(1);
        assertThat(ServiceResolver.resolve(Service.POSTGRES, Map.of(), loopback(false), docker(true)).message()).contains("postgres:16");
    }

    @Test
    void nothingUnderCiIsAFailureNamingTheService() {
        Resolution r = ServiceResolver.resolve(Service.POSTGRES, Map.of("CI", "true"), loopback(false), docker(false));
        assertThat(r.source()).isEqualTo(Source.NONE);
        assertThat(r.fail()).isTrue();
        assertThat(r.message()).contains("PostgreSQL").contains("CI=true");
    }

    @Test
    void nothingElsewhereIsASkipThatGivesTheThreeWays() {
        Resolution r = ServiceResolver.resolve(Service.REDIS, Map.of("CI", "false"), loopback(false), docker(false));
        assertThat(r.source()).isEqualTo(Source.NONE);
        assertThat(r.fail()).isFalse();
        assertThat(r.message()).contains("skipped")
                .contains("CELERIAC_TEST_REDIS_URL=")
                .contains("127.0.0.1:6379")
                .contains("Docker engine").contains("redis:7");
    }

    @Test
    void passwordsAreMaskedInMessages() {
        assertThat(ServiceResolver.maskPassword("postgresql://u:p%40ss@h/db")).isEqualTo("postgresql://u:**@h/db");
        assertThat(ServiceResolver.maskPassword("redis://h:6379")).isEqualTo("redis://h:6379");
    }

    @Test
    void rabbitMqIsFoundTheSameWay() {
        Resolution loop = ServiceResolver.resolve(Service.RABBITMQ, Map.of(), loopback(true), docker(true));
        assertThat(loop.source()).isEqualTo(Source.LOOPBACK);
        assertThat(loop.url()).isEqualTo("amqp://guest:guest@127.0.0.1:5672//");
        Resolution env = ServiceResolver.resolve(Service.RABBITMQ,
                Map.of("CELERIAC_TEST_RABBITMQ_URL", "amqp://u:s3cret@mq:5673/vh"), loopback(true), docker(true));
        assertThat(env.url()).isEqualTo("amqp://u:s3cret@mq:5673/vh");
        assertThat(env.message()).doesNotContain("s3cret");
        Resolution none = ServiceResolver.resolve(Service.RABBITMQ, Map.of("CI", "true"), loopback(false), docker(false));
        assertThat(none.fail()).isTrue();
        assertThat(none.message()).contains("CELERIAC_TEST_RABBITMQ_URL").contains("127.0.0.1:5672").contains("rabbitmq:3");
    }
}
