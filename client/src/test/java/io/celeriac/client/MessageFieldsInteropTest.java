package io.celeriac.client;

import io.celeriac.broker.Broker;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;
import io.celeriac.broker.Subscription;
import io.celeriac.json.CeleryJson;
import io.celeriac.task.CeleryTimes;
import io.celeriac.task.Signature;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Field by field: the message the client sends equals the one Python's {@code app.send_task} sends for the same
 * call and options (captured from a queue no worker reads, through the Broker SPI), on Redis and on RabbitMQ,
 * except the ids, the origin, the reply_to oid and the times (which must both be set or both absent, and agree
 * within a few seconds).
 */
class MessageFieldsInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Set<String> IDS = Set.of("id", "root_id", "origin");
    private static final Set<String> TIMES = Set.of("eta", "expires");

    @Test
    void redisMessagesEqualPythons() {
        PythonCelery.assumeAvailable();
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease db = redis.leaseDatabase()) {
            compareAll(db.url());
        }
    }

    @Test
    void rabbitMessagesEqualPythons() {
        PythonCelery.assumeAvailable();
        try (RabbitPlace rabbit = RabbitPlace.open()) {
            compareAll(rabbit.url());
        }
    }

    private void compareAll(String brokerUrl) {
        String queue = "client-fields-" + UUID.randomUUID().toString().substring(0, 8);
        try (CeleryClient client = CeleryClient.builder().brokerUrl(brokerUrl).withoutBackend().defaultQueue(queue)
                .build()) {
            Broker broker = client.broker();
            try {
                // the basic call
                compare(client, brokerUrl, queue, Map.of(), SendOptions.builder());
                // every option at once
                Map<String, Object> py = new LinkedHashMap<>();
                py.put("countdown", 10);
                py.put("expires", 60);
                py.put("priority", 5);
                py.put("headers", Map.of("x-custom", "v1"));
                py.put("time_limit", 30);
                py.put("soft_time_limit", 20);
                py.put("shadow", "add-shadow");
                py.put("ignore_result", true);
                py.put("link", List.of(Map.of("task", "proj.add", "args", List.of(10), "options", Map.of())));
                compare(client, brokerUrl, queue, py, SendOptions.builder().countdown(Duration.ofSeconds(10))
                        .expires(Duration.ofSeconds(60)).priority(5).header("x-custom", "v1").timeLimit(30)
                        .softTimeLimit(20).shadow("add-shadow").ignoreResult(true).link(Signature.of("proj.add", 10)));
                // an aware eta
                Instant eta = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS);
                compare(client, brokerUrl, queue, Map.of("eta", CeleryTimes.format(eta)),
                        SendOptions.builder().eta(eta));
                // an explicit exchange and routing key (the queue's own exchange, which kombu declared)
                compare(client, brokerUrl, queue, Map.of("exchange", queue, "routing_key", queue),
                        SendOptions.builder().exchange(queue).routingKey(queue));
                // a routing key alone is ignored, as in Celery
                compare(client, brokerUrl, queue, Map.of("routing_key", "elsewhere"),
                        SendOptions.builder().routingKey("elsewhere"));
                // an aware expiry time: header and the milliseconds left at send time
                Instant expires = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS);
                compare(client, brokerUrl, queue, Map.of("expires_at", CeleryTimes.format(expires)),
                        SendOptions.builder().expires(expires));
            } finally {
                broker.deleteQueue(queue);
                broker.deleteExchange(queue);
            }
        }
    }

    private void compare(CeleryClient client, String brokerUrl, String queue, Map<String, Object> pythonOptions,
                         SendOptions.Builder javaOptions) {
        String name = "proj.add";
        List<Object> args = Arrays.asList(2, 3, "\u00e9\u2713", 1099511627776L, 1.5, null, true,
                Map.of("a", List.of(1)));
        Map<String, Object> kwargs = Map.of("z", 1);
        String javaId = UUID.randomUUID().toString();
        String pythonId = UUID.randomUUID().toString();
        client.send(name, args, kwargs, javaOptions.taskId(javaId).build());
        Map<String, Object> opts = new LinkedHashMap<>(pythonOptions);
        opts.put("task_id", pythonId);
        opts.put("name", name);
        opts.put("args", args);
        opts.put("kwargs", kwargs);
        PythonCelery.run(PythonCelery.resource(MessageFieldsInteropTest.class, "capture.py"), WAIT, Map.of(),
                brokerUrl, queue, CeleryJson.encodeToString(opts)).assertSuccess();

        List<Delivery> got = new CopyOnWriteArrayList<>();
        try (Subscription s = client.broker().consume(List.of(queue), ConsumeOptions.noAck(), got::add)) {
            await().atMost(WAIT).until(() -> got.size() >= 2);
        }
        assertThat(got).hasSize(2);
        Delivery java = got.stream().filter(d -> javaId.equals(d.message().header("id"))).findFirst().orElseThrow();
        Delivery python = got.stream().filter(d -> pythonId.equals(d.message().header("id"))).findFirst().orElseThrow();
        Message j = java.message();
        Message p = python.message();

        assertThat(java.exchange()).isEqualTo(python.exchange());
        assertThat(java.routingKey()).isEqualTo(python.routingKey());
        assertThat(new ArrayList<>(j.headers().keySet())).isEqualTo(new ArrayList<>(p.headers().keySet()));
        for (String h : p.headers().keySet()) {
            Object jv = j.headers().get(h);
            Object pv = p.headers().get(h);
            if (IDS.contains(h)) {
                assertThat(jv).as("header %s", h).isNotNull();
            } else if (TIMES.contains(h)) {
                if (pv == null) {
                    assertThat(jv).as("header %s", h).isNull();
                } else {
                    assertThat(jv).as("header %s", h).isNotNull();
                    long diff = Math.abs(Duration.between(CeleryTimes.parse((String) pv),
                            CeleryTimes.parse((String) jv)).toSeconds());
                    assertThat(diff).as("header %s: java %s python %s", h, jv, pv).isLessThan(30);
                }
            } else {
                assertThat(jv).as("header %s", h).isEqualTo(pv);
            }
        }
        assertThat(j.headers().get("root_id")).isEqualTo(javaId);
        assertThat(j.correlationId()).isEqualTo(javaId);
        assertThat(p.correlationId()).isEqualTo(pythonId);
        assertThat(j.replyTo()).isNotNull().isNotEmpty();
        assertThat(p.replyTo()).isNotNull().isNotEmpty();
        assertThat(j.priority()).isEqualTo(p.priority());
        assertThat(j.deliveryMode()).isEqualTo(p.deliveryMode());
        assertThat(j.contentType()).isEqualTo(p.contentType());
        assertThat(j.contentEncoding()).isEqualTo(p.contentEncoding());
        if (p.expiration() == null || p.expiration().equals("60000")) {
            assertThat(j.expiration()).isEqualTo(p.expiration());
        } else {
            // the milliseconds left until an expiry time depend on the moment each one was sent
            assertThat(j.expiration()).isNotNull();
            assertThat(Math.abs(Long.parseLong(j.expiration()) - Long.parseLong(p.expiration()))).isLessThan(30_000);
        }
        assertThat(j.bodyAsString()).isEqualTo(p.bodyAsString());
    }
}
