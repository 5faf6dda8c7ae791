package io.celeriac.control;

import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;
import io.celeriac.broker.Subscription;
import io.celeriac.json.CeleryJson;
import io.celeriac.state.LamportClock;
import io.celeriac.task.Oid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client side of Celery's remote control, kombu's {@code Mailbox} as {@code celery.app.control} uses it: sends a
 * command to the nodes through the fanout exchange {@code celery.pidbox} and, for a {@link #call}, gathers their
 * replies from this mailbox's own reply queue as {@code Mailbox._broadcast} does.
 *
 * <p>The reply queue is named for this mailbox's object id ({@link #oid()}, kombu's {@code oid_from}):
 * {@code <oid>.reply.celery.pidbox}, declared as Celery declares it (auto-delete, {@code x-expires} 10000,
 * {@code x-message-ttl} 300000) on the first call and bound to the direct exchange {@code reply.celery.pidbox} with
 * the oid as key. On RabbitMQ it is consumed while the mailbox is open and deleted by {@link #close()}; on a broker
 * without queue expiry (Redis) it exists only while calls are in flight, as with kombu's Redis transport. Each call has a fresh
 * {@code ticket}; replies are matched to their call by the {@code ticket} header, so concurrent calls on one
 * mailbox each get their own, and a late reply to an earlier call is ignored. Requests carry the headers
 * {@code clock} (this mailbox's {@link LamportClock}, forwarded per request and adjusted to every reply) and
 * {@code expires} (now + the timeout: nodes ignore the request after it).
 *
 * <p>Gathering ends as in kombu: after {@code limit} replies, or when no reply came for {@code timeout} (kombu waits
 * up to the timeout for each next reply). Thread-safe. The mailbox does not own the broker: closing it leaves the
 * broker open. Broker failures surface as the broker's exceptions ({@link io.celeriac.broker.PublishFailedException},
 * {@link io.celeriac.broker.BrokerUnavailableException}...); use after close raises
 * {@link ControlClosedException}.
 */
public final class Mailbox implements AutoCloseable {

    /** Celery's default timeout of remote-control calls: 1 second. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(Mailbox.class);
    /** kombu's {@code uuid.getnode()} stand-in: a random 48-bit number with the multicast bit set, per JVM. */
    private static final long NODE_ID = ThreadLocalRandom.current().nextLong(1L << 48) | (1L << 40);

    /** Put in a waiting call's inbox by {@link #close()}: the call returns what it has. */
    private static final List<ControlReply> CLOSING = new ArrayList<>();

    private final Broker broker;
    private final LamportClock clock;
    private final String oid;
    private final String replyQueue;
    private final Map<String, BlockingQueue<List<ControlReply>>> pending = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile boolean pidboxDeclared;
    private Subscription subscription; // guarded by lock
    private boolean closed; // guarded by lock
    private int callsInFlight; // guarded by lock

    /**
     * A mailbox on a broker with a clock of its own.
     *
     * @param broker the broker, not {@code null}
     */
    public Mailbox(Broker broker) {
        this(broker, new LamportClock());
    }

    /**
     * A mailbox on a broker with a given clock (a worker passes its own, so that requests it sends carry it).
     *
     * @param broker the broker, not {@code null}
     * @param clock the Lamport clock to forward and adjust, not {@code null}
     */
    public Mailbox(Broker broker, LamportClock clock) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.oid = Oid.generate(NODE_ID, ProcessHandle.current().pid(), Thread.currentThread().getId(),
                ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        this.replyQueue = CeleryTopology.replyQueue(oid).name();
    }

    /**
     * This mailbox's object id: the replies' routing key.
     *
     * @return the oid, a UUID text
     */
    public String oid() {
        return oid;
    }

    /**
     * The name of this mailbox's reply queue, {@code <oid>.reply.celery.pidbox}.
     *
     * @return the queue name
     */
    public String replyQueue() {
        return replyQueue;
    }

    /**
     * The Lamport clock the requests carry.
     *
     * @return the clock
     */
    public LamportClock clock() {
        return clock;
    }

    /**
     * Sends a command and gathers the replies (kombu's {@code Mailbox._broadcast} with {@code reply=True}).
     *
     * @param method the command, e.g. {@code ping}
     * @param arguments its keyword arguments (JSON-like values), {@code null} for none
     * @param destination the nodes to ask, or {@code null} for every node
     * @param timeout how long to wait for each next reply, and the request's expiry; {@code null} for 1 second
     * @param limit stop after this many replies; 0 for no limit, which becomes the number of destinations when
     *        destinations are given (as kombu does)
     * @return the replies in arrival order (one per node and reply), empty when no node answered in time
     * @throws MalformedControlRequestException when the method is empty or an argument is not JSON-like
     * @throws ControlClosedException when the mailbox is closed
     */
    public List<ControlReply> call(String method, Map<String, ?> arguments, List<String> destination,
                                  Duration timeout, int limit) {
        return call(method, arguments, destination, null, null, timeout, limit, null);
    }

    /**
     * Sends a command and gathers the replies, with every option of Celery's {@code broadcast}.
     *
     * @param method the command
     * @param arguments its keyword arguments, {@code null} for none
     * @param destination the nodes to ask, or {@code null} for every node (or those matching the pattern)
     * @param pattern a node-name pattern, used when both it and {@code matcher} are given, else {@code null}
     * @param matcher {@code glob} or {@code pcre}, or {@code null}
     * @param timeout how long to wait for each next reply, and the request's expiry; {@code null} for 1 second
     * @param limit stop after this many replies; 0 for no limit (the number of destinations when given)
     * @param onReply called with each reply as it arrives, on the calling thread, or {@code null}
     * @return the replies in arrival order
     * @throws MalformedControlRequestException when the method is empty or an argument is not JSON-like
     * @throws ControlClosedException when the mailbox is closed
     */
    public List<ControlReply> call(String method, Map<String, ?> arguments, List<String> destination,
                                  String pattern, String matcher, Duration timeout, int limit,
                                  Consumer<ControlReply> onReply) {
        Duration wait = positive(timeout);
        if (limit < 0) {
            throw new IllegalArgumentException("the limit cannot be negative: " + limit);
        }
        String ticket = UUID.randomUUID().toString();
        ControlRequest request = request(method, arguments, destination, pattern, matcher, ticket);
        int max = limit == 0 && destination != null ? destination.size() : limit;
        BlockingQueue<List<ControlReply>> inbox = new LinkedBlockingQueue<>();
        acquireReplyQueue();
        pending.put(ticket, inbox);
        try {
            publish(request, wait);
            List<ControlReply> replies = new ArrayList<>();
            long waitNanos = wait.toNanos();
            for (int received = 0; max == 0 || received < max; received++) {
                List<ControlReply> batch;
                try {
                    batch = inbox.poll(waitNanos, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (batch == null || batch == CLOSING) {
                    break;
                }
                for (ControlReply r : batch) {
                    replies.add(r);
                    if (onReply != null) {
                        onReply.accept(r);
                    }
                }
            }
            return replies;
        } finally {
            pending.remove(ticket);
            releaseReplyQueue();
        }
    }

    /**
     * Sends a command that expects no reply (kombu's {@code Mailbox._broadcast} with {@code reply=False}): no ticket
     * and no {@code reply_to}, so no node answers. It expires after Celery's default timeout of 1 second.
     *
     * @param method the command
     * @param arguments its keyword arguments, {@code null} for none
     * @param destination the nodes to tell, or {@code null} for every node
     * @throws MalformedControlRequestException when the method is empty or an argument is not JSON-like
     * @throws ControlClosedException when the mailbox is closed
     */
    public void cast(String method, Map<String, ?> arguments, List<String> destination) {
        cast(method, arguments, destination, null, null, DEFAULT_TIMEOUT);
    }

    /**
     * Sends a command that expects no reply, with every option of Celery's {@code broadcast}.
     *
     * @param method the command
     * @param arguments its keyword arguments, {@code null} for none
     * @param destination the nodes to tell, or {@code null} for every node (or those matching the pattern)
     * @param pattern a node-name pattern, used with {@code matcher}, or {@code null}
     * @param matcher {@code glob} or {@code pcre}, or {@code null}
     * @param timeout the request's expiry from now; {@code null} for 1 second
     * @throws MalformedControlRequestException when the method is empty or an argument is not JSON-like
     * @throws ControlClosedException when the mailbox is closed
     */
    public void cast(String method, Map<String, ?> arguments, List<String> destination, String pattern,
                     String matcher, Duration timeout) {
        ControlRequest request = request(method, arguments, destination, pattern, matcher, null);
        synchronized (lock) {
            checkOpen();
        }
        publish(request, positive(timeout));
    }

    private ControlRequest request(String method, Map<String, ?> arguments, List<String> destination,
                                   String pattern, String matcher, String ticket) {
        boolean both = pattern != null && matcher != null; // Celery sends them only together
        @SuppressWarnings("unchecked")
        Map<String, Object> args = (Map<String, Object>) arguments;
        return new ControlRequest(method, args, destination, both ? pattern : null, both ? matcher : null, ticket,
                ticket == null ? null : new ControlRequest.ReplyTo(CeleryTopology.REPLY_EXCHANGE, oid));
    }

    private static Duration positive(Duration timeout) {
        if (timeout == null) {
            return DEFAULT_TIMEOUT;
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive, not " + timeout);
        }
        return timeout;
    }

    private void publish(ControlRequest request, Duration timeout) {
        if (!pidboxDeclared) {
            broker.declareExchange(CeleryTopology.pidboxExchange());
            pidboxDeclared = true;
        }
        double expires = System.currentTimeMillis() / 1000.0 + timeout.toNanos() / 1e9;
        Message message = request.toMessage(clock.forward(), expires);
        broker.publish(CeleryTopology.PIDBOX_EXCHANGE, "", message);
    }

    /** Declares, binds and consumes the reply queue for a call, unless a call already did. */
    private void acquireReplyQueue() {
        synchronized (lock) {
            checkOpen();
            if (subscription == null) {
                broker.declareExchange(CeleryTopology.replyExchange());
                broker.declareQueue(CeleryTopology.replyQueue(oid));
                try {
                    broker.bind(CeleryTopology.replyBinding(oid));
                    subscription = broker.consume(List.of(replyQueue), ConsumeOptions.noAck(), this::onReply);
                } catch (RuntimeException e) {
                    deleteReplyQueue();
                    throw e;
                }
            }
            callsInFlight++;
        }
    }

    /**
     * Ends a call's use of the reply queue. On a broker that cannot expire an unused queue (Redis), the queue and
     * its binding go when the last call in flight ends, as kombu's Redis transport removes them after each call:
     * so a client that dies leaves no binding behind that collects replies for ever. On RabbitMQ the queue stays
     * consumed until {@link #close()} ({@code x-expires} removes it should the process die).
     */
    private void releaseReplyQueue() {
        synchronized (lock) {
            callsInFlight--;
            if (callsInFlight == 0 && subscription != null && !broker.supports(BrokerCapability.QUEUE_EXPIRY)) {
                stopConsuming();
            }
        }
    }

    private void stopConsuming() {
        try {
            subscription.cancel();
        } catch (RuntimeException e) {
            LOG.debug("Cancelling the consumer of {} failed: {}", replyQueue, e.toString());
        }
        subscription = null;
        deleteReplyQueue();
    }

    private void checkOpen() {
        if (closed) {
            throw new ControlClosedException("the mailbox " + oid);
        }
    }

    /** kombu's {@code _collect.on_message}: adjust the clock, skip expired replies, route by ticket. */
    private void onReply(Delivery delivery) {
        Message m = delivery.message();
        if (m.header(ControlRequest.CLOCK_HEADER) instanceof Number c) {
            clock.adjust(c.longValue());
        } else {
            clock.adjust(0);
        }
        if (m.header(ControlRequest.EXPIRES_HEADER) instanceof Number e && e.doubleValue() != 0
                && System.currentTimeMillis() / 1000.0 > e.doubleValue()) {
            return;
        }
        BlockingQueue<List<ControlReply>> inbox;
        if (m.header("ticket") instanceof String ticket) {
            inbox = pending.get(ticket);
        } else {
            inbox = pending.size() == 1 ? pending.values().iterator().next() : null;
        }
        if (inbox == null) {
            LOG.debug("A reply on {} for ticket {} that no call waits for is ignored", replyQueue, m.header("ticket"));
            return;
        }
        Object body;
        try {
            body = CeleryJson.decode(m.body());
        } catch (RuntimeException e) {
            LOG.warn("A reply on {} is not JSON and is ignored: {}", replyQueue, e.getMessage());
            return;
        }
        if (!(body instanceof Map<?, ?> map)) {
            LOG.warn("A reply on {} is not a JSON object ({ \"<node>\": value }) and is ignored", replyQueue);
            return;
        }
        List<ControlReply> replies = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            replies.add(new ControlReply(String.valueOf(e.getKey()), e.getValue()));
        }
        inbox.add(replies);
    }

    /**
     * Stops consuming and deletes the reply queue (with its binding). Calls in progress end with what they have.
     * Closing twice does nothing; the broker stays open.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (subscription != null) {
                stopConsuming();
            }
        }
        for (BlockingQueue<List<ControlReply>> inbox : pending.values()) {
            inbox.add(CLOSING);
        }
    }

    private void deleteReplyQueue() {
        try {
            broker.deleteQueue(replyQueue);
        } catch (RuntimeException e) {
            LOG.debug("Deleting {} failed (it expires on its own on RabbitMQ): {}", replyQueue, e.toString());
        }
    }

    @Override
    public String toString() {
        return "Mailbox[" + oid + " on " + broker.asUri() + "]";
    }
}
