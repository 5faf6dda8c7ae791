package io.celeriac.client;

import io.celeriac.Celeriac;
import io.celeriac.events.Event;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code task_send_sent_event}: after each publish the client sends Celery's {@code task-sent} event, which an
 * event receiver of the same broker (celeriac's, reading as Celery's {@code EventReceiver}) gets with Celery's
 * fields; without the setting nothing is sent.
 */
class SentEventTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void redisReceiversGetTaskSent() {
        try (RedisTestServer.DatabaseLease db = TestServices.redis().leaseDatabase()) {
            check(db.url());
        }
    }

    @Test
    void rabbitReceiversGetTaskSent() {
        try (RabbitPlace rabbit = RabbitPlace.open()) {
            check(rabbit.url());
        }
    }

    private void check(String brokerUrl) {
        String queue = "client-sent-" + UUID.randomUUID().toString().substring(0, 8);
        List<Event> heard = new CopyOnWriteArrayList<>();
        try (EventSource source = Celeriac.discover().openEventSource(brokerUrl, EventSourceOptions.defaults());
             CeleryClient quiet = CeleryClient.builder().brokerUrl(brokerUrl).withoutBackend().defaultQueue(queue)
                     .build();
             CeleryClient client = CeleryClient.builder().brokerUrl(brokerUrl).withoutBackend().defaultQueue(queue)
                     .sendSentEvent(true).build()) {
            source.start(heard::add);
            await().atMost(WAIT).until(source::isConnected);
            String silent = quiet.send("proj.add", List.of(1, 1), null, SendOptions.none()).id();
            AsyncResult r = client.send("proj.add", List.of(2, 3), Map.of("z", 1), SendOptions.builder()
                    .countdown(Duration.ofSeconds(5)).build());
            await().atMost(WAIT).until(() -> heard.stream().anyMatch(e -> r.id().equals(e.get("uuid"))));
            Event e = heard.stream().filter(x -> r.id().equals(x.get("uuid"))).findFirst().orElseThrow();
            assertThat(e.type()).isEqualTo("task-sent");
            assertThat(e.hostname()).startsWith("gen");
            assertThat(e.get("name")).isEqualTo("proj.add");
            assertThat(e.get("args")).isEqualTo("(2, 3)");
            assertThat(e.get("kwargs")).isEqualTo("{'z': 1}");
            assertThat(e.get("root_id")).isEqualTo(r.id());
            assertThat(e.get("parent_id")).isNull();
            assertThat(e.get("retries")).isEqualTo(0L);
            assertThat(e.get("eta")).isNotNull();
            assertThat(e.get("expires")).isNull();
            assertThat(e.get("queue")).isEqualTo(queue);
            assertThat(e.get("exchange")).isEqualTo("");
            assertThat(e.get("routing_key")).isEqualTo(queue);
            assertThat(heard).noneMatch(x -> silent.equals(x.get("uuid")));
            client.broker().deleteQueue(queue);
            client.broker().deleteExchange(queue);
        }
    }
}
