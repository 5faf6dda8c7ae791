package io.celeriac.client;

import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;
import io.celeriac.broker.Subscription;
import io.celeriac.client.canvas.Chain;
import io.celeriac.client.canvas.Chord;
import io.celeriac.client.canvas.Group;
import io.celeriac.task.Signature;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The messages of a chain, a group and a chord equal the ones Python's canvas sends for the same canvas (captured on
 * Redis from queues no worker reads, with a Redis result backend), once every id is replaced by a placeholder and
 * the origin left out: same headers in the same order, same properties, same body with the same embedded
 * {@code chain} / {@code chord} signatures and options. The chord's size is recorded in the backend before the
 * last header message, as Python's.
 */
class CanvasMessagesInteropTest {

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void chainGroupAndChordMessagesEqualPythons() {
        PythonCelery.assumeAvailable();
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease brokerDb = redis.leaseDatabase();
             RedisTestServer.DatabaseLease backendDb = redis.leaseDatabase()) {
            compare(brokerDb, backendDb, "chain", 1, c -> c.send(Chain.of(Signature.of("proj.add", 1, 2),
                    Signature.of("proj.add", 3), Signature.of("proj.add", 4))));
            compare(brokerDb, backendDb, "group", 2, c -> c.send(Group.of(Signature.of("proj.add", 1, 1),
                    Signature.of("proj.add", 2, 2))));
            compare(brokerDb, backendDb, "chord", 3, c -> c.send(Chord.of(Group.of(Signature.of("proj.add", 0, 0),
                    Signature.of("proj.add", 1, 1), Signature.of("proj.add", 2, 2)), Signature.of("proj.tsum"))));
        }
    }

    private void compare(RedisTestServer.DatabaseLease brokerDb, RedisTestServer.DatabaseLease backendDb, String what,
                         int messages, Consumer<CeleryClient> send) {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String javaQueue = "client-canvas-java-" + tag;
        String pythonQueue = "client-canvas-py-" + tag;
        try (CeleryClient client = CeleryClient.builder().brokerUrl(brokerDb.url()).backendUrl(backendDb.url())
                .defaultQueue(javaQueue).build()) {
            send.accept(client);
            PythonCelery.run(PythonCelery.resource(getClass(), "capture_canvas.py"), WAIT, Map.of(), brokerDb.url(),
                    backendDb.url(), pythonQueue, what).assertSuccess();
            client.broker().declareQueue(io.celeriac.broker.CeleryTopology.taskQueue(pythonQueue));
            List<String> java = normalised(client, javaQueue, messages);
            List<String> python = normalised(client, pythonQueue, messages);
            assertThat(java).as(what).isEqualTo(python);
            for (String q : List.of(javaQueue, pythonQueue)) {
                client.broker().deleteQueue(q);
                client.broker().deleteExchange(q);
            }
        }
    }

    private List<String> normalised(CeleryClient client, String queue, int count) {
        List<Delivery> got = new CopyOnWriteArrayList<>();
        try (Subscription s = client.broker().consume(List.of(queue), ConsumeOptions.noAck(), got::add)) {
            await().atMost(WAIT).until(() -> got.size() >= count);
        }
        assertThat(got).hasSize(count);
        List<String> out = new ArrayList<>();
        for (Delivery d : got) {
            Message m = d.message();
            Map<String, Object> h = new LinkedHashMap<>(m.headers());
            h.remove("origin");
            String text = "exchange=" + d.exchange() + " key=" + d.routingKey().replace(queue, "<queue>")
                    + " headers=" + h + " correlation_id=" + m.correlationId() + " reply_to=" + m.replyTo()
                    + " priority=" + m.priority() + " delivery_mode=" + m.deliveryMode() + " expiration="
                    + m.expiration() + " type=" + m.contentType() + " encoding=" + m.contentEncoding() + " body="
                    + m.bodyAsString();
            out.add(UUID_TEXT.matcher(text).replaceAll("<id>"));
        }
        out.sort(null);
        return out;
    }
}
