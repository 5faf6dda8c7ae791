package io.celeriac.backend.redis.backend;

import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.CeleriacException;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Redis ACL users with restricted permissions, on a private redis-server: a user granted only the commands,
 * keys and channels the backend needs works; a wrong password and a missing permission fail at once with
 * a typed error that names what was refused and never shows the password.
 */
class AclTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final RetryPolicy QUICK = new RetryPolicy(5, Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(50));
    private static final String PASSWORD = "Acl-Pw-7f3e9c1a";
    /** Everything the backend needs, and nothing else: no admin or dangerous commands, only its keys. */
    private static final List<String> NEEDED = List.of("resetkeys", "~celery-task-meta-*", "~celery-taskset-meta-*", "~chord-unlock-*",
            "resetchannels", "&celery-task-meta-*", "&celery-taskset-meta-*", "-@all", "+@read", "+@write", "+@pubsub", "+@scripting",
            "+@transaction", "+@connection", "-@dangerous", "-flushdb");
    private static PrivateRedis redis;

    @BeforeAll
    static void start() {
        redis = PrivateRedis.start();
        setUser("worker", List.of());
        setUser("nopublish", List.of("-publish"));
        setUser("nosetex", List.of("-setex"));
        setUser("nosubscribe", List.of("-subscribe"));
        setUser("otherkeys", List.of("resetkeys", "~someone-else-*"));
    }

    private static void setUser(String name, List<String> extra) {
        List<String> cmd = new java.util.ArrayList<>(List.of("ACL", "SETUSER", name, "reset", "on", ">" + PASSWORD));
        cmd.addAll(NEEDED);
        cmd.addAll(extra);
        assertThat(redis.call(cmd.toArray(String[]::new))).isEqualTo("OK");
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static String url(String user, String password) {
        return "redis://" + user + ":" + password + "@127.0.0.1:" + redis.port() + "/3";
    }

    private static Backend open(String user, String password) {
        return CELERIAC.openBackend(url(user, password), BackendOptions.builder().retryPolicy(QUICK).build());
    }

    @Test
    void aUserWithOnlyTheNeededPermissionsCanDoEverything() throws Exception {
        try (Backend b = open("worker", PASSWORD)) {
            String id = "acl-" + System.nanoTime();
            CompletableFuture<TaskMeta> w = b.waitForAsync(id, Tck.timeout(Duration.ofSeconds(20)));
            b.storeResult(id, "restricted but enough", TaskState.SUCCESS);
            assertThat(w.get(Tck.timeout(Duration.ofSeconds(20)).toMillis(), TimeUnit.MILLISECONDS).result())
                    .isEqualTo("restricted but enough");
            assertThat(b.getTaskMeta(id).status()).isEqualTo(TaskState.SUCCESS);
            b.setChordSize("g-" + id, 1);
            assertThat(b.onChordPartReturn(new ChordPart("g-" + id, id, 0, TaskState.SUCCESS, 7L, null, null))
                    .orElseThrow().results()).containsExactly(7L);
            b.forget(id);
            assertThat(b.getTaskMeta(id).status()).isEqualTo(TaskState.PENDING);
            assertThat(b.asUri()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void aWrongPasswordFailsAtOnceAndClearly() {
        String wrong = "Wrong-Pw-44c0de";
        try (Backend b = open("worker", wrong)) {
            assertThatThrownBy(() -> b.storeResult("denied", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("after 1 attempt:")
                    .hasMessageContaining("refused the credentials")
                    .satisfies(e -> assertNoSecret(e, wrong));
            assertThatThrownBy(() -> b.getTaskMeta("denied")).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("refused the credentials")
                    .satisfies(e -> assertNoSecret(e, wrong));
        }
    }

    @Test
    void aMissingCommandInTheStoreScriptIsNamed() {
        try (Backend b = open("nopublish", PASSWORD)) {
            assertThatThrownBy(() -> b.storeResult("no-publish", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("task no-publish")
                    .hasMessageContaining("after 1 attempt:")
                    .hasMessageContaining("denied a command of the store script")
                    .hasMessageContaining("PUBLISH")
                    .hasMessageContaining("ACL SETUSER")
                    .satisfies(e -> assertNoSecret(e, PASSWORD));
            // the script asked the server before writing: nothing was stored by the store that failed (as
            // Celery's MULTI/EXEC fails as a whole), and what is permitted still works on the same backend
            assertThat(b.getTaskMeta("no-publish").status()).isEqualTo(TaskState.PENDING);
            assertThat(redis.call("EXISTS", "celery-task-meta-no-publish")).isEqualTo(0L);
        }
    }

    @Test
    void aMissingWritePermissionIsNamedAndNothingIsPublished() throws Exception {
        try (Backend b = open("nosetex", PASSWORD);
             Backend waiter = open("worker", PASSWORD)) {
            CompletableFuture<TaskMeta> w = waiter.waitForAsync("no-setex", Tck.timeout(Duration.ofSeconds(30)));
            assertThatThrownBy(() -> b.storeResult("no-setex", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("task no-setex")
                    .hasMessageContaining("denied a command of the store script")
                    .hasMessageContaining("SETEX on the key (nothing was written)")
                    .satisfies(e -> assertNoSecret(e, PASSWORD));
            assertThat(redis.call("EXISTS", "celery-task-meta-no-setex")).isEqualTo(0L);
            // the waiter was not woken by a publish of a value that was never stored: a permitted store wakes it
            assertThat(w).isNotDone();
            waiter.storeResult("no-setex", 2L, TaskState.SUCCESS);
            assertThat(w.get(Tck.timeout(Duration.ofSeconds(20)).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo(2L);
        }
    }

    @Test
    void aMissingSubscribePermissionFailsTheWaitWithTheCommandNamed() {
        try (Backend b = open("nosubscribe", PASSWORD)) {
            CompletableFuture<TaskMeta> w = b.waitForAsync("no-subscribe", Tck.timeout(Duration.ofSeconds(30)));
            assertThatThrownBy(() -> w.get(Tck.timeout(Duration.ofSeconds(20)).toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("denied the command SUBSCRIBE")
                    .satisfies(e -> assertNoSecret(e, PASSWORD));
        }
    }

    @Test
    void keysOutsideTheUsersPatternsAreATypedError() {
        try (Backend b = open("otherkeys", PASSWORD)) {
            assertThatThrownBy(() -> b.getTaskMeta("other-keys")).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("denied a key")
                    .hasMessageContaining("celery-task-meta-")
                    .satisfies(e -> assertNoSecret(e, PASSWORD));
            assertThatThrownBy(() -> b.storeResult("other-keys", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("after 1 attempt:")
                    .satisfies(e -> assertNoSecret(e, PASSWORD));
        }
    }

    private static void assertNoSecret(Throwable e, String secret) {
        assertThat(e).isInstanceOf(CeleriacException.class);
        for (Throwable c = e; c != null; c = c.getCause()) {
            assertThat(String.valueOf(c.getMessage())).doesNotContain(secret);
            assertThat(c.toString()).doesNotContain(secret);
        }
    }
}
