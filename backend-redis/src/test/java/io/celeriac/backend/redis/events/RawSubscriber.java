package io.celeriac.backend.redis.events;

import io.celeriac.testing.RedisTestServer;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/** A plain Jedis pattern subscriber on its own thread, keeping every (channel, message) pair it hears, as text. */
public final class RawSubscriber implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** The messages heard: {channel, message}. */
    public final List<String[]> messages = new CopyOnWriteArrayList<>();
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final BinaryJedisPubSub pubSub = new BinaryJedisPubSub() {
        @Override
        public void onPMessage(byte[] pattern, byte[] channel, byte[] message) {
            messages.add(new String[] {new String(channel, StandardCharsets.UTF_8),
                    new String(message, StandardCharsets.UTF_8)});
        }

        @Override
        public void onPSubscribe(byte[] pattern, int subscribedChannels) {
            subscribed.set(true);
        }
    };
    private final Thread thread;

    /**
     * Subscribes and waits until Redis confirms.
     *
     * @param server the server
     * @param pattern the pattern
     */
    public RawSubscriber(RedisTestServer server, String pattern) {
        thread = new Thread(() -> {
            try (Jedis j = new Jedis(server.host(), server.port())) {
                if (server.password() != null) {
                    if (server.user() != null) {
                        j.auth(server.user(), server.password());
                    } else {
                        j.auth(server.password());
                    }
                }
                j.psubscribe(pubSub, pattern.getBytes(StandardCharsets.UTF_8));
            }
        }, "raw-subscriber");
        thread.setDaemon(true);
        thread.start();
        await().atMost(WAIT).until(subscribed::get);
    }

    @Override
    public void close() throws InterruptedException {
        pubSub.punsubscribe();
        thread.join(WAIT.toMillis());
    }
}
