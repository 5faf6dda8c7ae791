package io.celeriac.backend.amqp.events;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The events area's settings, read as Celery names them; the provider found by scheme; no I/O. */
class AmqpEventSourceConfigTest {

    private static AmqpEventSourceConfig parse(String url, Map<String, String> props) {
        return AmqpEventSourceConfig.parse(BackendUrl.parse(url), new EventSourceOptions(props));
    }

    @Test
    void celerysDefaults() {
        AmqpEventSourceConfig c = parse("amqp://guest:secret@127.0.0.1:5672//", Map.of());
        assertThat(c.exchange()).isEqualTo("celeryev");
        assertThat(c.queuePrefix()).isEqualTo("celeryev");
        assertThat(c.queueTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.queueExpires()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.routingKeys()).containsExactly("#");
        assertThat(c.wakeup()).isTrue();
        assertThat(c.connection().virtualHost()).isEqualTo("/");
        assertThat(c.masked()).isEqualTo("amqp://guest:**@127.0.0.1:5672//");
        assertThat(c.toString()).doesNotContain("secret");
    }

    @Test
    void eventSettingsFromTheQueryOrTheOptionsTheQueryWinning() {
        AmqpEventSourceConfig c = parse("pyamqp://u:p@h:5673/v?event_queue_ttl=0.5&routing_key=worker.%23,task-multi"
                        + "&wakeup=no&heartbeat=10&confirm_timeout=3",
                Map.of("event_queue_ttl", "9", "event_queue_expires", "120", "event_exchange", "myev",
                        "event_queue_prefix", "mine"));
        assertThat(c.queueTtl()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.queueExpires()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.exchange()).isEqualTo("myev");
        assertThat(c.queuePrefix()).isEqualTo("mine");
        assertThat(c.routingKeys()).containsExactly("worker.#", "task.multi");
        assertThat(c.wakeup()).isFalse();
        assertThat(c.connection().heartbeat()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.broker().confirmTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.connection().virtualHost()).isEqualTo("v");
        AmqpEventDispatcherConfig d = AmqpEventDispatcherConfig.parse(
                BackendUrl.parse("amqp://u:p@h//?event_exchange=myev&wakeup=false"), EventSourceOptions.defaults());
        assertThat(d.exchange()).isEqualTo("myev");
    }

    @Test
    void everyBadSettingIsReportedAtOnceWithoutThePassword() {
        assertThatThrownBy(() -> parse("amqp://guest:hunter2@h//?event_queue_ttl=-1&event_queue_expires=0"
                + "&routing_key=a,,b&wakeup=maybe&bogus=1&heartbeat=x", Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .satisfies(e -> {
                    List<String> problems = ((InvalidConfigurationException) e).problems();
                    assertThat(problems).hasSize(6);
                    assertThat(String.join("\n", problems)).contains("event_queue_ttl").contains("event_queue_expires")
                            .contains("routing_key").contains("wakeup").contains("bogus").contains("heartbeat");
                })
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void theProviderIsFoundForEveryAmqpSchemeAndOpensWithoutConnecting() {
        Celeriac celeriac = Celeriac.discover();
        for (String scheme : List.of("amqp", "amqps", "pyamqp", "librabbitmq")) {
            try (EventSource s = celeriac.openEventSource(scheme + "://guest:pw@127.0.0.1:1//?ssl_cert_reqs=none",
                    EventSourceOptions.defaults())) {
                assertThat(s.isConnected()).isFalse();
                assertThat(s.location()).startsWith(scheme + "://guest:**@127.0.0.1:1/").doesNotContain("pw");
                assertThat(s.eventsReceived()).isZero();
            }
        }
    }
}
