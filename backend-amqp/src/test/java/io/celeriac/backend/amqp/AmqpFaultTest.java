package io.celeriac.backend.amqp;

import io.celeriac.Celeriac;
import io.celeriac.CeleriacException;
import io.celeriac.broker.Broker;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Message;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.StaleDeliveryException;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PrivateRabbitMq;
import io.celeriac.testing.TcpProxy;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Faults under load: threads publish (with confirms) and a subscription consumes (with acks) while the broker is
 * stopped and started again (a private RabbitMQ node of the test's own, never the machine's shared one), or while
 * every connection is cut. Nothing confirmed is lost, and a live consumer never gets one message twice without the
 * redelivered flag.
 */
class AmqpFaultTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    /** What a run under faults saw. */
    private static final class Load implements AutoCloseable {
        final Set<String> confirmed = ConcurrentHashMap.newKeySet();
        final Set<String> consumed = ConcurrentHashMap.newKeySet();
        final Set<String> attemptsSeen = ConcurrentHashMap.newKeySet();
        final List<String> duplicatesWithoutFlag = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger failedPublishes = new AtomicInteger();
        final AtomicInteger staleAcks = new AtomicInteger();
        final AtomicInteger redelivered = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> publishers = new ArrayList<>();
        final Broker broker;
        final String queue = "fault-" + UUID.randomUUID();

        Load(String url, int threads) {
            broker = CELERIAC.openBroker(url);
            broker.declareQueue(QueueSpec.durable(queue));
            broker.consume(List.of(queue), ConsumeOptions.prefetch(20), d -> {
                String attempt = d.message().messageId();
                if (!attemptsSeen.add(attempt) && !d.redelivered()) {
                    duplicatesWithoutFlag.add(attempt);
                }
                if (d.redelivered()) {
                    redelivered.incrementAndGet();
                }
                consumed.add(d.message().correlationId());
                try {
                    d.ack();
                } catch (StaleDeliveryException e) {
                    staleAcks.incrementAndGet();
                }
            });
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread th = new Thread(() -> publishLoop(thread), "fault-publisher-" + t);
                th.setDaemon(true);
                publishers.add(th);
                th.start();
            }
        }

        void publishLoop(int thread) {
            int i = 0;
            while (running.get()) {
                String id = thread + "-" + i;
                Message m = Message.builder().body("[[" + i + "], {}, {}]").correlationId(id)
                        .messageId(UUID.randomUUID().toString()).header("task", "fault.test").build();
                try {
                    broker.publish("", queue, m);
                    confirmed.add(id);
                    i++;
                } catch (CeleriacException e) {
                    failedPublishes.incrementAndGet();
                    pause(50);
                }
            }
        }

        void awaitConfirmedMore(int more) {
            int target = confirmed.size() + more;
            await().atMost(Tck.timeout(Duration.ofSeconds(120))).until(() -> confirmed.size() >= target);
        }

        void finish() throws InterruptedException {
            running.set(false);
            for (Thread t : publishers) {
                t.join(Tck.timeout(Duration.ofSeconds(60)).toMillis());
            }
            await().atMost(Tck.timeout(Duration.ofSeconds(120))).until(() -> consumed.containsAll(confirmed));
        }

        @Override
        public void close() {
            running.set(false);
            try {
                broker.deleteQueue(queue);
            } catch (RuntimeException e) {
                // best effort
            }
            broker.close();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void check(Load load) {
        assertThat(load.consumed).as("every confirmed publish was consumed").containsAll(load.confirmed);
        assertThat(load.duplicatesWithoutFlag).as("no message came twice to the live consumer without the redelivered flag")
                .isEmpty();
        assertThat(load.broker.isConnected()).isTrue();
    }

    @Test
    @Timeout(600)
    void nothingConfirmedIsLostWhenThePrivateNodeStopsAndStartsAgain() throws Exception {
        assumeTrue(PrivateRabbitMq.available() || "true".equalsIgnoreCase(System.getenv("CI")),
                "rabbitmq-server is not installed here, so no private node can be started");
        try (PrivateRabbitMq node = PrivateRabbitMq.start();
             Load load = new Load(node.url() + "?recovery_interval=0.5&confirm_timeout=10&heartbeat=5&connect_timeout=3", 3)) {
            load.awaitConfirmedMore(300);
            for (int round = 0; round < 2; round++) {
                node.stop();
                await().atMost(Tck.timeout(Duration.ofSeconds(30))).until(() -> !load.broker.isConnected());
                int before = load.failedPublishes.get();
                await().atMost(Tck.timeout(Duration.ofSeconds(30))).until(() -> load.failedPublishes.get() > before);
                node.restart();
                await().atMost(Tck.timeout(Duration.ofSeconds(60))).until(load.broker::isConnected);
                load.awaitConfirmedMore(300);
            }
            load.finish();
            check(load);
            assertThat(load.failedPublishes.get()).as("publishes failed, typed, while the node was down").isPositive();
        }
    }

    @Test
    @Timeout(300)
    void nothingConfirmedIsLostWhenEveryConnectionIsCut() throws Exception {
        var server = TestServices.rabbitmq();
        try (TcpProxy proxy = new TcpProxy(server.host(), server.port())) {
            String url = server.url().replace(server.host() + ":" + server.port(), "127.0.0.1:" + proxy.port())
                    + "?recovery_interval=0.3&confirm_timeout=10";
            try (Load load = new Load(url, 4)) {
                load.awaitConfirmedMore(300);
                for (int round = 0; round < 3; round++) {
                    proxy.cutAll();
                    load.awaitConfirmedMore(300);
                }
                load.finish();
                check(load);
            }
        }
    }
}
