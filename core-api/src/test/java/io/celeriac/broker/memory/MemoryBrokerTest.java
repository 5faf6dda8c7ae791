package io.celeriac.broker.memory;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.broker.Binding;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.BrokerRefusedException;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.DeclarationConflictException;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.ExchangeNotFoundException;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.Message;
import io.celeriac.broker.QueueNotFoundException;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.Subscription;
import io.celeriac.broker.memory.internal.MemoryBroker;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What the broker kit cannot see: servers shared by name, their lifetime, the settings, and RabbitMQ's queue flags. */
class MemoryBrokerTest {

    private final Celeriac celeriac = Celeriac.discover();

    private static String unique(String what) {
        return what + "-" + UUID.randomUUID();
    }

    private static Message text(String body) {
        return Message.builder().body(body).build();
    }

    @Test
    void theProviderIsDiscoveredForMemoryUrls() {
        assertThat(celeriac.brokers().schemes()).contains("memory");
        try (Broker b = celeriac.openBroker("memory://")) {
            assertThat(b).isInstanceOf(MemoryBroker.class);
            assertThat(b.asUri()).isEqualTo("memory://");
            assertThat(b.isConnected()).isTrue();
        }
    }

    @Test
    void brokersOfOneNameShareQueuesAndAnotherNameIsAnotherServer() throws Exception {
        String name = unique("shared");
        String q = unique("tasks");
        try (Broker client = celeriac.openBroker("memory://" + name); Broker worker = celeriac.openBroker("memory://" + name);
             Broker other = celeriac.openBroker("memory://" + unique("other"))) {
            worker.declareQueue(QueueSpec.durable(q));
            BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
            worker.consume(List.of(q), ConsumeOptions.prefetch(1), d -> {
                got.add(d);
                d.ack();
            });
            client.publish("", q, text("from the client"));
            Delivery d = got.poll(10, TimeUnit.SECONDS);
            assertThat(d).isNotNull();
            assertThat(d.message().bodyAsString()).isEqualTo("from the client");
            assertThat(client.queueStats(q).consumers()).isEqualTo(1);
            assertThatThrownBy(() -> other.queueStats(q)).isInstanceOf(QueueNotFoundException.class);
        }
    }

    @Test
    void theDefaultServerIsSharedByEveryPlainMemoryUrl() {
        String q = unique("default");
        try (Broker a = celeriac.openBroker("memory://"); Broker b = celeriac.openBroker("memory:///")) {
            a.declareQueue(QueueSpec.durable(q));
            b.publish("", q, text("x"));
            assertThat(a.queueStats(q).messages()).isEqualTo(1);
            a.deleteQueue(q);
        }
    }

    @Test
    void aServerLivesWhileOneOfItsBrokersIsOpen() {
        String url = "memory://" + unique("lifetime");
        String q = unique("q");
        try (Broker first = celeriac.openBroker(url)) {
            first.declareQueue(QueueSpec.durable(q));
            first.publish("", q, text("kept"));
            try (Broker second = celeriac.openBroker(url)) {
                assertThat(second.queueStats(q).messages()).isEqualTo(1);
            }
            assertThat(first.queueStats(q).messages()).as("still held by the first broker").isEqualTo(1);
        }
        try (Broker again = celeriac.openBroker(url)) {
            assertThatThrownBy(() -> again.queueStats(q)).isInstanceOf(QueueNotFoundException.class);
        }
    }

