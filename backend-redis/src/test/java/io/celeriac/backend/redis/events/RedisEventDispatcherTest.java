package io.celeriac.backend.redis.events;

import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.backend.redis.events.internal.RedisEventSource;
import io.celeriac.events.Event;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.json.CeleryJson;
import io.celeriac.state.LamportClock;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the dispatcher publishes, read back raw from Redis: the channel, kombu's envelope and Celery's event
 * fields in Celery's order; and the round trip through {@link RedisEventSource}.
 */
class RedisEventDispatcherTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static RedisTestServer server;
    private static RedisTestServer.DatabaseLease lease;

    @BeforeAll
    static void lease() {
        server = TestServices.redis();
        lease = server.leaseDatabase();
    }

    @AfterAll
    static void release() {
        if (lease != null) {
            lease.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void publishesKombusEnvelopeWithCelerysFieldsOnKombusChannel() throws Exception {
        LamportClock clock = new LamportClock(41);
        Instant now = Instant.parse("2026-11-21T12:00:00.25Z");
        try (RawSubscriber raw = new RawSubscriber(server, "/" + lease.db() + ".celeryev/*");
             RedisEventDispatcher d = RedisEventDispatcher.builder(BackendUrl.parse(lease.url()))
                     .hostname("java1@test").pid(4242).clock(clock)
                     .wallClock(Clock.fixed(now, ZoneId.of("UTC")), ZoneId.of("Europe/Berlin")).build()) {
            assertThat(d.channel("worker-heartbeat")).isEqualTo("/" + lease.db() + ".celeryev/worker.heartbeat");
            d.workerEvent("worker-heartbeat");
            d.taskReceived("t1", "proj.add", "(2, 3)", "{}", 0);
            d.taskSucceeded("t1", "5", 0.25);
            await().atMost(WAIT).until(() -> raw.messages.size() == 3);

            String[] hb = raw.messages.get(0);
            assertThat(hb[0]).isEqualTo("/" + lease.db() + ".celeryev/worker.heartbeat");
            Map<String, Object> env = (Map<String, Object>) CeleryJson.decode(hb[1]);
            assertThat(env.keySet()).containsExactly("body", "content-encoding", "content-type", "headers", "properties");
            assertThat(hb[1]).contains("\"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", "
                    + "\"headers\": {\"hostname\": \"java1@test\"}, \"properties\": {\"delivery_mode\": 1, "
                    + "\"delivery_info\": {\"exchange\": \"celeryev\", \"routing_key\": \"worker.heartbeat\"}, "
                    + "\"priority\": 0, \"body_encoding\": \"base64\", \"delivery_tag\": \"");
            String tag = (String) ((Map<String, Object>) env.get("properties")).get("delivery_tag");
            assertThat(UUID.fromString(tag).version()).isEqualTo(4);
            byte[] bodyBytes = Base64.getDecoder().decode((String) env.get("body"));
            Map<String, Object> body = (Map<String, Object>) CeleryJson.decode(bodyBytes);
            assertThat(body.keySet()).containsExactly("hostname", "utcoffset", "pid", "clock", "freq", "active",
                    "processed", "loadavg", "sw_ident", "sw_ver", "sw_sys", "timestamp", "type");
            assertThat(body.get("hostname")).isEqualTo("java1@test");
            assertThat(body.get("utcoffset")).isEqualTo(-1L); // UTC+1 in November: one hour east
            assertThat(body.get("pid")).isEqualTo(4242L);
            assertThat(body.get("clock")).isEqualTo(42L);
            assertThat(body.get("freq")).isEqualTo(2.0);
            assertThat(body.get("timestamp")).isEqualTo(now.getEpochSecond() + 0.25);
            assertThat(body.get("type")).isEqualTo("worker-heartbeat");
            assertThat(body.get("sw_ident")).isEqualTo("celeriac");
            assertThat((List<Object>) body.get("loadavg")).hasSize(3).allMatch(v -> v instanceof Double);
            assertThat(new String(bodyBytes, StandardCharsets.US_ASCII)).startsWith("{\"hostname\": \"java1@test\", ");

            String[] received = raw.messages.get(1);
            assertThat(received[0]).isEqualTo("/" + lease.db() + ".celeryev/task.received");
            Map<String, Object> rb = (Map<String, Object>) CeleryJson.decode(Base64.getDecoder().decode(
                    (String) ((Map<String, Object>) CeleryJson.decode(received[1])).get("body")));
            assertThat(rb.keySet()).containsExactly("hostname", "utcoffset", "pid", "clock", "uuid", "name", "args",
                    "kwargs", "root_id", "parent_id", "retries", "eta", "expires", "timestamp", "type");
            Map<String, Object> sb = (Map<String, Object>) CeleryJson.decode(Base64.getDecoder().decode(
                    (String) ((Map<String, Object>) CeleryJson.decode(raw.messages.get(2)[1])).get("body")));
            assertThat(sb).containsEntry("result", "5").containsEntry("runtime", 0.25).containsEntry("clock", 44L)
                    .containsEntry("type", "task-succeeded");
            assertThat(clock.value()).isEqualTo(44L);
        }
    }

    @Test
    void heartbeatsUntilClosedThenGoesOffline() throws Exception {
        try (RedisEventSource source = new RedisEventSource(BackendUrl.parse(lease.url()), EventSourceOptions.defaults())) {
            List<Event> events = new CopyOnWriteArrayList<>();
            source.start(events::add);
            await().atMost(WAIT).until(source::isSubscribed);
            RedisEventDispatcher d = RedisEventDispatcher.builder(BackendUrl.parse(lease.url()))
                    .hostname("java2@test").heartbeatInterval(Duration.ofMillis(100)).build();
            d.startHeartbeat();
            assertThatThrownBy(d::startHeartbeat).isInstanceOf(IllegalStateException.class);
            d.taskReceived("t9", "proj.mul", "(1,)", "{}", 0);
            await().atMost(WAIT).until(() -> events.stream().filter(e -> e.type().equals("worker-heartbeat")).count() >= 3);
            d.close();
            d.close();
            await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e.type().equals("worker-offline")));
            List<String> types = new ArrayList<>();
            events.forEach(e -> types.add(e.type()));
            assertThat(types.get(0)).isEqualTo("worker-online");
            assertThat(types.get(types.size() - 1)).isEqualTo("worker-offline");
            Event offline = events.get(events.size() - 1);
            assertThat(offline.get("processed")).isEqualTo(1L);
            assertThat(offline.get("active")).isEqualTo(1L);
            assertThat(offline.get("freq")).isEqualTo(0.1);
            assertThatThrownBy(() -> d.taskStarted("t9")).isInstanceOf(IllegalStateException.class);
            assertThat(source.messagesRejected()).isZero();
        }
    }

    @Test
    void followsTheTransportOptionsAndMasksThePassword() {
        String prefix = "celeriac-ev-" + UUID.randomUUID() + ":";
        try (RedisEventDispatcher d = RedisEventDispatcher.builder(BackendUrl.parse(server.url(2)
                        + "?fanout_patterns=false&global_keyprefix=" + prefix)).hostname("h@x").build();
             RedisEventDispatcher masked = RedisEventDispatcher.builder(
                     BackendUrl.parse("redis://:pw-s3cr3t@127.0.0.1:1/0")).build()) {
            assertThat(d.channel("task-sent")).isEqualTo(prefix + "/2.celeryev");
            assertThat(masked.location()).doesNotContain("pw-s3cr3t");
            assertThat(masked.hostname()).startsWith("celeriac").contains("@");
        }
    }

    @Test
    void aConfigReadEarlierGivesTheSameChannelsAndAnUnreachableBrokerIsANeutralError() {
        int port = PrivateRedis.freePort(); // nothing listens there
        RedisEventDispatcherConfig config = RedisEventDispatcherConfig.parse(BackendUrl.parse("redis://:pw-s3cr3t@127.0.0.1:"
                + port + "/4?fanout_prefix=/x{db}y.&socket_connect_timeout=1"), EventSourceOptions.defaults());
        assertThat(config.fanoutPrefix()).isEqualTo("/x4y.");
        assertThat(config.toString()).doesNotContain("pw-s3cr3t");
        try (RedisEventDispatcher d = RedisEventDispatcher.builder(config).hostname("h@x").build()) {
            assertThat(d.channel("task-sent")).isEqualTo("/x4y.celeryev/task.sent");
            assertThatThrownBy(() -> d.taskStarted("t1"))
                    .as("the dispatcher is not a result backend")
                    .isInstanceOf(ServiceUnavailableException.class)
                    .isNotInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("refused")
                    .hasMessageNotContaining("pw-s3cr3t");
        }
    }
}
