package io.celeriac.backend.redis.backend;

import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskState;
import io.celeriac.tck.BackendContract;
import io.celeriac.tck.BackendFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole kit over {@code socket://}: a private redis-server that listens on a unix socket only
 * ({@code --port 0}), database 3 chosen with {@code ?virtual_host=3}.
 */
class UnixSocketContractTest extends BackendContract {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static PrivateRedis redis;
    private static Path socket;

    @BeforeAll
    static void startServer() throws IOException {
        Path dir = java.nio.file.Files.createTempDirectory("celeriac-sock-");
        socket = dir.resolve("redis.sock");
        redis = PrivateRedis.launch(0, List.of("--port", "0", "--unixsocket", socket.toString(), "--unixsocketperm", "700",
                "--save", "", "--appendonly", "no"), "ready to accept connections");
    }

    @AfterAll
    static void stopServer() {
        if (redis != null) {
            redis.close();
        }
        if (socket != null) {
            socket.toFile().delete();
            socket.getParent().toFile().delete();
        }
    }

    static String cli(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/redis-cli", "-s", socket.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected BackendFixture createFixture() {
        String url = "socket://" + socket + "?virtual_host=3";
        return new BackendFixture() {
            @Override
            public Backend open(BackendOptions options) {
                return CELERIAC.openBackend(url, options);
            }

            @Override
            public Set<BackendCapability> capabilities() {
                return allCapabilities();
            }

            @Override
            public void close() {
                cli("FLUSHALL"); // the server is this class's own
            }
        };
    }

    @Test
    void resultsGoToTheDatabaseNamedByVirtualHost() {
        try (Backend b = CELERIAC.openBackend("socket://" + socket + "?virtual_host=3")) {
            b.storeResult("in-db-3", 1L, TaskState.SUCCESS);
        }
        assertThat(cli("-n", "3", "EXISTS", "celery-task-meta-in-db-3")).isEqualTo("1");
        assertThat(cli("-n", "0", "EXISTS", "celery-task-meta-in-db-3")).isEqualTo("0");
    }
}
