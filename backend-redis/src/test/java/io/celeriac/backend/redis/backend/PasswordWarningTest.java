package io.celeriac.backend.redis.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.redis.PrivateRedis;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A password given to a Redis that has none: Jedis connects anyway (Python's client refuses), so the backend says
 * the URL is wrong, once, in a warning that does not show the password.
 */
class PasswordWarningTest {

    @Test
    void aPasswordForARedisWithoutOneIsWarnedAboutOnce() {
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrivateRedis redis = PrivateRedis.start()) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (Backend b = Celeriac.discover().openBackend("redis://:not-needed-pw@127.0.0.1:" + redis.port() + "/0")) {
                assertThat(b.getTaskMeta("abc").status()).isEqualTo(TaskState.PENDING);
                b.storeResult("abc", 1L, TaskState.SUCCESS);
                assertThat(b.getTaskMeta("abc").result()).isEqualTo(1L);
            }
            try (Backend withoutPassword = Celeriac.discover().openBackend(redis.url(0))) {
                assertThat(withoutPassword.getTaskMeta("abc").result()).isEqualTo(1L);
            }
        } finally {
            System.setErr(before);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("gives a password, but the Redis it reaches needs none")
                .contains("called without any password configured")
                .doesNotContain("not-needed-pw");
        assertThat(log.split("needs none", -1)).as("one warning").hasSize(2);
    }
}
