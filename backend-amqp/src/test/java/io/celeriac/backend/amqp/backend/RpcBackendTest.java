package io.celeriac.backend.amqp.backend;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.celeriac.Celeriac;
import io.celeriac.UnsupportedCapabilityException;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.tck.Tck;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TcpProxy;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The rpc:// backend's own behaviour beyond the kit: refusals, routing, recovery, unreachable brokers. */
class RpcBackendTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    private static Backend open(String brokerUrl) {
        return CELERIAC.openBackend("rpc://", BackendOptions.builder()
                .property(RpcBackendConfig.BROKER_URL, brokerUrl).build());
    }

    private static Connection raw(String url) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(url.replaceFirst("//$", "/%2F"));
        return f.newConnection("rpc-backend-test");
    }

    private static AMQP.BasicProperties resultProperties(String correlationId) {
        return new AMQP.BasicProperties.Builder().contentType("application/json").contentEncoding("utf-8")
                .headers(Map.of()).deliveryMode(1).priority(0).correlationId(correlationId).build();
    }

    @Test
    void chordsAndGroupsFailWithCelerysText() {
        try (Backend b = open(TestServices.rabbitmq().url())) {
            assertThat(b.asUri()).isEqualTo("rpc://");
            assertThatThrownBy(() -> b.setChordSize("g", 3))
                    .isInstanceOf(UnsupportedCapabilityException.class)
                    .hasMessageContaining("The \"rpc\" result backend does not support chords!\n\nNote that a group "
                            + "chained with a task is also upgraded to be a chord,\nas this pattern requires "
                            + "synchronization.\n\nResult backends that supports chords: Redis, Database, Memcached, "
                            + "and more.");
            assertThatThrownBy(() -> b.onChordPartReturn(new ChordPart("g", "t", 0, TaskState.SUCCESS, 1L, 1, null)))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("does not support chords");
            assertThatThrownBy(() -> b.saveGroup(GroupResult.ofTaskIds("g", List.of("t"))))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("save_group");
            // a worker storing a chord part's result sends the result and counts nothing, as Celery's rpc:// does
            String id = UUID.randomUUID().toString();
            TaskRequest part = TaskRequest.builder().group("g-" + id).groupIndex(0)
                    .chord(Map.of("task", "proj.tsum", "chord_size", 2L)).build();
            b.markAsDone(id, 1L, part);
            assertThat(b.getTaskMeta(id).status()).isEqualTo(TaskState.SUCCESS);
        }
    }

    @Test
    void messagesAreRoutedByCorrelationIdAndSuccessStaysTheLatestState() throws Exception {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        try (Backend b = open(rabbit.url()); Connection c = raw(rabbit.url())) {
            String queue = b.replyQueue().orElseThrow();
            String id = UUID.randomUUID().toString();
            CompletableFuture<TaskMeta> wait = b.waitForAsync(id, t(20));
            Channel ch = c.createChannel();
            ch.basicPublish("", queue, resultProperties(id), ("{\"task_id\": \"" + id + "\", \"status\": \"STARTED\", "
                    + "\"result\": {\"pid\": 1}, \"traceback\": null, \"children\": []}").getBytes(StandardCharsets.UTF_8));
            await().atMost(t(10)).until(() -> b.getStatus(id).equals(TaskState.STARTED));
            assertThat(wait).isNotDone();
            ch.basicPublish("", queue, resultProperties(id), "not json".getBytes(StandardCharsets.UTF_8));
            // the body's task_id is older Celery's fallback: the correlation id decides
            ch.basicPublish("", queue, resultProperties(id), "{\"task_id\": \"other\", \"status\": \"SUCCESS\", \"result\": 6, \"traceback\": null, \"children\": []}".getBytes(StandardCharsets.UTF_8));
            TaskMeta done = wait.get(t(20).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(done.status()).isEqualTo(TaskState.SUCCESS);
            assertThat(done.result()).isEqualTo(6L);
            assertThat(done.dateDone()).as("the arrival time for a message without date_done").isNotNull();
            ch.basicPublish("", queue, resultProperties(id), ("{\"task_id\": \"" + id + "\", \"status\": \"FAILURE\", "
                    + "\"result\": null, \"traceback\": null, \"children\": []}").getBytes(StandardCharsets.UTF_8));
            String marker = UUID.randomUUID().toString();
            ch.basicPublish("", queue, resultProperties(marker), ("{\"task_id\": \"" + marker + "\", \"status\": "
                    + "\"SUCCESS\", \"result\": 1, \"traceback\": null, \"children\": []}").getBytes(StandardCharsets.UTF_8));
            await().atMost(t(10)).until(() -> b.getStatus(marker).equals(TaskState.SUCCESS));
            assertThat(b.getTaskMeta(id).result()).isEqualTo(6L);
            b.forget(id);
            assertThat(b.getStatus(id)).isEqualTo(TaskState.PENDING);
        }
    }

    @Test
    void theReplyQueueComesBackWithTheConnection() throws Exception {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        try (TcpProxy proxy = new TcpProxy(rabbit.host(), rabbit.port());
             Connection c = raw(rabbit.url())) {
            String url = rabbit.url().replace(rabbit.host() + ":" + rabbit.port(), "127.0.0.1:" + proxy.port())
                    + "?recovery_interval=0.2";
            try (Backend b = open(url)) {
                String queue = b.replyQueue().orElseThrow();
                assertThat(consumers(c, queue)).isEqualTo(1);
                proxy.accepting(false);
                proxy.cutAll();
                // the consumer is gone with its connection, and RabbitMQ deletes the auto-delete queue
                await().atMost(t(30)).pollInterval(Duration.ofMillis(50)).until(() -> consumers(c, queue) == -1);
                proxy.accepting(true);
                await().atMost(t(30)).pollInterval(Duration.ofMillis(100)).until(() -> consumers(c, queue) == 1);
                Channel ch = c.createChannel();
                String id = UUID.randomUUID().toString();
                ch.basicPublish("", queue, resultProperties(id), ("{\"task_id\": \"" + id + "\", \"status\": "
                        + "\"SUCCESS\", \"result\": 42, \"traceback\": null, \"children\": []}")
                        .getBytes(StandardCharsets.UTF_8));
                assertThat(b.waitFor(id, t(20)).result()).isEqualTo(42L);
                String own = UUID.randomUUID().toString();
                b.storeResult(own, "after recovery", TaskState.SUCCESS);
                assertThat(b.getResult(own)).isEqualTo("after recovery");
            }
        }
    }

    @Test
    void aReplyQueueDeletedByHandIsDeclaredAgainByAWaitOnceTheCancelArrives() throws Exception {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        try (Backend b = open(rabbit.url()); Connection c = raw(rabbit.url())) {
            String queue = b.replyQueue().orElseThrow();
            c.createChannel().queueDelete(queue);
            // the broker's basic.cancel reaches the backend asynchronously; a wait after it declares the queue again
            await().atMost(t(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                b.waitForAsync(UUID.randomUUID().toString()).cancel(false);
                return consumers(c, queue) == 1;
            });
            String id = UUID.randomUUID().toString();
            CompletableFuture<TaskMeta> wait = b.waitForAsync(id, t(20));
            c.createChannel().basicPublish("", queue, resultProperties(id), ("{\"task_id\": \"" + id + "\", "
                    + "\"status\": \"SUCCESS\", \"result\": 7, \"traceback\": null, \"children\": []}")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(wait.get(t(20).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo(7L);
        }
    }

    /** The reply queue's consumer count, or -1 when the queue does not exist. */
    private static int consumers(Connection c, String queue) throws Exception {
        Channel probe = c.createChannel();
        try {
            return probe.queueDeclarePassive(queue).getConsumerCount();
        } catch (java.io.IOException e) {
            return -1;
        } finally {
            if (probe.isOpen()) {
                probe.close();
            }
        }
    }

    @Test
    void anUnreachableBrokerIsATypedErrorWithoutThePassword() {
        assertThatThrownBy(() -> CELERIAC.openBackend("rpc://guest:hunter2@127.0.0.1:1//?connect_timeout=2"))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("cannot connect to RabbitMQ at amqp://guest:**@127.0.0.1:1/")
                .hasMessageNotContaining("hunter2");
    }
}
