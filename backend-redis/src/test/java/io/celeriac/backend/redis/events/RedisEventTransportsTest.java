package io.celeriac.backend.redis.events;

import io.celeriac.backend.redis.events.internal.RedisEventSource;
import io.celeriac.Celeriac;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.events.Event;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event source and the dispatcher over the other transports: a unix socket ({@code socket://}, database
 * from {@code virtual_host}) and a sentinel ({@code sentinel://}), on private redis-servers.
 */
class RedisEventTransportsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static void roundTrip(String url, String expectedPattern) {
        try (RedisEventSource source = (RedisEventSource) Celeriac.discover().openEventSource(url,
                EventSourceOptions.defaults());
             RedisEventDispatcher d = RedisEventDispatcher.builder(BackendUrl.parse(url)).hostname("java3@test").build()) {
            assertThat(source.channelPattern()).isEqualTo(expectedPattern);
            List<Event> events = new CopyOnWriteArrayList<>();
            source.start(events::add);
            await().atMost(WAIT).until(source::isSubscribed);
            d.taskReceived("s1", "proj.add", "(1, 2)", "{}", 0);
            d.taskSucceeded("s1", "3", 0.5);
            await().atMost(WAIT).until(() -> events.size() == 2);
            assertThat(events).extracting(Event::type).containsExactly("task-received", "task-succeeded");
            assertThat(events.get(1).get("result")).isEqualTo("3");
        }
    }

    @Test
    void overAUnixSocket() throws Exception {
        Path dir = Files.createTempDirectory("celeriac-ev-sock-");
        Path socket = dir.resolve("redis.sock");
        try (PrivateRedis redis = PrivateRedis.launch(0, List.of("--port", "0", "--unixsocket", socket.toString(),
                "--unixsocketperm", "700", "--save", "", "--appendonly", "no"), "ready to accept connections")) {
            roundTrip("socket://" + socket + "?virtual_host=3", "/3.celeryev/*");
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void throughASentinel() {
        try (PrivateRedis master = PrivateRedis.start();
             PrivateRedis sentinel = PrivateRedis.sentinel(master.port(), "evmaster")) {
            roundTrip("sentinel://127.0.0.1:" + sentinel.port() + "/4?master_name=evmaster", "/4.celeryev/*");
        }
    }
}
