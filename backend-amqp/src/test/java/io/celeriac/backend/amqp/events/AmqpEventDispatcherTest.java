package io.celeriac.backend.amqp.events;

import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.json.CeleryJson;
import io.celeriac.state.LamportClock;
import io.celeriac.tck.Tck;
import io.celeriac.testing.TcpProxy;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The RabbitMQ event dispatcher on its own: Celery's fields in Celery's order, a {@code task.multi} batch, a typed
 * error while the broker is away and publishing again once it is back, an unreachable broker at build time.
 */
class AmqpEventDispatcherTest {

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    @Test
    @SuppressWarnings("unchecked")
    void celerysFieldsInCelerysOrderAndABatch() throws Exception {
        try (PrivateEventVhost vhost = PrivateEventVhost.create()) {
            PrivateEventVhost.Recorder wire = vhost.record("celeryev", "#");
            Instant at = Instant.parse("2026-01-02T03:04:05.250Z");
            try (AmqpEventDispatcher d = AmqpEventDispatcher.builder(BackendUrl.parse(vhost.url())).hostname("j@kit")
                    .pid(77).clock(new LamportClock(10)).wallClock(Clock.fixed(at, ZoneOffset.UTC), ZoneId.of("UTC"))
                    .build()) {
                Map<String, Object> sent = d.taskSucceeded("u1", "5", 0.5);
                assertThat(sent.keySet()).containsExactly("hostname", "utcoffset", "pid", "clock", "uuid", "result",
                        "runtime", "timestamp", "type");
                assertThat(sent).containsEntry("clock", 11L).containsEntry("timestamp", 1767323045.25)
                        .containsEntry("utcoffset", 0).containsEntry("pid", 77L);
                List<Map<String, Object>> batch = d.sendBatch(List.of(Map.entry("task-received", Map.of("uuid", "u2")),
                        Map.entry("task-started", Map.of("uuid", "u2"))));
                assertThat(batch).extracting(m -> m.get("clock")).containsExactly(12L, 13L);
                assertThat(d.exchange()).isEqualTo("celeryev");
                assertThat(d.location()).doesNotContain("guest@").contains("**");
            }
            await().atMost(t(10)).until(() -> wire.messages.size() == 2);
            assertThat(wire.messages.get(0).routingKey()).isEqualTo("task.succeeded");
            assertThat(new String(wire.messages.get(0).body())).isEqualTo("{\"hostname\": \"j@kit\", \"utcoffset\": 0, "
                    + "\"pid\": 77, \"clock\": 11, \"uuid\": \"u1\", \"result\": \"5\", \"runtime\": 0.5, "
                    + "\"timestamp\": 1767323045.25, \"type\": \"task-succeeded\"}");
            assertThat(wire.messages.get(1).routingKey()).isEqualTo("task.multi");
            List<Object> multi = (List<Object>) CeleryJson.decode(wire.messages.get(1).body());
            assertThat(multi).extracting(e -> ((Map<String, Object>) e).get("type"))
                    .containsExactly("task-received", "task-started");
        }
    }

    @Test
    void whileTheBrokerIsAwayAPublishIsATypedErrorAndItPublishesAgainOnceBack() throws Exception {
        try (PrivateEventVhost vhost = PrivateEventVhost.create();
             TcpProxy proxy = new TcpProxy(vhost.server().host(), vhost.server().port())) {
            PrivateEventVhost.Recorder wire = vhost.record("celeryev", "#");
            try (AmqpEventDispatcher d = AmqpEventDispatcher.builder(BackendUrl.parse(vhost.urlThrough(proxy.port())
                    + "?recovery_interval=0.2&confirm_timeout=5")).hostname("j@kit").build()) {
                d.taskStarted("before");
                proxy.accepting(false);
                proxy.cutAll();
                await().atMost(t(10)).untilAsserted(() -> assertThatThrownBy(() -> d.taskStarted("away"))
                        .isInstanceOf(BrokerUnavailableException.class).hasMessageNotContaining("guest@"));
                proxy.accepting(true);
                await("published again").atMost(t(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .until(() -> d.taskStarted("after") != null);
            }
            await().atMost(t(10)).until(() -> wire.messages.stream()
                    .anyMatch(m -> new String(m.body()).contains("\"uuid\": \"after\"")));
            assertThat(wire.messages).noneMatch(m -> new String(m.body()).contains("\"uuid\": \"away\""));
        }
    }

    @Test
    void anUnreachableBrokerIsATypedErrorAtBuildTime() {
        assertThatThrownBy(() -> AmqpEventDispatcher.builder(BackendUrl.parse("amqp://guest:hunter2@127.0.0.1:1//"))
                .build())
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("127.0.0.1:1")
                .hasMessageNotContaining("hunter2");
    }
}
