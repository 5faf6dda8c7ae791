package io.celeriac.backend.amqp.events;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A virtual host of a test's own on the machine's RabbitMQ (made with {@code rabbitmqctl add_vhost} and
 * {@code set_permissions}, deleted with {@code delete_vhost} on close), so that what a test publishes on
 * {@code celeryev} reaches its own receivers only, and a plain amqp-client connection to it that publishes event
 * messages exactly as Celery 5.2's {@code EventDispatcher} does on kombu's pyamqp transport and records what
 * arrives on an exchange. Not thread-safe: one test thread.
 */
final class PrivateEventVhost implements AutoCloseable {

    /** The hostname header of what this helper publishes. */
    static final String HOSTNAME = "kit@celeriac";
    /** The name prefix of the threads of this helper's own connection. */
    static final String THREAD_PREFIX = "kit-amqp-";

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final RabbitTestServer server;
    private final RabbitTestServer.Vhost vhost;
    private final Connection connection;
    private final Channel publisher;
    private final List<Recorder> recorders = new ArrayList<>();

    private PrivateEventVhost(RabbitTestServer server, RabbitTestServer.Vhost vhost) throws Exception {
        this.server = server;
        this.vhost = vhost;
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(vhost.url());
        f.setAutomaticRecoveryEnabled(false);
        f.setThreadFactory(r -> {
            Thread t = new Thread(r, THREAD_PREFIX + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Connection c = f.newConnection("celeriac-test-publisher");
        this.connection = c;
        this.publisher = c.createChannel();
        publisher.confirmSelect();
        // what Celery's dispatcher declares before it publishes (kombu's Producer, auto_declare)
        publisher.exchangeDeclare("celeryev", "topic", true, false, null);
    }

    /**
     * Makes the virtual host, or skips the test (fails it under {@code CI=true}) when the RabbitMQ in use is not
     * the machine's own.
     *
     * @return the vhost
     * @throws Exception when the broker cannot be reached
     */
    static PrivateEventVhost create() throws Exception {
        RabbitTestServer server = TestServices.rabbitmq();
        if (!server.canCreateVhosts()) {
            String why = "private virtual hosts need the machine's own RabbitMQ and /usr/sbin/rabbitmqctl (" + server + ")";
            if ("true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).strip())) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
        RabbitTestServer.Vhost vhost = server.createVhost();
        try {
            return new PrivateEventVhost(server, vhost);
        } catch (Exception | Error e) {
            vhost.close();
            throw e;
        }
    }

    /** @return the broker URL of the virtual host, e.g. {@code amqp://guest:guest@127.0.0.1:5672/celeriac-test-...} */
    String url() {
        return vhost.url();
    }

    /** @return the virtual host's name */
    String name() {
        return vhost.name();
    }

    /** @return the server */
    RabbitTestServer server() {
        return server;
    }

    /**
     * The URL of the virtual host through another port of the loopback (a proxy in front of the server).
     *
     * @param port the port
     * @return the URL
     */
    String urlThrough(int port) {
        return url().replace(server.host() + ":" + server.port(), "127.0.0.1:" + port);
    }

    /**
     * Publishes an event message as Celery's dispatcher does: on {@code celeryev} with the routing key, the JSON
     * body as it is, {@code application/json}, {@code utf-8}, the {@code hostname} header, transient, priority
     * 0; returns once the broker confirmed it.
     *
     * @param routingKey the routing key
     * @param body the JSON body
     * @throws Exception when the broker cannot be reached
     */
    void publishEvent(String routingKey, byte[] body) throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                .contentEncoding("utf-8").headers(Map.of("hostname", HOSTNAME)).deliveryMode(1).priority(0).build();
        publishRaw("celeryev", routingKey, props, body);
    }

    /**
     * Publishes a message with the given properties and returns once the broker confirmed it.
     *
     * @param exchange the exchange
     * @param routingKey the routing key
     * @param props the properties, or {@code null} for none at all
     * @param body the body
     * @throws Exception when the broker cannot be reached
     */
    void publishRaw(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) throws Exception {
        publisher.basicPublish(exchange, routingKey, props, body);
        publisher.waitForConfirmsOrDie(30_000);
    }

    /**
     * Records every message routed to an exchange with a binding key, through a server-named exclusive queue.
     *
     * @param exchange the exchange, declared here as Celery declares it ({@code celeryev} topic and durable,
     *                 {@code celery.pidbox} fanout and not durable)
     * @param bindingKey the binding key
     * @return the recorder
     * @throws Exception when the broker cannot be reached
     */
    Recorder record(String exchange, String bindingKey) throws Exception {
        Channel ch = connection.createChannel();
        if (exchange.equals("celery.pidbox")) {
            ch.exchangeDeclare(exchange, "fanout", false, false, null);
        } else {
            ch.exchangeDeclare(exchange, "topic", true, false, null);
        }
        String q = ch.queueDeclare("", false, true, true, null).getQueue();
        ch.queueBind(q, exchange, bindingKey);
        Recorder r = new Recorder();
        ch.basicConsume(q, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                r.messages.add(new Recorded(envelope.getExchange(), envelope.getRoutingKey(), properties, body));
            }
        });
        recorders.add(r);
        return r;
    }

    /** One recorded message. */
    record Recorded(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body) {
    }

    /** What a {@link #record} queue received, in order. */
    static final class Recorder {
        final List<Recorded> messages = new CopyOnWriteArrayList<>();
    }

    @Override
    public void close() throws Exception {
        try {
            if (connection.isOpen()) {
                connection.close(10_000);
            }
        } finally {
            vhost.close();
        }
    }
}
