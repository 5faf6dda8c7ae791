package io.celeriac.broker;

import io.celeriac.Celeriac;
import io.celeriac.registry.UnknownSchemeException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transport-neutral message model: JSON-like values, kombu's defaults, Celery's declarations. */
class BrokerModelTest {

    @Test
    void kombusDefaultsForATaskMessage() {
        Message m = Message.builder().body("[[], {}, {}]").build();
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(m.contentEncoding()).isEqualTo("utf-8");
        assertThat(m.priority()).isZero();
        assertThat(m.deliveryMode()).isEqualTo(Message.PERSISTENT);
        assertThat(m.headers()).isEmpty();
        assertThat(m.correlationId()).isNull();
        assertThat(m.expiration()).isNull();
        assertThat(Message.builder().expiration(Duration.ofMillis(60_000)).build().expiration()).isEqualTo("60000");
        assertThat(m.toBuilder().build()).isEqualTo(m).hasSameHashCodeAs(m);
    }

    @Test
    void headerValuesAreNormalizedToJsonLikeValuesAndFrozen() {
        List<Object> list = new ArrayList<>(Arrays.asList(1, 2.5f, null, (short) 3));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("b", (byte) 4);
        Message m = Message.builder().header("int", 7).header("float", 1.5f).header("list", list).header("map", map)
                .header("none", null).build();
        assertThat(m.header("int")).isEqualTo(7L);
        assertThat(m.header("float")).isEqualTo(1.5);
        assertThat(m.header("list")).isEqualTo(Arrays.asList(1L, 2.5, null, 3L));
        assertThat(m.header("map")).isEqualTo(Map.of("b", 4L));
        assertThat(m.headers()).containsKey("none");
        list.add("later");
        assertThat((List<?>) m.header("list")).hasSize(4);
        assertThatThrownBy(() -> m.headers().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Message.builder().header("m", Map.of(1, "x"))).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("not a string");
        byte[] body = {1, 2, 3};
        Message b = Message.builder().body(body).build();
        body[0] = 9;
        assertThat(b.body()).containsExactly(1, 2, 3);
    }

    @Test
    void celerysTopologyAsCaptured() {
        assertThat(CeleryTopology.taskExchange("celery")).isEqualTo(new ExchangeSpec("celery", ExchangeType.DIRECT, true, false, Map.of()));
        assertThat(CeleryTopology.taskQueue("celery")).isEqualTo(new QueueSpec("celery", true, false, false, Map.of()));
        assertThat(CeleryTopology.taskBinding("celery")).isEqualTo(Binding.of("celery", "celery", "celery"));
        assertThat(CeleryTopology.pidboxExchange()).isEqualTo(new ExchangeSpec("celery.pidbox", ExchangeType.FANOUT, false, false, Map.of()));
        assertThat(CeleryTopology.pidboxQueue("worker1@host")).isEqualTo(new QueueSpec("worker1@host.celery.pidbox", false,
                false, true, Map.of("x-expires", 10_000L, "x-message-ttl", 300_000L)));
        assertThat(CeleryTopology.pidboxBinding("worker1@host")).isEqualTo(Binding.of("worker1@host.celery.pidbox", "celery.pidbox", ""));
        assertThat(CeleryTopology.replyExchange()).isEqualTo(new ExchangeSpec("reply.celery.pidbox", ExchangeType.DIRECT, false, false, Map.of()));
        assertThat(CeleryTopology.replyQueue("oid").name()).isEqualTo("oid.reply.celery.pidbox");
        assertThat(CeleryTopology.replyBinding("oid")).isEqualTo(Binding.of("oid.reply.celery.pidbox", "reply.celery.pidbox", "oid"));
        assertThat(CeleryTopology.eventExchange()).isEqualTo(new ExchangeSpec("celeryev", ExchangeType.TOPIC, true, false, Map.of()));
        assertThat(CeleryTopology.eventQueue("u")).isEqualTo(new QueueSpec("celeryev.u", false, true, true,
                Map.of("x-expires", 60_000L, "x-message-ttl", 5_000L)));
        assertThat(CeleryTopology.eventRoutingKey("worker-heartbeat")).isEqualTo("worker.heartbeat");
    }

    @Test
    void declarationsAreChecked() {
        assertThat(ExchangeType.of(" Topic ")).isEqualTo(ExchangeType.TOPIC);
        assertThatThrownBy(() -> ExchangeType.of("headers")).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> ExchangeType.of(null)).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> QueueSpec.durable("q").withMaxPriority(256)).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> QueueSpec.durable("q").withArgument("x-max-priority", "ten"))
                .isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> QueueSpec.durable("q").withExpires(Duration.ZERO)).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> QueueSpec.durable("q").withMessageTtl(Duration.ofMillis(-1))).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> Binding.of("q", "", "k")).isInstanceOf(InvalidDeclarationException.class);
        assertThatThrownBy(() -> new ConsumeOptions(65_536, false)).isInstanceOf(InvalidDeclarationException.class);
        assertThat(ConsumeOptions.noAck()).isEqualTo(new ConsumeOptions(0, true));
    }

    @Test
    void optionsNeverShowValuesAndAnUnknownSchemeIsTyped() {
        assertThat(BrokerOptions.defaults().with("password", "s3cret").toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> Celeriac.builder().discover(false).build().openBroker("amqp://u:s3cret@h//;amqp://h2//"))
                .isInstanceOf(UnknownSchemeException.class).hasMessageNotContaining("s3cret");
    }
}
