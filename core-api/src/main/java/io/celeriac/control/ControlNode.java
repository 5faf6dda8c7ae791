package io.celeriac.control;

import io.celeriac.broker.Broker;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.ExchangeType;
import io.celeriac.broker.Message;
import io.celeriac.broker.QueueStats;
import io.celeriac.broker.Subscription;
import io.celeriac.json.CeleryJson;
import io.celeriac.state.LamportClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node side of Celery's remote control: what a worker runs so that {@code celery inspect},
 * {@code celery control} and {@link Mailbox} reach it (kombu's {@code Node} as Celery's worker {@code Pidbox} runs
 * it).
 *
 * <p>{@link #start} declares the fanout exchange {@code celery.pidbox} and the node's queue
 * {@code <nodename>.celery.pidbox} exactly as a Celery worker does (not durable, auto-delete, {@code x-expires}
 * 10000, {@code x-message-ttl} 300000), binds it with the routing key {@code ""} and consumes it without
 * acknowledgements. For each request: the node's clock is adjusted to the request's {@code clock} header; a request
 * whose {@code expires} header is past, or that is not meant for this node (its {@code destination} does not name
 * it, or its {@code pattern} does not match by its {@code glob} / {@code pcre} matcher), is skipped; otherwise the
 * {@link ControlHandler} runs it and, when the request has a {@code reply_to}, the node answers there with the body
 * {@code {"<nodename>": value}} — {@code {"<nodename>": {"error": "<repr>"}}} when the handler threw — headers
 * {@code ticket} and {@code clock} (forwarded) and delivery mode 1, as kombu's {@code Node.dispatch} and
 * {@code Mailbox._publish_reply} do. A request without {@code reply_to} gets no answer. A malformed request is
 * logged and skipped.
 *
 * <p>Requests run one at a time on the subscription's delivery thread. Thread-safe; {@link #close()} stops
 * consuming and deletes the node's queue. The node does not own the broker.
 */
public final class ControlNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlNode.class);

    private final Broker broker;
    private final String nodename;
    private final ControlHandler handler;
    private final LamportClock clock;
    private final String queue;
    private final Set<String> declaredReplyExchanges = ConcurrentHashMap.newKeySet();
    private final AtomicLong handled = new AtomicLong();
    private final Object lock = new Object();
    private Subscription subscription; // guarded by lock

    private ControlNode(Broker broker, String nodename, ControlHandler handler, LamportClock clock) {
        this.broker = broker;
        this.nodename = nodename;
        this.handler = handler;
        this.clock = clock;
        this.queue = CeleryTopology.pidboxQueue(nodename).name();
    }

    /**
     * Starts serving a node with a clock of its own.
     *
     * @param broker the broker, not {@code null}
     * @param nodename the node's name, e.g. {@code java1@host}; not {@code null} nor empty
     * @param handler runs the commands, not {@code null}
     * @return the running node; close it
     * @throws io.celeriac.broker.BrokerUnavailableException when the broker cannot be reached (and the other
     *         exceptions of the broker's declarations)
     */
    public static ControlNode start(Broker broker, String nodename, ControlHandler handler) {
        return start(broker, nodename, handler, new LamportClock());
    }

    /**
     * Starts serving a node with a given clock (a worker passes its own: the replies carry it).
     *
     * @param broker the broker, not {@code null}
     * @param nodename the node's name, e.g. {@code java1@host}; not {@code null} nor empty
     * @param handler runs the commands, not {@code null}
     * @param clock the Lamport clock to adjust and forward, not {@code null}
     * @return the running node; close it
     * @throws io.celeriac.broker.BrokerUnavailableException when the broker cannot be reached (and the other
     *         exceptions of the broker's declarations)
     */
    public static ControlNode start(Broker broker, String nodename, ControlHandler handler, LamportClock clock) {
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(clock, "clock");
        if (nodename == null || nodename.isEmpty()) {
            throw new IllegalArgumentException("a control node needs a name, e.g. java1@host");
        }
        ControlNode node = new ControlNode(broker, nodename, handler, clock);
        node.listen();
        return node;
    }

    private void listen() {
        broker.declareExchange(CeleryTopology.pidboxExchange());
        QueueStats stats = broker.declareQueue(CeleryTopology.pidboxQueue(nodename));
        if (stats.consumers() > 0) {
            LOG.warn("A node named {} is already using this process mailbox ({} consumer(s) on {}); give each node "
                    + "a unique name", nodename, stats.consumers(), queue);
        }
        broker.bind(CeleryTopology.pidboxBinding(nodename));
        synchronized (lock) {
            subscription = broker.consume(List.of(queue), ConsumeOptions.noAck(), this::onRequest);
        }
    }

    /**
     * The node's name.
     *
     * @return the name requests are matched against
     */
    public String nodename() {
        return nodename;
    }

    /**
     * The node's queue, {@code <nodename>.celery.pidbox}.
     *
     * @return the queue name
     */
    public String queue() {
        return queue;
    }

    /**
     * The clock the node adjusts and its replies carry.
     *
     * @return the clock
     */
    public LamportClock clock() {
        return clock;
    }

    /**
     * How many requests meant for this node the handler has run (answered or not), for monitoring and tests.
     *
     * @return the count
     */
    public long requestsHandled() {
        return handled.get();
    }

    /**
     * Whether the node is still consuming its queue.
     *
     * @return {@code false} once closed (or when the broker cancelled the consumer)
     */
    public boolean isRunning() {
        synchronized (lock) {
            return subscription != null && subscription.isActive();
        }
    }

    private void onRequest(Delivery delivery) {
        Message m = delivery.message();
        clock.adjust(m.header(ControlRequest.CLOCK_HEADER) instanceof Number c ? c.longValue() : 0);
        ControlRequest request;
        try {
            request = ControlRequest.fromMessage(m);
            if (!request.isFor(nodename)) {
                return;
            }
        } catch (MalformedControlRequestException e) {
            LOG.warn("{} skips a message on {}: {}", nodename, queue, e.getMessage());
            return;
        }
        if (m.header(ControlRequest.EXPIRES_HEADER) instanceof Number e && e.doubleValue() != 0
                && System.currentTimeMillis() / 1000.0 > e.doubleValue()) {
            LOG.debug("{} skips the expired request {}", nodename, request.method());
            return;
        }
        Object value;
        try {
            value = handler.handle(request.method(), request.arguments());
        } catch (UnknownControlMethodException e) {
            LOG.error("No such control command: {}", e.method());
            value = Map.of("error", "KeyError(" + ControlReply.repr(e.method()) + ")");
        } catch (Exception e) {
            LOG.error("pidbox command error: {}", e.toString(), e);
            value = Map.of("error", pythonRepr(e));
        } finally {
            handled.incrementAndGet();
        }
        if (request.wantsReply()) {
            reply(request, value);
        }
    }

    /** Python's {@code repr(exc)} of a Java exception: {@code Name('message')}, {@code Name()} without one. */
    private static String pythonRepr(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + "(" + (message == null ? "" : ControlReply.repr(message)) + ")";
    }

    private void reply(ControlRequest request, Object value) {
        ControlRequest.ReplyTo to = request.replyTo();
        byte[] body;
        try {
            body = CeleryJson.encode(Collections.singletonMap(nodename, value)); // the value may be null
        } catch (RuntimeException e) {
            LOG.error("The reply of {} to {} is not JSON-like: {}", nodename, request.method(), e.getMessage());
            body = CeleryJson.encode(Map.of(nodename, Map.of("error",
                    "TypeError(" + ControlReply.repr("the reply is not JSON serializable: " + e.getMessage()) + ")")));
        }
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("ticket", request.ticket());
        headers.put(ControlRequest.CLOCK_HEADER, clock.forward());
        Message reply = Message.builder().body(body).headers(headers).deliveryMode(Message.TRANSIENT).build();
        try {
            if (declaredReplyExchanges.add(to.exchange())) {
                broker.declareExchange(new ExchangeSpec(to.exchange(), ExchangeType.DIRECT, false, false, Map.of()));
            }
            broker.publish(to.exchange(), to.routingKey(), reply);
        } catch (RuntimeException e) {
            declaredReplyExchanges.remove(to.exchange());
            LOG.warn("{} could not reply to {} ({} / {}): {}", nodename, request.method(), to.exchange(),
                    to.routingKey(), e.getMessage());
        }
    }

    /**
     * Stops consuming and deletes the node's queue (Celery's auto-delete queue goes when its consumer does).
     * Closing twice does nothing; the broker stays open.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (subscription == null) {
                return;
            }
            try {
                subscription.cancel();
            } catch (RuntimeException e) {
                LOG.debug("Cancelling the consumer of {} failed: {}", queue, e.toString());
            }
            subscription = null;
        }
        try {
            broker.deleteQueue(queue);
        } catch (RuntimeException e) {
            LOG.debug("Deleting {} failed (it is auto-delete on RabbitMQ): {}", queue, e.toString());
        }
    }

    @Override
    public String toString() {
        return "ControlNode[" + nodename + " on " + broker.asUri() + "]";
    }
}
