package io.celeriac.backend.amqp.backend;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.tck.Tck;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the rpc:// backend puts on the wire, read raw with amqp-client and compared with Celery 5.2.6's capture
 * (celery-broker-wire.md §4): the result messages' properties and bodies, and the reply queue's declaration.
 */
class RpcWireTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private RabbitTestServer rabbit;
    private Connection raw;
    private Channel channel;
    private String queue;

    @BeforeEach
    void setUp() throws Exception {
        rabbit = TestServices.rabbitmq();
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(rabbit.url().replaceFirst("//$", "/%2F"));
        raw = f.newConnection("rpc-wire-test");
        channel = raw.createChannel();
        queue = "celeriac-rpc-wire-" + UUID.randomUUID();
        channel.queueDeclare(queue, false, false, true, null);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (raw != null) {
            Channel ch = raw.createChannel();
            ch.queueDelete(queue);
            raw.close();
        }
    }

    private Backend open(BackendOptions.Builder options) {
        return open("rpc://", options);
    }

    private Backend open(String url, BackendOptions.Builder options) {
        return CELERIAC.openBackend(url, options.property(RpcBackendConfig.BROKER_URL, rabbit.url()).build());
    }

    private GetResponse next() {
        GetResponse[] got = new GetResponse[1];
        await().atMost(Tck.timeout(Duration.ofSeconds(10))).until(() -> {
            got[0] = channel.basicGet(queue, true);
            return got[0] != null;
        });
        return got[0];
    }

    /** Every property as §4 lists it: these five present, the others absent. */
    private static void assertResultProperties(GetResponse r, String correlationId, int deliveryMode) {
        AMQP.BasicProperties p = r.getProps();
        assertThat(p.getContentType()).isEqualTo("application/json");
        assertThat(p.getContentEncoding()).isEqualTo("utf-8");
        assertThat(p.getHeaders()).as("an empty header table is sent").isNotNull().isEmpty();
        assertThat(p.getDeliveryMode()).isEqualTo(deliveryMode);
        assertThat(p.getPriority()).isZero();
        assertThat(p.getCorrelationId()).isEqualTo(correlationId);
        assertThat(p.getReplyTo()).isNull();
        assertThat(p.getExpiration()).isNull();
        assertThat(p.getMessageId()).isNull();
        assertThat(p.getTimestamp()).isNull();
        assertThat(p.getType()).isNull();
        assertThat(p.getUserId()).isNull();
        assertThat(p.getAppId()).isNull();
        assertThat(p.getClusterId()).isNull();
    }

    private static String body(GetResponse r) {
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }

    @Test
    void resultMessagesAreCeleryFiveTwoSix() {
        try (Backend b = open(BackendOptions.builder())) {
            String id = UUID.randomUUID().toString();
            TaskRequest request = TaskRequest.builder().task("proj.add").hostname("worker1@host").replyTo(queue)
                    .correlationId(id).build();
            b.storeResult(id, Map.of("pid", 1234L, "hostname", "worker1@host"), TaskState.STARTED, null, request);
            b.markAsDone(id, 6L, request);
            GetResponse started = next();
            assertThat(started.getEnvelope().getExchange()).isEmpty();
            assertThat(started.getEnvelope().getRoutingKey()).isEqualTo(queue);
            assertResultProperties(started, id, 1);
            assertThat(body(started)).isIn(
                    "{\"task_id\": \"" + id + "\", \"status\": \"STARTED\", \"result\": {\"pid\": 1234, \"hostname\": "
                            + "\"worker1@host\"}, \"traceback\": null, \"children\": []}",
                    "{\"task_id\": \"" + id + "\", \"status\": \"STARTED\", \"result\": {\"hostname\": "
                            + "\"worker1@host\", \"pid\": 1234}, \"traceback\": null, \"children\": []}");
            GetResponse done = next();
            assertResultProperties(done, id, 1);
            assertThat(body(done)).isEqualTo("{\"task_id\": \"" + id + "\", \"status\": \"SUCCESS\", \"result\": 6, "
                    + "\"traceback\": null, \"children\": []}");

            String failed = UUID.randomUUID().toString();
            TaskRequest fr = TaskRequest.builder().task("proj.fail").replyTo(queue).correlationId(failed).build();
            String tb = "Traceback (most recent call last):\n  File \"proj.py\", line 1\nValueError: boom\n";
            b.markAsFailure(failed, ExceptionInfo.builtin("ValueError", "boom"), tb, fr);
            GetResponse f = next();
            assertResultProperties(f, failed, 1);
            assertThat(body(f)).isEqualTo("{\"task_id\": \"" + failed + "\", \"status\": \"FAILURE\", \"result\": "
                    + "{\"exc_type\": \"ValueError\", \"exc_message\": [\"boom\"], \"exc_module\": \"builtins\"}, "
                    + "\"traceback\": \"Traceback (most recent call last):\\n  File \\\"proj.py\\\", line 1\\n"
                    + "ValueError: boom\\n\", \"children\": []}");

            String retried = UUID.randomUUID().toString();
            TaskRequest rr = TaskRequest.builder().task("proj.retrying").replyTo(queue).correlationId(retried).build();
            b.markAsRetry(retried, ExceptionInfo.builtin("KeyError", "again"), "tb", rr);
            assertThat(body(next())).isEqualTo("{\"task_id\": \"" + retried + "\", \"status\": \"RETRY\", \"result\": "
                    + "{\"exc_type\": \"KeyError\", \"exc_message\": [\"again\"], \"exc_module\": \"builtins\"}, "
                    + "\"traceback\": \"tb\", \"children\": []}");

            String revoked = UUID.randomUUID().toString();
            TaskRequest vr = TaskRequest.builder().task("proj.slow").replyTo(queue).correlationId(revoked).build();
            b.markAsRevoked(revoked, "terminated", vr);
            GetResponse v = next();
            assertResultProperties(v, revoked, 1);
            assertThat(body(v)).isEqualTo("{\"task_id\": \"" + revoked + "\", \"status\": \"REVOKED\", \"result\": "
                    + "{\"exc_type\": \"TaskRevokedError\", \"exc_message\": [\"terminated\"], \"exc_module\": "
                    + "\"celery.exceptions\"}, \"traceback\": null, \"children\": []}");
        }
    }

    @Test
    void theCorrelationIdIsTheRequestsAndResultPersistentSendsDeliveryModeTwo() {
        try (Backend b = open(BackendOptions.builder().property(RpcBackendConfig.RESULT_PERSISTENT, "true"))) {
            String id = UUID.randomUUID().toString();
            b.markAsDone(id, "x", TaskRequest.builder().replyTo(queue).correlationId("corr-" + id).build());
            GetResponse r = next();
            assertResultProperties(r, "corr-" + id, 2);
            assertThat(body(r)).startsWith("{\"task_id\": \"" + id + "\", \"status\": \"SUCCESS\"");
            b.markAsDone(id, "y", TaskRequest.builder().replyTo(queue).build());
            assertThat(next().getProps().getCorrelationId()).as("no correlation id: the task id").isEqualTo(id);
        }
    }

    @Test
    void resultExtendedSendsTheWholeMetaAsCeleryFiveSevenDoes() {
        try (Backend b = open(BackendOptions.builder().resultExtended(true))) {
            String id = UUID.randomUUID().toString();
            TaskRequest request = TaskRequest.builder().task("proj.add").args(List.of(2L, 3L)).kwargs(Map.of())
                    .hostname("worker1@host").retries(0).queue("celery").parentId("p-" + id).replyTo(queue)
                    .correlationId(id).build();
            TaskMeta written = b.markAsDone(id, 5L, request);
            String text = body(next());
            assertThat(text).startsWith("{\"status\": \"SUCCESS\", \"result\": 5, \"traceback\": null, \"children\": [], "
                    + "\"date_done\": \"").endsWith(", \"task_id\": \"" + id + "\"}")
                    .contains("\"parent_id\": \"p-" + id + "\"", "\"name\": \"proj.add\"", "\"args\": [2, 3]",
                            "\"worker\": \"worker1@host\"", "\"queue\": \"celery\"");
            assertThat(written.dateDone()).isNotNull();
        }
    }

    @Test
    void theReplyQueueIsDeclaredAsCeleryDeclaresIt() throws Exception {
        try (Backend b = open(BackendOptions.builder())) {
            String reply = b.replyQueue().orElseThrow();
            assertThat(reply).matches("[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            // an equivalent declaration from another connection succeeds: non-durable, auto-delete, not exclusive,
            // x-expires one day
            AMQP.Queue.DeclareOk ok = channel.queueDeclare(reply, false, false, true, Map.of("x-expires", 86_400_000));
            assertThat(ok.getConsumerCount()).isEqualTo(1);
            Channel other = raw.createChannel();
            assertThatThrownBy(() -> other.queueDeclare(reply, true, false, true, Map.of("x-expires", 86_400_000)))
                    .as("a durable declaration conflicts").isInstanceOf(IOException.class);
            try (Backend second = open(BackendOptions.builder())) {
                assertThat(second.replyQueue()).isPresent().isNotEqualTo(b.replyQueue());
            }
        }
    }

    @Test
    void celeryFiveSevenDeclaresADurableReplyQueueWithTheExpiryOfResultExpires() throws Exception {
        try (Backend b = open(BackendOptions.builder().property(RpcBackendConfig.DURABLE_REPLY_QUEUE, "true")
                .resultExpires(Duration.ofSeconds(90)))) {
            String reply = b.replyQueue().orElseThrow();
            AMQP.Queue.DeclareOk ok = channel.queueDeclare(reply, true, false, true, Map.of("x-expires", 90_000));
            assertThat(ok.getConsumerCount()).isEqualTo(1);
        }
    }

    @Test
    void celeryVersionFiveSevenSendsTheWholeMetaToADurableQueue() throws Exception {
        try (Backend b = open("rpc://?celery_version=5.7", BackendOptions.builder())) {
            AMQP.Queue.DeclareOk ok = channel.queueDeclare(b.replyQueue().orElseThrow(), true, false, true,
                    Map.of("x-expires", 86_400_000));
            assertThat(ok.getConsumerCount()).isEqualTo(1);
            String id = UUID.randomUUID().toString();
            b.markAsDone(id, 5L, TaskRequest.builder().task("proj.add").replyTo(queue).correlationId(id).build());
            GetResponse r = next();
            assertResultProperties(r, id, 1);
            assertThat(body(r)).matches("\\{\"status\": \"SUCCESS\", \"result\": 5, \"traceback\": null, "
                    + "\"children\": \\[\\], \"date_done\": \"[0-9T:.-]+\\+00:00\", \"task_id\": \"" + id + "\"\\}");
        }
    }
}
