package io.celeriac.backend.redis.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.backend.redis.backend.internal.RedisBackend;
import io.celeriac.backend.spi.AbstractBackend;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server that is not there is not a slow task: a closed port, an unknown host and refused credentials fail at
 * once with the real cause and without a single retry (counted by the backend, not timed); a server that was
 * reached and then went away is retried; a wait that ends while the server cannot be reached is an
 * unavailable-service error, and one that times out names the last state it saw.
 */
class FastFailureTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    /** Celery's own policy: 20 retries a second apart, the policy that made a wrong port take 20 s. */
    private static final BackendOptions CELERY_DEFAULTS = BackendOptions.builder().retryPolicy(RetryPolicy.CELERY_DEFAULT).build();

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long retries(Backend b) {
        return ((AbstractBackend) b).retriesMade();
    }

    @Test
    void aClosedPortFailsAtOnceWithConnectionRefused() throws IOException {
        try (Backend b = CELERIAC.openBackend("redis://127.0.0.1:" + closedPort() + "/0", CELERY_DEFAULTS)) {
            assertThatThrownBy(() -> b.getTaskMeta("abc"))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("refused")
                    .hasRootCauseInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> b.storeResult("abc", 1, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasRootCauseInstanceOf(ConnectException.class);
            assertThat(retries(b)).as("retries made").isZero();
        }
    }

    @Test
    void aWaitOnAClosedPortIsAnUnavailableServiceNotATimeout() throws IOException {
        try (Backend b = CELERIAC.openBackend("redis://127.0.0.1:" + closedPort() + "/0", CELERY_DEFAULTS)) {
            assertThatThrownBy(() -> b.waitFor("abc", Duration.ofMinutes(5)))
                    .isInstanceOf(BackendUnavailableException.class)
                    .isNotInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("refused")
                    .hasRootCauseInstanceOf(ConnectException.class);
            assertThat(((RedisBackend) b).subscriberConnectAttempts()).as("subscriber connection attempts").isEqualTo(1);
            assertThat(retries(b)).isZero();
        }
    }

    @Test
    void anUnknownHostFailsAtOnceNamingTheHost() {
        try (Backend b = CELERIAC.openBackend("redis://no-such-host.invalid:6379/0", CELERY_DEFAULTS)) {
            assertThatThrownBy(() -> b.getTaskMeta("abc"))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("the host of no-such-host.invalid:6379 is unknown")
                    .hasRootCauseInstanceOf(UnknownHostException.class);
            assertThatThrownBy(() -> b.waitFor("abc", Duration.ofMinutes(5)))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasRootCauseInstanceOf(UnknownHostException.class);
            assertThat(retries(b)).isZero();
            assertThat(((RedisBackend) b).subscriberConnectAttempts()).isEqualTo(1);
        }
    }

    @Test
    void refusedCredentialsFailAtOnceWithRedisOwnAnswer() {
        try (PrivateRedis redis = PrivateRedis.start()) {
            assertThat(redis.call("ACL", "SETUSER", "reader", "on", ">right-password", "~*", "&*", "+@all")).isEqualTo("OK");
            try (Backend b = CELERIAC.openBackend("redis://reader:wrong-password@127.0.0.1:" + redis.port() + "/0",
                    CELERY_DEFAULTS)) {
                assertThatThrownBy(() -> b.getTaskMeta("abc"))
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("refused the credentials")
                        .hasMessageContaining("WRONGPASS")
                        .hasMessageNotContaining("wrong-password");
                assertThatThrownBy(() -> b.waitFor("abc", Duration.ofMinutes(5)))
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("WRONGPASS");
                assertThat(retries(b)).isZero();
                assertThat(((RedisBackend) b).subscriberConnectAttempts()).isEqualTo(1);
            }
        }
    }

    @Test
    void aServerThatWasReachedAndWentAwayIsRetriedByThePolicy() {
        RetryPolicy three = new RetryPolicy(3, Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(20));
        try (PrivateRedis redis = PrivateRedis.start();
             Backend b = CELERIAC.openBackend(redis.url(0), BackendOptions.builder().retryPolicy(three).build())) {
            assertThat(b.getTaskMeta("abc").status()).isEqualTo(TaskState.PENDING);
            redis.kill();
            assertThatThrownBy(() -> b.getTaskMeta("abc")).hasRootCauseInstanceOf(ConnectException.class);
            assertThat(retries(b)).as("a restart or a failover may pass: the policy's retries").isEqualTo(3);
        }
    }

    @Test
    void aWaitThatEndsWhileTheServerIsDownIsAnUnavailableService() {
        try (PrivateRedis redis = PrivateRedis.start();
             Backend b = CELERIAC.openBackend(redis.url(0), CELERY_DEFAULTS)) {
            String id = UUID.randomUUID().toString();
            b.storeResult(id, Map.of("current", 4), TaskState.of("PROGRESS"));
            redis.kill();
            assertThatThrownBy(() -> b.waitFor(id, Tck.timeout(Duration.ofSeconds(2))))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("was not ready after")
                    .hasMessageContaining("could not be reached");
        }
    }

    @Test
    void aWaitThatTimesOutNamesTheLastStateItSaw() {
        try (PrivateRedis redis = PrivateRedis.start();
             Backend b = CELERIAC.openBackend(redis.url(0), CELERY_DEFAULTS)) {
            String id = UUID.randomUUID().toString();
            b.storeResult(id, Map.of("current", 4), TaskState.of("PROGRESS"));
            WaitTimeoutException e = (WaitTimeoutException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> b.waitFor(id, Tck.timeout(Duration.ofSeconds(1))));
            assertThat(e).isNotNull().hasMessageEndingWith("; last state PROGRESS {\"current\": 4}");
            TaskMeta last = e.lastSeen().orElseThrow();
            assertThat(last.status()).isEqualTo(TaskState.of("PROGRESS"));
        }
    }
}
