package io.celeriac.backend.amqp.events;

import io.celeriac.Celeriac;
import io.celeriac.backend.amqp.events.internal.AmqpEventSource;
import io.celeriac.events.Event;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the RabbitMQ event source declares, seen from the server ({@code rabbitmqctl list_*} of the test's own
 * virtual host); a source whose queue is deleted under it subscribes again; binding keys other than {@code #}.
 */
class AmqpEventSourceTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    private static String ctl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add("/usr/sbin/rabbitmqctl");
        cmd.add("-q");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static Map<String, Object> heartbeat(long n) {
        return Map.of("hostname", "w@kit", "clock", n, "type", "worker-heartbeat");
    }

    @Test
    void itDeclaresWhatCeleryDeclares() throws Exception {
        try (PrivateEventVhost vhost = PrivateEventVhost.create();
             EventSource source = CELERIAC.openEventSource(vhost.url(), EventSourceOptions.defaults())) {
            source.start(e -> { });
            await().atMost(t(30)).until(source::isConnected);
            String queue = ((AmqpEventSource) source).queue();
            assertThat(queue).matches("celeryev\\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            String exchanges = ctl("list_exchanges", "-p", vhost.name(), "name", "type", "durable", "auto_delete",
                    "internal", "arguments");
            assertThat(exchanges).containsPattern("(?m)^celeryev\\s+topic\\s+true\\s+false\\s+false\\s+\\[\\]\\s*$")
                    .containsPattern("(?m)^celery\\.pidbox\\s+fanout\\s+false\\s+false\\s+false\\s+\\[\\]\\s*$");
            String queues = ctl("list_queues", "-p", vhost.name(), "name", "durable", "auto_delete", "exclusive",
                    "arguments", "consumers");
            assertThat(queues).containsPattern("(?m)^" + queue.replace(".", "\\.") + "\\s+false\\s+true\\s+true\\s+"
                    + "\\[\\{\"x-expires\",60000\\},\\{\"x-message-ttl\",5000\\}\\]\\s+1\\s*$");
            String bindings = ctl("list_bindings", "-p", vhost.name(), "source_name", "destination_name", "routing_key");
            assertThat(bindings).containsPattern("(?m)^celeryev\\s+" + queue.replace(".", "\\.") + "\\s+#\\s*$");
            String consumers = ctl("list_consumers", "-p", vhost.name(), "queue_name", "ack_required");
            assertThat(consumers).containsPattern("(?m)^" + queue.replace(".", "\\.") + "\\s+false\\s*$");
        }
    }

    @Test
    void aSourceWhoseQueueIsDeletedSubscribesAgain() throws Exception {
        try (PrivateEventVhost vhost = PrivateEventVhost.create();
             EventSource source = CELERIAC.openEventSource(vhost.url(), EventSourceOptions.defaults())) {
            List<Event> got = new CopyOnWriteArrayList<>();
            source.start(got::add);
            await().atMost(t(30)).until(source::isConnected);
            vhost.publishEvent("worker.heartbeat", CeleryJson.encode(heartbeat(1)));
            await().atMost(t(30)).until(() -> got.size() == 1);
            AmqpEventSource amqp = (AmqpEventSource) source;
            assertThat(amqp.subscriptions()).isEqualTo(1);
            ctl("delete_queue", "-p", vhost.name(), amqp.queue());
            await("subscribed again").atMost(t(30)).until(() -> amqp.subscriptions() == 2 && source.isConnected());
            long[] n = {1};
            await("events flow again").atMost(t(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                vhost.publishEvent("worker.heartbeat", CeleryJson.encode(heartbeat(++n[0])));
                return got.size() > 1;
            });
            assertThat(source.messagesRejected()).isZero();
        }
    }

    @Test
    void bindingKeysOtherThanEverything() throws Exception {
        try (PrivateEventVhost vhost = PrivateEventVhost.create();
             EventSource source = CELERIAC.openEventSource(vhost.url() + "?routing_key=worker.%23,task-sent&wakeup=false",
                     EventSourceOptions.defaults())) {
            List<String> got = new CopyOnWriteArrayList<>();
            source.start(e -> got.add(e.type()));
            await().atMost(t(30)).until(source::isConnected);
            vhost.publishEvent("task.multi", CeleryJson.encode(List.of(Map.of("uuid", "u", "type", "task-started"))));
            vhost.publishEvent("task.sent", CeleryJson.encode(Map.of("uuid", "u", "type", "task-sent")));
            vhost.publishEvent("task.received", CeleryJson.encode(Map.of("uuid", "u", "type", "task-received")));
            vhost.publishEvent("worker.offline", CeleryJson.encode(Map.of("hostname", "w@kit", "type", "worker-offline")));
            await().atMost(t(30)).until(() -> got.size() >= 2);
            assertThat(got).containsExactly("task-sent", "worker-offline");
            String exchanges = ctl("list_exchanges", "-p", vhost.name(), "name");
            assertThat(exchanges).as("no wake-up, no pidbox exchange").doesNotContain("celery.pidbox");
        }
    }
}
