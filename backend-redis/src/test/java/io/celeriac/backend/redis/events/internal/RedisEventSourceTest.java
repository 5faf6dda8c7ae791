package io.celeriac.backend.redis.events.internal;

import io.celeriac.backend.redis.events.RawSubscriber;
import io.celeriac.Celeriac;
import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.backend.redis.events.RedisEventSourceConfig;
import io.celeriac.events.Event;
import io.celeriac.events.EventReceiverRules;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.json.CeleryJson;
import io.celeriac.state.LamportClock;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
 * The Redis event source against a real Redis: hand-made kombu envelopes PUBLISHed on the channels kombu uses
 * (a leased database, so the channel prefix {@code /<db>.} is this test's own).
 */
class RedisEventSourceTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A worker-heartbeat exactly as Celery 5.2.6 published it (celery-events-wire.md). */
    private static final String CAPTURED_HEARTBEAT = "{\"body\": \"eyJob3N0bmFtZSI6ICJpbnRlcm9wMUB2bSIsICJ1dGNvZmZzZXQiOiAwLCAicGlkIjogOTgyMiwgImNsb2NrIjogMTksICJmcmVxIjogMi4wLCAiYWN0aXZlIjogMCwgInByb2Nlc3NlZCI6IDQsICJsb2FkYXZnIjogWzEuOTUsIDAuNzUsIDAuMjldLCAic3dfaWRlbnQiOiAicHktY2VsZXJ5IiwgInN3X3ZlciI6ICI1LjIuNiIsICJzd19zeXMiOiAiTGludXgiLCAidGltZXN0YW1wIjogMTc5NTI2MzQwNC4wMTE0NzQxLCAidHlwZSI6ICJ3b3JrZXItaGVhcnRiZWF0In0=\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", \"headers\": {\"hostname\": \"interop1@vm\"}, \"properties\": {\"delivery_mode\": 1, \"delivery_info\": {\"exchange\": \"celeryev\", \"routing_key\": \"worker.heartbeat\"}, \"priority\": 0, \"body_encoding\": \"base64\", \"delivery_tag\": \"7ddce5d2-940c-4497-97ed-f4a9d6582591\"}}";

    private static RedisTestServer server;
    private static RedisTestServer.DatabaseLease lease;
    private final List<EventSource> opened = new ArrayList<>();

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

    @AfterEach
    void closeAll() {
        opened.forEach(EventSource::close);
    }

    private RedisEventSource open(String url, EventSourceOptions options) {
        RedisEventSource s = (RedisEventSource) CELERIAC.openEventSource(url, options);
        opened.add(s);
        return s;
    }

    private static List<Event> startCollecting(RedisEventSource source) {
        List<Event> events = new CopyOnWriteArrayList<>();
        source.start(events::add);
        await().atMost(WAIT).until(source::isSubscribed);
        return events;
    }

    private static String envelope(String routingKey, String bodyJson) {
        String b64 = Base64.getEncoder().encodeToString(bodyJson.getBytes(StandardCharsets.UTF_8));
        return "{\"body\": \"" + b64 + "\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", "
                + "\"headers\": {\"hostname\": \"w1@h\"}, \"properties\": {\"delivery_mode\": 1, \"delivery_info\": "
                + "{\"exchange\": \"celeryev\", \"routing_key\": \"" + routingKey + "\"}, \"priority\": 0, "
                + "\"body_encoding\": \"base64\", \"delivery_tag\": \"" + UUID.randomUUID() + "\"}}";
    }

    private static String taskEvent(String type, String uuid, long clock) {
        return "{\"hostname\": \"w1@h\", \"utcoffset\": 0, \"pid\": 7, \"clock\": " + clock + ", \"uuid\": \"" + uuid
                + "\", \"timestamp\": 1795263402.5, \"type\": \"" + type + "\"}";
    }

    private static long publish(String channel, String message) {
        try (Resp r = server.connect(0)) {
            return (Long) r.call("PUBLISH", channel, message);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String channel(String routingKey) {
        return "/" + lease.db() + ".celeryev/" + routingKey;
    }

    @Test
    void deliversASingleEventABatchAndAnEmptyBatchInOrder() {
        LamportClock clock = new LamportClock();
        RedisEventSource source = new RedisEventSource(RedisEventSourceConfig.parse(BackendUrl.parse(lease.url()), EventSourceOptions.defaults()),
                new EventReceiverRules(clock, Clock.fixed(Instant.ofEpochSecond(1795263410L), ZoneOffset.UTC),
                        ZoneOffset.UTC, true));
        opened.add(source);
        assertThat(source.channelPattern()).isEqualTo("/" + lease.db() + ".celeryev/*");
        List<Event> events = startCollecting(source);

        assertThat(publish(channel("worker.heartbeat"), CAPTURED_HEARTBEAT)).isEqualTo(1L);
        publish(channel("task.multi"), envelope("task.multi", "[" + taskEvent("task-received", "t1", 20) + ", "
                + taskEvent("task-started", "t1", 21) + "]"));
        publish(channel("task.multi"), envelope("task.multi", "[]"));
        publish(channel("task.multi"), envelope("task.multi", "[" + taskEvent("task-succeeded", "t1", 22) + "]"));

        await().atMost(WAIT).until(() -> events.size() >= 4);
        assertThat(events).extracting(Event::type)
                .containsExactly("worker-heartbeat", "task-received", "task-started", "task-succeeded");
        Event hb = events.get(0);
        assertThat(hb.hostname()).isEqualTo("interop1@vm");
        assertThat(hb.get("freq")).isEqualTo(2.0);
        assertThat(hb.get("loadavg")).isEqualTo(List.of(1.95, 0.75, 0.29));
        assertThat(hb.clock()).isEqualTo(19L);
        assertThat(hb.localReceived()).isEqualTo(1795263410.0);
        assertThat(hb.timestamp()).isEqualTo(1795263404.0114741);
        assertThat(events.get(3).uuid()).isEqualTo("t1");
        assertThat(clock.value()).isEqualTo(23L);
        assertThat(source.eventsReceived()).isEqualTo(4);
        assertThat(source.messagesRejected()).isZero();
        assertThat(source.location()).isEqualTo(lease.url());
    }

    @Test
    void countsMalformedMessagesAndGoesOn() {
        RedisEventSource source = open(lease.url(), EventSourceOptions.defaults());
        List<Event> events = startCollecting(source);
        String ch = channel("task.multi");

        publish(ch, "not json at all");
        publish(ch, "[1, 2]");
        publish(ch, envelope("task.multi", "[]").replace("application/json", "application/x-python-serialize"));
        publish(ch, envelope("task.multi", "[]").replaceFirst("\"body\": \"[^\"]*\"", "\"body\": \"@@not base64@@\""));
        publish(ch, envelope("task.multi", "not json"));
        publish(ch, envelope("task.multi", "42"));
        publish(ch, envelope("task.multi", "{\"hostname\": \"w1@h\"}"));
        // a batch with one bad element: the message counts once, its good event is delivered
        publish(ch, envelope("task.multi", "[\"x\", " + taskEvent("task-started", "t2", 5) + "]"));
        // no body_encoding: the body is the JSON text itself, as kombu reads it
        publish(ch, "{\"body\": \"" + taskEvent("task-started", "t3", 6).replace("\"", "\\\"")
                + "\", \"content-type\": \"application/json\", \"properties\": {}}");
        publish(ch, envelope("task.multi", "[" + taskEvent("task-succeeded", "t4", 7) + "]"));

        await().atMost(WAIT).until(() -> events.size() >= 3);
        assertThat(events).extracting(Event::uuid).containsExactly("t2", "t3", "t4");
        assertThat(source.messagesRejected()).isEqualTo(8);
        assertThat(source.eventsReceived()).isEqualTo(3);
    }

    @Test
    void aFailingListenerIsCountedAndDeliveryGoesOn() {
        RedisEventSource source = open(lease.url(), EventSourceOptions.defaults());
        List<Event> events = new CopyOnWriteArrayList<>();
        source.start(e -> {
            if ("bad".equals(e.uuid())) {
                throw new IllegalStateException("listener failure");
            }
            events.add(e);
        });
        await().atMost(WAIT).until(source::isSubscribed);
        publish(channel("task.multi"), envelope("task.multi", "[" + taskEvent("task-started", "bad", 1) + ", "
                + taskEvent("task-started", "good", 2) + "]"));
        await().atMost(WAIT).until(() -> events.size() == 1);
        assertThat(events.get(0).uuid()).isEqualTo("good");
        assertThat(source.listenerFailures()).isEqualTo(1);
        assertThat(source.eventsReceived()).isEqualTo(2);
    }

    @Test
    void followsKombusTransportOptions() {
        String prefix = "celeriac-ev-" + UUID.randomUUID() + ":";
        // fanout_prefix=false with a global key prefix: "<prefix>celeryev/<routing key>"
        RedisEventSource noPrefix = open(server.url(0) + "?fanout_prefix=false&global_keyprefix=" + prefix,
                EventSourceOptions.defaults());
        assertThat(noPrefix.channelPattern()).isEqualTo(prefix + "celeryev/*");
        // fanout_patterns=false (given as a property): the exchange's name alone
        RedisEventSource noPatterns = open(server.url(3),
                new EventSourceOptions(Map.of("fanout_patterns", "false", "global_keyprefix", prefix)));
        assertThat(noPatterns.channelPattern()).isEqualTo(prefix + "/3.celeryev");
        // a custom fanout prefix with {db}
        RedisEventSource custom = open(server.url(5) + "?fanout_prefix=/x{db}y.&global_keyprefix=" + prefix,
                EventSourceOptions.defaults());
        assertThat(custom.channelPattern()).isEqualTo(prefix + "/x5y.celeryev/*");

        List<Event> a = startCollecting(noPrefix);
        List<Event> b = startCollecting(noPatterns);
        List<Event> c = startCollecting(custom);
        publish(prefix + "/0.celeryev/task.multi", envelope("task.multi", "[" + taskEvent("task-started", "wrong", 1) + "]"));
        publish(prefix + "celeryev/task.multi", envelope("task.multi", "[" + taskEvent("task-started", "a", 2) + "]"));
        publish(prefix + "/3.celeryev", envelope("", "[" + taskEvent("task-started", "b", 3) + "]"));
        publish(prefix + "/3.celeryev/task.multi", envelope("task.multi", "[" + taskEvent("task-started", "wrong", 4) + "]"));
        publish(prefix + "/x5y.celeryev/task.multi", envelope("task.multi", "[" + taskEvent("task-started", "c", 5) + "]"));

        await().atMost(WAIT).until(() -> a.size() + b.size() + c.size() >= 3);
        assertThat(a).extracting(Event::uuid).containsExactly("a");
        assertThat(b).extracting(Event::uuid).containsExactly("b");
        assertThat(c).extracting(Event::uuid).containsExactly("c");
    }

    @Test
    @SuppressWarnings("unchecked")
    void wakesTheWorkersUpOnceSubscribedAsEventReceiverDoes() throws Exception {
        String pidbox = "/" + lease.db() + ".celery.pidbox";
        try (RawSubscriber raw = new RawSubscriber(server, pidbox)) {
            LamportClock clock = new LamportClock(6);
            RedisEventSource source = new RedisEventSource(RedisEventSourceConfig.parse(BackendUrl.parse(lease.url()), EventSourceOptions.defaults()),
                    new EventReceiverRules(clock, Clock.systemUTC(), ZoneOffset.UTC, true));
            opened.add(source);
            double before = System.currentTimeMillis() / 1000.0;
            startCollecting(source);
            // after the wake-up (sent before isSubscribed turns true), a marker of ours
            publish(pidbox, "marker");
            await().atMost(WAIT).until(() -> raw.messages.size() == 2);
            assertThat(raw.messages.get(1)[1]).isEqualTo("marker");
            assertThat(raw.messages.get(0)[0]).isEqualTo(pidbox);
            Map<String, Object> env = (Map<String, Object>) CeleryJson.decode(raw.messages.get(0)[1]);
            assertThat(env.keySet()).containsExactly("body", "content-encoding", "content-type", "headers", "properties");
            assertThat(raw.messages.get(0)[1]).contains("\"properties\": {\"delivery_mode\": 2, \"delivery_info\": "
                    + "{\"exchange\": \"celery.pidbox\", \"routing_key\": \"\"}, \"priority\": 0, \"body_encoding\": \"base64\"");
            Map<String, Object> headers = (Map<String, Object>) env.get("headers");
            assertThat(headers.keySet()).containsExactly("clock", "expires");
            assertThat(headers.get("clock")).isEqualTo(7L);
            assertThat((Double) headers.get("expires")).isBetween(before + 1, before + 1 + WAIT.toSeconds());
            assertThat(new String(Base64.getDecoder().decode((String) env.get("body")), StandardCharsets.UTF_8))
                    .isEqualTo("{\"method\": \"heartbeat\", \"arguments\": {}, \"destination\": null, "
                            + "\"pattern\": null, \"matcher\": null}");

            // wakeup=false: nothing but our marker
            raw.messages.clear();
            RedisEventSource quiet = open(lease.url() + "?wakeup=false", EventSourceOptions.defaults());
            startCollecting(quiet);
            publish(pidbox, "marker 2");
            await().atMost(WAIT).until(() -> !raw.messages.isEmpty());
            assertThat(raw.messages).extracting(m -> m[1]).containsExactly("marker 2");
        }
    }

    @Test
    void refusesBadOptionsAndMasksThePassword() {
        assertThatThrownBy(() -> CELERIAC.openEventSource(server.url(0) + "?wakeup=sometimes",
                EventSourceOptions.defaults()))
                .isInstanceOf(InvalidUrlException.class).hasMessageContaining("wakeup");
        assertThatThrownBy(() -> CELERIAC.openEventSource(server.url(0) + "?fanout_patterns=maybe",
                EventSourceOptions.defaults()))
                .isInstanceOf(InvalidUrlException.class).hasMessageContaining("fanout_patterns");
        assertThatThrownBy(() -> CELERIAC.openEventSource("redis://127.0.0.1:6379/0?no_such_option=1",
                EventSourceOptions.defaults()))
                .isInstanceOf(InvalidUrlException.class).hasMessageContaining("no_such_option");
        RedisEventSource s = open("redis://:s3cr3t-pw@127.0.0.1:1/0", EventSourceOptions.defaults());
        assertThat(s.location()).doesNotContain("s3cr3t-pw").contains("127.0.0.1:1");
        assertThat(s.toString()).doesNotContain("s3cr3t-pw");
    }

    @Test
    void noSentinelIsANeutralServiceUnavailableNotABackendError() {
        int port = PrivateRedis.freePort(); // nothing listens there
        assertThatThrownBy(() -> CELERIAC.openEventSource("sentinel://:s3cr3t-pw@127.0.0.1:" + port
                + "/0?master_name=nomaster&socket_connect_timeout=1", EventSourceOptions.defaults()))
                .as("the event source is not a result backend")
                .isInstanceOf(ServiceUnavailableException.class)
                .isNotInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("sentinel://:**@127.0.0.1:" + port)
                .hasMessageNotContaining("s3cr3t-pw");
    }

    @Test
    void reconnectsAfterTheServerComesBack() {
        try (PrivateRedis redis = PrivateRedis.start()) {
            RedisEventSource source = open(redis.url(0), EventSourceOptions.defaults());
            List<Event> events = startCollecting(source);
            try (Resp r = redis.connect()) {
                r.call("PUBLISH", "/0.celeryev/task.multi", envelope("task.multi", "[" + taskEvent("task-started", "before", 1) + "]"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            await().atMost(WAIT).until(() -> events.size() == 1);

            redis.kill();
            await().atMost(WAIT).until(() -> !source.isSubscribed());
            redis.restart();
            await().atMost(WAIT).until(() -> source.subscriptions() >= 2 && source.isSubscribed());
            try (Resp r = redis.connect()) {
                r.call("PUBLISH", "/0.celeryev/task.multi", envelope("task.multi", "[" + taskEvent("task-started", "after", 2) + "]"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            await().atMost(WAIT).until(() -> events.size() == 2);
            assertThat(events).extracting(Event::uuid).containsExactly("before", "after");
            source.close();
        }
    }

    @Test
    void closeStopsTheThreadPromptlyEvenWhileReconnecting() throws Exception {
        RedisEventSource live = open(lease.url(), EventSourceOptions.defaults());
        startCollecting(live);
        Thread t = live.deliveringThread();
        assertThat(t.isAlive()).isTrue();
        live.close();
        assertThat(t.isAlive()).isFalse();
        live.close(); // twice does nothing

        // a server that is not there: the source keeps retrying until closed
        RedisEventSource dead = open("redis://127.0.0.1:" + PrivateRedis.freePort() + "/0", EventSourceOptions.defaults());
        dead.start(e -> { });
        Thread d = dead.deliveringThread();
        assertThat(d.isAlive()).isTrue();
        assertThat(dead.isSubscribed()).isFalse();
        dead.close();
        assertThat(d.isAlive()).isFalse();
        assertThatThrownBy(() -> dead.start(e -> { })).isInstanceOf(IllegalStateException.class);
    }
}
