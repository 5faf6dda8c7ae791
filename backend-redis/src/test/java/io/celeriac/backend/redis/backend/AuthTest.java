package io.celeriac.backend.redis.backend;

import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Passwords and ACL users, against a private redis-server that requires them. */
class AuthTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final RetryPolicy QUICK = new RetryPolicy(5, Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(50));
    private static PrivateRedis redis;

    @BeforeAll
    static void start() {
        redis = PrivateRedis.start("--requirepass", "s3cr3t/+%", "--user", "alice", "on", ">al1ce pw", "~*", "&*", "+@all");
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static void roundTrip(Backend b, String id) throws Exception {
        CompletableFuture<TaskMeta> w = b.waitForAsync(id, Tck.timeout(Duration.ofSeconds(20)));
        b.storeResult(id, "authenticated", TaskState.SUCCESS);
        assertThat(w.get(Tck.timeout(Duration.ofSeconds(20)).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("authenticated");
    }

    @Test
    void aPasswordAndAnAclUserAuthenticateEveryConnection() throws Exception {
        try (Backend b = CELERIAC.openBackend("redis://:s3cr3t%2F%2B%25@127.0.0.1:" + redis.port() + "/2")) {
            roundTrip(b, "default-user");
            assertThat(b.asUri()).isEqualTo("redis://:**@127.0.0.1:" + redis.port() + "/2");
        }
        try (Backend b = CELERIAC.openBackend("redis://alice:al1ce%20pw@127.0.0.1:" + redis.port() + "/2")) {
            roundTrip(b, "acl-user");
        }
        try (Backend b = CELERIAC.openBackend("redis://127.0.0.1:" + redis.port() + "/2",
                BackendOptions.builder().property("redis_username", "alice").property("redis_password", "al1ce pw").build())) {
            roundTrip(b, "acl-user-from-properties");
        }
    }

    @Test
    void aWrongPasswordFailsAtOnceWithoutShowingIt() {
        try (Backend b = CELERIAC.openBackend("redis://alice:not-the-pw@127.0.0.1:" + redis.port() + "/2",
                BackendOptions.builder().retryPolicy(QUICK).build())) {
            assertThatThrownBy(() -> b.storeResult("denied", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("task denied")
                    .hasMessageContaining("after 1 attempt:")
                    .hasMessageContaining("refused the credentials")
                    .hasMessageNotContaining("not-the-pw")
                    .cause().isInstanceOf(BackendUnavailableException.class);
            CompletableFuture<TaskMeta> w = b.waitForAsync("denied", Tck.timeout(Duration.ofSeconds(30)));
            assertThatThrownBy(() -> w.get(Tck.timeout(Duration.ofSeconds(10)).toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("refused the credentials")
                    .hasMessageNotContaining("not-the-pw");
        }
        try (Backend b = CELERIAC.openBackend("redis://127.0.0.1:" + redis.port() + "/2", BackendOptions.builder().retryPolicy(QUICK).build())) {
            assertThatThrownBy(() -> b.getTaskMeta("no-password")).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("refused the credentials");
        }
    }
}
