package io.celeriac.client;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.client.canvas.Chord;
import io.celeriac.client.canvas.Group;
import io.celeriac.task.Signature;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad settings and unusable servers give typed errors, with no password in any message, and send nothing.
 */
class ClientErrorsTest {

    @Test
    void aSerializerOtherThanJsonIsRefusedWithEveryProblemListed() {
        assertThatThrownBy(() -> CeleryClient.builder().brokerUrl("redis://127.0.0.1:1/0").taskSerializer("pickle")
                .defaultQueue(" ").build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.problems()).hasSize(2);
                    assertThat(e.getMessage()).contains("task_serializer 'pickle'").contains("task_default_queue");
                });
    }

    @Test
    void anUnreachableRedisBrokerIsATypedError() {
        assertSendFailsTyped("redis://:s3cret-pw@127.0.0.1:1/0", "s3cret-pw", "refused");
    }

    @Test
    void anUnreachableRabbitBrokerIsATypedError() {
        assertSendFailsTyped("amqp://guest:s3cret-pw@127.0.0.1:1//", "s3cret-pw", "refused");
    }

    @Test
    void aRefusedRabbitLoginIsATypedErrorWithoutThePassword() {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        assertSendFailsTyped("amqp://guest:wrong-s3cret@" + rabbit.host() + ":" + rabbit.port() + "//", "wrong-s3cret",
                "authentication failed");
    }

    /** Opening the client or sending fails with BrokerUnavailableException whose chain never shows the password. */
    private static void assertSendFailsTyped(String brokerUrl, String password, String expected) {
        assertThatThrownBy(() -> {
            try (CeleryClient c = CeleryClient.builder().brokerUrl(brokerUrl).withoutBackend().build()) {
                c.send("proj.add", List.of(1, 2), null, SendOptions.none());
            }
        }).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining(expected).satisfies(e -> {
            Throwable t = e;
            while (t != null) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(password);
                t = t.getCause();
            }
        });
    }

    @Test
    void aChordWithoutChordSupportFailsWithCeleryErrorBeforeAnythingIsSent() {
        RedisTestServer redis = TestServices.redis();
        String queue = "client-test-chord-" + UUID.randomUUID();
        try (RedisTestServer.DatabaseLease db = redis.leaseDatabase();
             CeleryClient c = CeleryClient.builder().brokerUrl(db.url()).backendUrl("disabled://").defaultQueue(queue)
                     .build()) {
            Chord chord = Chord.of(Group.of(Signature.of("proj.add", 1, 1), Signature.of("proj.add", 2, 2)),
                    Signature.of("proj.tsum"));
            assertThatThrownBy(() -> c.send(chord)).isInstanceOf(ChordsNotSupportedException.class)
                    .hasMessageStartingWith("Starting chords requires a result backend to be configured.");
            c.broker().declareQueue(CeleryTopology.taskQueue(queue));
            assertThat(c.broker().queueStats(queue).messages()).isZero();

            try (CeleryClient none = CeleryClient.builder().broker(c.broker()).withoutBackend().defaultQueue(queue)
                    .build()) {
                assertThatThrownBy(() -> none.send(chord)).isInstanceOf(ChordsNotSupportedException.class);
                AsyncResult r = none.send("proj.add", List.of(1, 2), Map.of(), SendOptions.none());
                assertThatThrownBy(r::state).isInstanceOf(NoResultBackendException.class);
            }
            assertThat(c.broker().queueStats(queue).messages()).isEqualTo(1);
            assertThat(c.broker().isConnected()).isTrue();
        }
    }

    @Test
    void theEnvironmentNamesTheDefaultUrls() {
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease broker = redis.leaseDatabase();
             RedisTestServer.DatabaseLease backend = redis.leaseDatabase();
             CeleryClient c = CeleryClient.builder().environment(Map.of("CELERY_BROKER_URL", broker.url(),
                     "CELERY_RESULT_BACKEND", backend.url())).build();
             CeleryClient none = CeleryClient.builder().environment(Map.of("CELERY_BROKER_URL", broker.url(),
                     "CELERY_RESULT_BACKEND", backend.url())).withoutBackend().build()) {
            assertThat(c.broker().asUri()).endsWith("/" + broker.db());
            assertThat(c.backend().orElseThrow().asUri()).endsWith("/" + backend.db());
            assertThat(none.backend()).isEmpty();
            assertThat(c.toString()).contains("redis://");
        }
    }

    @Test
    void theRpcMessageNamesTheBackend() {
        assertThat(new ChordsNotSupportedException("rpc").getMessage())
                .startsWith("The \"rpc\" result backend does not support chords!\n\nNote that a group chained");
    }
}
