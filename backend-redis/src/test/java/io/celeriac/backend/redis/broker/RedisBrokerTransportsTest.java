package io.celeriac.backend.redis.broker;

import io.celeriac.Celeriac;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.broker.Binding;
import io.celeriac.broker.Broker;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.ExchangeType;
import io.celeriac.broker.Message;
import io.celeriac.broker.QueueSpec;
import io.celeriac.testing.Resp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker over the other transports of the shared connection handling, on private redis-servers: a unix socket
 * ({@code socket://}, database from {@code virtual_host}) and a sentinel ({@code sentinel://}); TLS is in
 * {@link io.celeriac.backend.redis.TlsTest}.
 */
public class RedisBrokerTransportsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * A task queue and a fanout broadcast through one broker: publish, consume with acknowledgement, broadcast.
     *
     * @param url the broker URL
     * @throws InterruptedException when interrupted
     */
    public static void roundTrip(String url) throws InterruptedException {
        try (Broker b = Celeriac.discover().openBroker(url)) {
            b.declareQueue(QueueSpec.durable("celery"));
            b.declareExchange(new ExchangeSpec("celery.pidbox", ExchangeType.FANOUT, false, false, Map.of()));
            b.declareQueue(QueueSpec.autoDelete("n1.celery.pidbox"));
            b.bind(Binding.of("n1.celery.pidbox", "celery.pidbox", ""));
            BlockingQueue<Delivery> tasks = new LinkedBlockingQueue<>();
            BlockingQueue<Delivery> broadcasts = new LinkedBlockingQueue<>();
            b.consume(List.of("celery"), ConsumeOptions.prefetch(4), d -> {
                tasks.add(d);
                d.ack();
            });
            b.consume(List.of("n1.celery.pidbox"), ConsumeOptions.noAck(), broadcasts::add);
            b.publish("", "celery", Message.builder().body("[[1, 2], {}, {}]").correlationId("t1").priority(7).build());
            b.publish("celery.pidbox", "", Message.builder().body("{\"method\": \"ping\"}").build());
            Delivery t = tasks.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(t).isNotNull();
            assertThat(t.message().correlationId()).isEqualTo("t1");
            assertThat(t.message().priority()).isEqualTo(7);
            Delivery p = broadcasts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(p).isNotNull();
            assertThat(p.message().bodyAsString()).isEqualTo("{\"method\": \"ping\"}");
            assertThat(b.queueStats("celery").messages()).isZero();
            assertThat(b.isConnected()).isTrue();
        }
    }

    /** Runs the transports' tests. */
    public RedisBrokerTransportsTest() {
    }

    @Test
    void overAUnixSocket() throws Exception {
        Path dir = Files.createTempDirectory("celeriac-broker-sock-");
        Path socket = dir.resolve("redis.sock");
        try (PrivateRedis redis = PrivateRedis.launch(0, List.of("--port", "0", "--unixsocket", socket.toString(),
                "--unixsocketperm", "700", "--save", "", "--appendonly", "no"), "ready to accept connections")) {
            roundTrip("socket://" + socket + "?virtual_host=3");
            assertThat(redis.isRunning()).isTrue();
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void throughASentinel() throws Exception {
        try (PrivateRedis master = PrivateRedis.start();
             PrivateRedis sentinel = PrivateRedis.sentinel(master.port(), "brokermaster")) {
            roundTrip("sentinel://127.0.0.1:" + sentinel.port() + "/4?master_name=brokermaster");
            try (Resp r = master.connect()) {
                r.call("SELECT", "4");
                assertThat(r.call("HEXISTS", "_celeriac.queues", "celery")).as("on the master, in database 4").isEqualTo(1L);
            }
        }
    }
}