    @Test
    void settingsAreRefusedAndTheNameIsHostAndPath() {
        assertThatThrownBy(() -> celeriac.openBroker("memory://x?visibility_timeout=10"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("visibility_timeout");
        assertThatThrownBy(() -> celeriac.openBroker("memory://x", BrokerOptions.defaults().with("heartbeat", "30")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("heartbeat");
        assertThat(MemoryBrokerConfig.parse(BackendUrl.parse("memory://"), BrokerOptions.defaults()).serverName()).isEmpty();
        assertThat(MemoryBrokerConfig.parse(BackendUrl.parse("memory:///"), BrokerOptions.defaults()).serverName()).isEmpty();
        assertThat(MemoryBrokerConfig.parse(BackendUrl.parse("memory://App/one/"), BrokerOptions.defaults()).serverName())
                .isEqualTo("app/one");
    }

    @Test
    void aQueueUnusedPastItsExpiresIsDeletedButNotWhileConsumed() {
        try (Broker b = celeriac.openBroker("memory://" + unique("expires"))) {
            String idle = unique("idle");
            b.declareQueue(QueueSpec.autoDelete(idle).withExpires(Duration.ofMillis(100)));
            String consumed = unique("consumed");
            b.declareQueue(QueueSpec.durable(consumed).withExpires(Duration.ofMillis(100)));
            Subscription s = b.consume(List.of(consumed), ConsumeOptions.noAck(), d -> { });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThatThrownBy(() -> b.queueStats(idle)).isInstanceOf(QueueNotFoundException.class));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> b.queueStats(consumed).consumers() == 1);
            s.cancel();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThatThrownBy(() -> b.queueStats(consumed)).isInstanceOf(QueueNotFoundException.class));
        }
    }

    @Test
    void anAutoDeleteQueueGoesWithItsLastConsumer() {
        try (Broker b = celeriac.openBroker("memory://" + unique("autodelete"))) {
            String q = unique("q");
            b.declareQueue(QueueSpec.autoDelete(q));
            Subscription s1 = b.consume(List.of(q), ConsumeOptions.noAck(), d -> { });
            Subscription s2 = b.consume(List.of(q), ConsumeOptions.noAck(), d -> { });
            s1.cancel();
            assertThat(b.queueStats(q).consumers()).isEqualTo(1);
            s2.cancel();
            assertThatThrownBy(() -> b.queueStats(q)).isInstanceOf(QueueNotFoundException.class);
        }
    }

    @Test
    void anExclusiveQueueBelongsToItsBrokerAndGoesWhenItCloses() {
        String url = "memory://" + unique("exclusive");
        String q = unique("q");
        try (Broker other = celeriac.openBroker(url)) {
            Broker owner = celeriac.openBroker(url);
            owner.declareQueue(QueueSpec.autoDelete(q).withExclusive(true));
            assertThatThrownBy(() -> other.declareQueue(QueueSpec.autoDelete(q).withExclusive(true)))
                    .isInstanceOf(DeclarationConflictException.class).hasMessageContaining("exclusive");
            assertThatThrownBy(() -> other.consume(List.of(q), ConsumeOptions.noAck(), d -> { }))
                    .isInstanceOf(BrokerRefusedException.class);
            other.publish("", q, text("anyone may publish"));
            assertThat(owner.queueStats(q).messages()).isEqualTo(1);
            owner.close();
            assertThatThrownBy(() -> other.queueStats(q)).isInstanceOf(QueueNotFoundException.class);
        }
    }

    @Test
    void deletingAQueueCancelsItsConsumersAndItsBindings() {
        try (Broker b = celeriac.openBroker("memory://" + unique("delete"))) {
            String x = unique("x");
            String q = unique("q");
            b.declareExchange(ExchangeSpec.direct(x).withAutoDelete(true));
            b.declareQueue(QueueSpec.durable(q));
            b.bind(Binding.of(q, x, "k"));
            Subscription s = b.consume(List.of(q), ConsumeOptions.prefetch(1), d -> { });
            b.deleteQueue(q);
            assertThat(s.isActive()).isFalse();
            assertThatThrownBy(() -> b.publish(x, "k", text("x")))
                    .as("an auto-delete exchange goes with its last binding").isInstanceOf(ExchangeNotFoundException.class);
            b.declareQueue(QueueSpec.durable(q));
            assertThat(b.queueStats(q).consumers()).isZero();
        }
    }

    @Test
    void priorityAboveTheQueuesMaximumCountsAsTheMaximumAndPlainQueuesIgnoreIt() throws Exception {
        try (Broker b = celeriac.openBroker("memory://" + unique("priority"))) {
            String capped = unique("capped");
            b.declareQueue(QueueSpec.durable(capped).withMaxPriority(3));
            String plain = unique("plain");
            b.declareQueue(QueueSpec.durable(plain));
            for (String[] m : new String[][] {{"a", "9"}, {"b", "3"}, {"c", "200"}, {"d", "1"}}) {
                Message msg = Message.builder().body(m[0]).priority(Integer.parseInt(m[1])).build();
                b.publish("", capped, msg);
                b.publish("", plain, msg);
            }
            assertThat(drain(b, capped, 4)).containsExactly("a", "b", "c", "d");
            assertThat(drain(b, plain, 4)).containsExactly("a", "b", "c", "d");
            String ordered = unique("ordered");
            b.declareQueue(QueueSpec.durable(ordered).withMaxPriority(3));
            b.publish("", ordered, Message.builder().body("low").priority(1).build());
            b.publish("", ordered, Message.builder().body("high").priority(7).build());
            assertThat(drain(b, ordered, 2)).containsExactly("high", "low");
        }
    }

    private static List<String> drain(Broker b, String q, int n) throws InterruptedException {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        Subscription s = b.consume(List.of(q), ConsumeOptions.prefetch(1), d -> {
            got.add(d.message().bodyAsString());
            d.ack();
        });
        try {
            List<String> out = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                String m = got.poll(10, TimeUnit.SECONDS);
                assertThat(m).as("message %d of %s", i, q).isNotNull();
                out.add(m);
            }
            return out;
        } finally {
            s.cancel();
        }
    }
}
