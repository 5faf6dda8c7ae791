package io.celeriac.backend.amqp.backend.internal;

import io.celeriac.UnsupportedCapabilityException;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendClosedException;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.amqp.backend.RpcBackendConfig;
import io.celeriac.backend.amqp.broker.internal.AmqpBroker;
import io.celeriac.backend.spi.AbstractBackend;
import io.celeriac.backend.spi.PendingWaits;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;
import io.celeriac.broker.PublishFailedException;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.Subscription;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import io.celeriac.task.Oid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live {@code rpc://} backend, as Celery's {@code RPCBackend}: at open it declares this process's reply queue
 * (named by an object id, non-durable (durable for Celery 5.7's form), auto-delete, not exclusive, {@code x-expires} =
 * {@code result_expires}) and consumes it without acknowledgements; every result message that arrives is routed
 * by its {@code correlation_id} and kept as the task's latest state, in memory, for {@code result_expires} after
 * it arrived (the reply queue's own expiry). Waits are woken by those messages. Storing a result publishes it to the default exchange with the request's {@code reply_to} as routing
 * key, exactly as a Celery worker does.
 *
 * <p>A result stored without a request, or with a request that has no {@code reply_to}, goes to the configured
 * {@code default_reply_to}, else to this backend's own reply queue; a store to the own queue returns once its
 * message has come back, so that a read afterwards sees it. A stored SUCCESS is never replaced by a later message
 * for the same task. Thread-safe.
 */
public final class RpcBackend extends AbstractBackend {

    private static final Logger LOG = LoggerFactory.getLogger(RpcBackend.class);

    /** What the backend declares. */
    public static final Set<BackendCapability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            BackendCapability.READ, BackendCapability.WAIT, BackendCapability.FORGET, BackendCapability.PUSH_WAIT,
            BackendCapability.EXPIRY, BackendCapability.NATIVE_EXPIRY));

    /** Celery's {@code E_NO_CHORD_SUPPORT}, stripped, as {@code ensure_chords_allowed} raises it. */
    public static final String NO_CHORD_SUPPORT = "The \"rpc\" result backend does not support chords!\n\n"
            + "Note that a group chained with a task is also upgraded to be a chord,\n"
            + "as this pattern requires synchronization.\n\n"
            + "Result backends that supports chords: Redis, Database, Memcached, and more.";

    private static final String CONTENT_TYPE = "application/json";
    private static final AtomicLong INSTANCES = new AtomicLong();
    private static volatile Long nodeId;

    private final RpcBackendConfig config;
    private final String replyQueue;
    private final String defaultDestination;
    private final Broker broker;
    private final Object consumerLock = new Object();
    private volatile Subscription subscription; // replaced under consumerLock
    private final PendingWaits waits;
    private final Map<String, Known> states = new ConcurrentHashMap<>();
    private final Map<String, List<Echo>> echoes = new ConcurrentHashMap<>();
    private final ThreadLocal<Boolean> inDelivery = new ThreadLocal<>();

    /** The latest state of a task, kept until {@code result_expires} after it arrived. */
    private record Known(TaskMeta meta, long expiresAtMillis) {
    }

    /** A store to the own reply queue, waiting for its message to come back. */
    private record Echo(byte[] body, CompletableFuture<Void> arrived) {
    }

    /**
     * Connects, declares the reply queue and starts consuming it.
     *
     * @param config the configuration
     * @throws BackendUnavailableException when RabbitMQ cannot be reached or refuses the reply queue
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     */
    public RpcBackend(RpcBackendConfig config) {
        super(config.url(), config.options(), CAPABILITIES);
        this.config = config;
        this.replyQueue = Oid.generate(nodeId(), ProcessHandle.current().pid(), Thread.currentThread().getId(),
                ((System.identityHashCode(this) & 0xffff_ffffL) << 20) | (INSTANCES.incrementAndGet() & 0xf_ffffL));
        this.defaultDestination = config.defaultReplyTo() == null ? replyQueue : config.defaultReplyTo();
        this.waits = new PendingWaits("rpc", PendingWaits.Subscriptions.NONE);
        Broker b;
        try {
            b = new AmqpBroker(config.broker());
        } catch (BrokerUnavailableException e) {
            throw new BackendUnavailableException(asUri(), "cannot connect to RabbitMQ at " + config.maskedBroker()
                    + " (" + reason(e) + ")", e);
        }
        this.broker = b;
        options.expiry().ifPresent(expiry -> {
            long period = Math.max(1_000, Math.min(60_000, expiry.toMillis() / 2));
            waits.scheduler().scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        });
        try {
            broker.declareQueue(replyQueueSpec());
            subscription = broker.consume(List.of(replyQueue), ConsumeOptions.noAck(), this::onDelivery);
        } catch (RuntimeException e) {
            broker.close();
            waits.close();
            throw new BackendUnavailableException(asUri(), "cannot declare and consume the reply queue '" + replyQueue
                    + "' on " + config.maskedBroker() + " (" + reason(e) + ")", e);
        }
        LOG.debug("Opened {} with reply queue {} on {}", asUri(), replyQueue, config.maskedBroker());
    }

    /**
     * Declares the reply queue and consumes it again when the broker cancelled the consumer (the queue was deleted
     * by hand, say); a lost connection needs nothing here, as the client recovers queue and consumer itself.
     */
    private void ensureConsuming() {
        if (subscription.isActive() || isClosed()) {
            return;
        }
        synchronized (consumerLock) {
            if (subscription.isActive() || isClosed()) {
                return;
            }
            LOG.warn("The consumer of reply queue {} on {} was cancelled; declaring and consuming the queue again",
                    replyQueue, config.maskedBroker());
            broker.declareQueue(replyQueueSpec());
            subscription = broker.consume(List.of(replyQueue), ConsumeOptions.noAck(), this::onDelivery);
        }
    }

    private static String reason(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The reply queue as Celery's {@code RPCBackend.binding} declares it. */
    private QueueSpec replyQueueSpec() {
        Map<String, Object> args = new LinkedHashMap<>();
        long expires = config.replyQueueExpiresMillis();
        if (expires > 0) {
            args.put(QueueSpec.EXPIRES, expires);
        }
        return new QueueSpec(replyQueue, config.durableReplyQueue(), false, true, args);
    }

    /** kombu's {@code uuid.getnode()}: a MAC address, else a random 48-bit number with the multicast bit set. */
    private static long nodeId() {
        Long n = nodeId;
        if (n == null) {
            n = hardwareAddress();
            if (n == null) {
                byte[] r = new byte[6];
                new SecureRandom().nextBytes(r);
                n = toLong(r) | (1L << 40);
            }
            nodeId = n;
        }
        return n;
    }

    private static Long hardwareAddress() {
        try {
            Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
            while (all != null && all.hasMoreElements()) {
                NetworkInterface ni = all.nextElement();
                byte[] mac = ni.isLoopback() ? null : ni.getHardwareAddress();
                if (mac != null && mac.length == 6 && toLong(mac) != 0) {
                    return toLong(mac);
                }
            }
        } catch (SocketException e) {
            LOG.debug("No hardware address for the reply queue's object id", e);
        }
        return null;
    }

    private static long toLong(byte[] b) {
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------
    // description

    @Override
    public Optional<String> replyQueue() {
        return Optional.of(replyQueue);
    }

    @Override
    protected UnsupportedCapabilityException unsupported(BackendCapability capability) {
        return switch (capability) {
            case CHORDS -> new UnsupportedCapabilityException(asUri(), capability, NO_CHORD_SUPPORT);
            case GROUPS -> new UnsupportedCapabilityException(asUri(), capability,
                    "Celery's rpc:// backend does not support save_group, restore_group or delete_group.");
            case SCAN, CLEANUP -> new UnsupportedCapabilityException(asUri(), capability,
                    "Results of rpc:// are messages to this process's reply queue; nothing is stored server-side.");
            default -> super.unsupported(capability);
        };
    }

    // ------------------------------------------------------------------------------------------
    // writes

    @Override
    protected void doStore(TaskMeta meta) {
        send(meta.taskId(), defaultDestination, meta.taskId(), CeleryJson.encodeMeta(meta, options().peerVersion()));
    }

    @Override
    public TaskMeta storeResult(String taskId, Object result, TaskState state, String traceback, TaskRequest request) {
        TaskMeta meta = buildMeta(taskId, result, state, traceback, request);
        checkOpen();
        sendResult(meta, request);
        return meta;
    }

    @Override
    public TaskMeta markAsDone(String taskId, Object result, TaskRequest request) {
        TaskMeta meta = buildMeta(taskId, result, TaskState.SUCCESS, null, request);
        checkOpen();
        if (request == null || !request.ignoreResult()) {
            sendResult(meta, request);
        }
        chordPartIgnored(taskId, request);
        return meta;
    }

    @Override
    public TaskMeta markAsFailure(String taskId, ExceptionInfo exception, String traceback, TaskRequest request) {
        TaskMeta meta = storeResult(taskId, exception, TaskState.FAILURE, traceback, request);
        chordPartIgnored(taskId, request);
        return meta;
    }

    @Override
    public TaskMeta markAsRevoked(String taskId, String reason, TaskRequest request) {
        TaskMeta meta = storeResult(taskId, ExceptionInfo.taskRevoked(reason), TaskState.REVOKED, null, request);
        chordPartIgnored(taskId, request);
        return meta;
    }

    /** Celery's rpc:// never reports chord parts (its base {@code on_chord_part_return} does nothing). */
    private void chordPartIgnored(String taskId, TaskRequest request) {
        if (request != null && request.chord() != null && request.group() != null) {
            LOG.warn("Task {} is a part of chord {}, but {} does not support chords: the part is not counted",
                    taskId, request.group(), asUri());
        }
    }

    /**
     * Publishes a result as Celery's {@code RPCBackend.store_result} does: to the request's {@code reply_to} (else
     * the default destination), {@code correlation_id} = the request's correlation id or the task id, the body
     * {@code {task_id, status, result, traceback, children}} (Celery 5.2 to 5.6), or the whole meta Celery 5.7 sends
     * (see {@link RpcBackendConfig#sendsWholeMeta()}).
     */
    private void sendResult(TaskMeta meta, TaskRequest request) {
        String destination = request != null && request.replyTo() != null && !request.replyTo().isEmpty()
                ? request.replyTo() : defaultDestination;
        String correlationId = request != null && request.correlationId() != null && !request.correlationId().isEmpty()
                ? request.correlationId() : meta.taskId();
        byte[] body;
        if (config.sendsWholeMeta()) {
            body = CeleryJson.encodeMeta(meta, options().peerVersion());
        } else {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("task_id", meta.taskId());
            doc.put("status", meta.status().name());
            doc.put("result", meta.result());
            doc.put("traceback", meta.traceback());
            doc.put("children", meta.children());
            body = CeleryJson.encode(doc, options().peerVersion());
        }
        send(meta.taskId(), destination, correlationId, body);
    }

    private void send(String taskId, String destination, String correlationId, byte[] body) {
        Message message = Message.builder().body(body).contentType(CONTENT_TYPE).contentEncoding("utf-8")
                .deliveryMode(config.persistent() ? Message.PERSISTENT : Message.TRANSIENT).priority(0)
                .correlationId(correlationId).build();
        Echo echo = null;
        if (destination.equals(replyQueue) && inDelivery.get() == null) {
            retryingWrite(taskId, () -> {
                ensureConsuming();
                return null;
            });
            echo = new Echo(body, new CompletableFuture<>());
            Echo e = echo;
            echoes.compute(correlationId, (k, l) -> {
                List<Echo> list = l == null ? new ArrayList<>(1) : l;
                list.add(e);
                return list;
            });
        }
        try {
            retryingWrite(taskId, () -> {
                broker.publish("", destination, message);
                return null;
            });
            if (echo != null) {
                awaitEcho(correlationId, echo);
            }
        } finally {
            if (echo != null) {
                removeEcho(correlationId, echo);
            }
        }
    }

    private void awaitEcho(String correlationId, Echo echo) {
        try {
            echo.arrived().get(config.broker().confirmTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.debug("The result for {} was published but has not come back to {} yet", correlationId, replyQueue);
        } catch (ExecutionException e) {
            // the backend closed meanwhile; the result was published
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void removeEcho(String correlationId, Echo echo) {
        echoes.computeIfPresent(correlationId, (k, l) -> {
            l.remove(echo);
            return l.isEmpty() ? null : l;
        });
    }

    @Override
    protected boolean isTransient(RuntimeException e) {
        return e instanceof BrokerUnavailableException || e instanceof PublishFailedException;
    }

    // ------------------------------------------------------------------------------------------
    // the reply queue's consumer

    private void onDelivery(Delivery d) {
        inDelivery.set(Boolean.TRUE);
        try {
            receive(d.message());
        } finally {
            inDelivery.remove();
        }
    }

    private void receive(Message m) {
        byte[] body = m.body();
        String correlationId = m.correlationId();
        TaskMeta meta = null;
        try {
            if (m.contentType() != null && !m.contentType().equals(CONTENT_TYPE)) {
                LOG.warn("Ignoring a result message for {} on {} with content type {}: only {} is accepted",
                        correlationId, replyQueue, m.contentType(), CONTENT_TYPE);
            } else {
                meta = decode(body, correlationId);
            }
        } catch (JsonFormatException e) {
            LOG.warn("Ignoring a message on {} (correlation_id {}) that is not a Celery result: {}", replyQueue,
                    correlationId, e.getMessage());
        }
        if (meta != null) {
            String id = correlationId != null ? correlationId : meta.taskId();
            if (id != null) {
                TaskMeta arrived = meta.taskId() == null ? meta.withTaskId(id) : meta;
                long now = options.clock().millis();
                Known current = states.compute(id, (k, old) ->
                        old != null && old.expiresAtMillis() > now && old.meta().status().equals(TaskState.SUCCESS)
                                ? old : new Known(arrived, expiresAt(now)));
                if (current.meta().isReady()) {
                    waits.offer(id, current.meta());
                }
            } else {
                LOG.warn("Ignoring a result message on {} with neither correlation_id nor task_id", replyQueue);
            }
        }
        if (correlationId != null) {
            echoes.computeIfPresent(correlationId, (k, l) -> {
                l.removeIf(e -> {
                    if (Arrays.equals(e.body(), body)) {
                        e.arrived().complete(null);
                        return true;
                    }
                    return false;
                });
                return l.isEmpty() ? null : l;
            });
        }
    }

    /**
     * A result message's meta; a ready state whose message has no {@code date_done} (Celery 5.2 to 5.6 send none)
     * is given the time it arrived.
     */
    private TaskMeta decode(byte[] body, String correlationId) {
        Object doc = CeleryJson.decode(body);
        TaskMeta meta = CeleryJson.metaFromValue(doc, correlationId);
        if (meta.isReady() && doc instanceof Map<?, ?> map && !map.containsKey("date_done")) {
            meta = meta.toBuilder().dateDone(options.clock().instant()).build();
        }
        return meta;
    }

    // ------------------------------------------------------------------------------------------
    // reads and waits

    private long expiresAt(long now) {
        return options.expiry().map(d -> now + d.toMillis()).orElse(Long.MAX_VALUE);
    }

    /** The latest state of a task, or {@code null} when none arrived or it expired (it is then dropped). */
    private TaskMeta known(String taskId) {
        Known k = states.get(taskId);
        if (k == null) {
            return null;
        }
        if (k.expiresAtMillis() <= options.clock().millis()) {
            states.remove(taskId, k);
            return null;
        }
        return k.meta();
    }

    /** Drops the states kept longer than {@code result_expires}. */
    private void sweep() {
        long now = options.clock().millis();
        states.values().removeIf(k -> k.expiresAtMillis() <= now);
    }

    @Override
    protected TaskMeta doGetTaskMeta(String taskId) {
        TaskMeta m = known(taskId);
        return m == null ? TaskMeta.pending(taskId) : m;
    }

    @Override
    protected CompletableFuture<TaskMeta> doWaitForAsync(String taskId) {
        try {
            ensureConsuming();
        } catch (RuntimeException e) {
            LOG.warn("Cannot consume reply queue {} again yet ({}); the wait for {} goes on", replyQueue,
                    e.getMessage(), taskId);
        }
        PendingWaits.Waiter w;
        try {
            w = waits.register(taskId);
        } catch (IllegalStateException e) {
            throw new BackendClosedException(asUri());
        }
        TaskMeta m = known(taskId);
        if (m != null && m.isReady()) {
            waits.offer(taskId, m);
        }
        return w.result();
    }

    @Override
    protected CompletableFuture<TaskMeta> scheduleTimeout(CompletableFuture<TaskMeta> future, String taskId,
                                                          Duration timeout) {
        try {
            return waits.withTimeout(future, taskId, timeout);
        } catch (IllegalStateException e) {
            future.completeExceptionally(new BackendClosedException(asUri()));
            return future;
        }
    }

    // ------------------------------------------------------------------------------------------
    // housekeeping

    @Override
    protected void doForget(String taskId) {
        states.remove(taskId);
    }

    @Override
    protected void doClose() {
        try {
            synchronized (consumerLock) {
                subscription.cancel();
            }
        } catch (RuntimeException e) {
            LOG.debug("cancel on close", e);
        }
        waits.close(new BackendClosedException(asUri()));
        for (String id : List.copyOf(echoes.keySet())) {
            echoes.computeIfPresent(id, (k, l) -> {
                l.forEach(e -> e.arrived().completeExceptionally(new BackendClosedException(asUri())));
                return null;
            });
        }
        broker.close();
        LOG.debug("Closed {} (reply queue {})", asUri(), replyQueue);
    }

    @Override
    public String toString() {
        return "RpcBackend[" + asUri() + ", reply queue " + replyQueue + "]";
    }
}
