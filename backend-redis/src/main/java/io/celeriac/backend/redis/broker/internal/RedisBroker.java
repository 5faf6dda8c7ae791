package io.celeriac.backend.redis.broker.internal;

import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.redis.broker.RedisBrokerConfig;
import io.celeriac.backend.redis.internal.Glob;
import io.celeriac.backend.redis.internal.KombuEnvelope;
import io.celeriac.backend.redis.internal.KombuFanout;
import io.celeriac.backend.redis.internal.PubSubConnection;
import io.celeriac.backend.redis.internal.RateLimitedWarning;
import io.celeriac.backend.redis.internal.RedisConnections;
import io.celeriac.backend.redis.internal.RedisErrors;
import io.celeriac.broker.Binding;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;
import io.celeriac.broker.BrokerClosedException;
import io.celeriac.broker.BrokerRefusedException;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.DeclarationConflictException;
import io.celeriac.broker.DeliveryHandler;
import io.celeriac.broker.ExchangeNotFoundException;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.ExchangeType;
import io.celeriac.broker.InvalidDeclarationException;
import io.celeriac.broker.InvalidMessageException;
import io.celeriac.broker.Message;
import io.celeriac.broker.PublishFailedException;
import io.celeriac.broker.QueueNotFoundException;
import io.celeriac.broker.QueueSpec;
import io.celeriac.broker.QueueStats;
import io.celeriac.broker.Subscription;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The live Redis broker: kombu's Redis transport ({@code kombu/transport/redis.py} on the virtual transport) in
 * Java, on this module's shared connection handling ({@link RedisConnections}: the pool, TLS, sentinels, unix
 * sockets, error translation).
 *
 * <p>The layout is kombu's: a list per queue, and one per priority step above 0 ({@code queue\x06\x16<step>});
 * {@code LPUSH} to publish (kombu's JSON envelope, {@link KombuEnvelope}); direct and topic exchanges route through
 * the {@code _kombu.binding.<exchange>} sets, fanout exchanges through {@code PUBLISH} on
 * {@code /{db}.<exchange>} channels ({@link KombuFanout}); a consumer takes messages from the right end of its
 * queues' lists, step 0 first ({@code BRPOP} when all are empty), in kombu's {@code queue_order_strategy}.
 * Reliable delivery is kombu's: a delivered message is kept in the {@code unacked} hash (value
 * {@code [envelope, exchange, routing_key]}) and the {@code unacked_index} sorted set (score = delivery time) until
 * it is acknowledged; a rejected one goes back to the left end of its queue, one left by a cancelled subscription or
 * a closed broker to the right end (served next), each with kombu's {@code redelivered} flags; and while a broker
 * consumes, it moves back every message delivered longer than {@code visibility_timeout} ago (a consumer that
 * died), under kombu's {@code unacked_mutex}, as {@code QoS.restore_visible} does. A message is taken from its
 * list and recorded in {@code unacked} in one Lua step whenever one is waiting; only the first of a burst, taken
 * by a blocking {@code BRPOP}, is recorded right after (kombu's way for every message).
 *
 * <p>Beyond kombu, so that the broker contract holds across connections: declarations are recorded in
 * {@code _celeriac.queues} and {@code _celeriac.exchanges} (name to JSON), a queue exists when declared or when
 * its lists hold messages, an exchange when declared or when it has a binding set (then read as direct, kombu's
 * default), and a redeclaration with other settings is refused. When a broker closes, it deletes the exclusive
 * queues it declared and, as kombu does, the auto-delete queues it bound to a fanout exchange. As in kombu, a
 * queue bound to a fanout exchange is read through its channel by the broker that bound it (another broker reads
 * its list), and a broadcast rejected with requeue is dropped (pub/sub keeps nothing). Redis counts no consumers and confirms nothing beyond its reply, so only
 * {@link BrokerCapability#TOPIC_EXCHANGE} is declared; its priorities are kombu's (step 0 first), not RabbitMQ's.
 *
 * <p>Opened by {@link io.celeriac.backend.redis.broker.RedisBrokerProvider}; not an API: use it through
 * {@link Broker}. Thread-safe.
 */
public final class RedisBroker implements Broker {

    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
    private static final Set<BrokerCapability> CAPABILITIES = Set.of(BrokerCapability.TOPIC_EXCHANGE);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final RedisBrokerConfig config;
    private final String uri;
    private final BrokerKeys keys;
    private final KombuFanout fanout;
    private final RedisErrors errors;
    private final RedisConnections connections;
    private final UnifiedJedis client;
    private final String name;
    private final ScheduledExecutorService timer;
    private final AsyncPublisher async;
    private final Set<RedisSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Map<String, ExchangeType> exchangeTypes = new ConcurrentHashMap<>();
    /** kombu's {@code _fanout_queues}: a queue bound to a fanout exchange, and the exchange and binding key. */
    private final Map<String, String[]> fanoutBindings = new ConcurrentHashMap<>();
    /** Exclusive queues declared here, and auto-delete ones bound here to a fanout exchange: deleted at close. */
    private final Set<String> temporaryQueues = ConcurrentHashMap.newKeySet();
    /** Auto-delete queues declared here (kombu's {@code auto_delete_queues}). */
    private final Set<String> autoDeleteQueues = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong subscriptionIds = new AtomicLong();
    private final ThreadLocal<AtomicInteger> asyncPending = ThreadLocal.withInitial(AtomicInteger::new);
    private final RateLimitedWarning restoreWarning = new RateLimitedWarning(LOG, 10_000);
    private volatile boolean connected = true;
    private final Acknowledger acknowledger;

    /**
     * Connects: the pool, and a {@code PING} so that an unreachable Redis fails here.
     *
     * @param config the configuration
     * @throws BrokerUnavailableException when Redis cannot be reached
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     */
    public RedisBroker(RedisBrokerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.uri = config.masked();
        this.keys = new BrokerKeys(config);
        this.fanout = new KombuFanout(config.connection().globalKeyPrefix(), config.fanoutPrefix(),
                config.fanoutPatterns());
        this.errors = new RedisErrors(uri, config.url(), config.connection(), RedisErrors.BROKER);
        this.connections = RedisConnections.open(config.connection(), errors);
        this.client = connections.client();
        try {
            client.ping();
        } catch (RuntimeException e) {
            connections.close();
            RuntimeException t = errors.translate(e);
            throw t instanceof ServiceUnavailableException ? t : new BrokerUnavailableException(uri, errors.describe(e), e);
        }
        this.name = "celeriac-redis-broker-" + SEQUENCE.incrementAndGet();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-timer");
            t.setDaemon(true);
            return t;
        });
        long restoreEvery = restoreInterval().toMillis();
        timer.scheduleWithFixedDelay(this::restoreVisibleQuietly, restoreEvery, restoreEvery, TimeUnit.MILLISECONDS);
        long ping = Math.max(100, config.connection().subscriberPingInterval().toMillis());
        timer.scheduleWithFixedDelay(this::pingSubscribers, ping, ping, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::probe, 1000, 1000, TimeUnit.MILLISECONDS);
        this.async = new AsyncPublisher(this, name + "-publish");
        this.acknowledger = new Acknowledger(this::removeUnacked, BrokerScripts.MAX_ACK_TAGS);
        LOG.debug("Connected to {}", uri);
    }

    /**
     * How often a consuming broker looks for messages whose visibility timeout passed: half the timeout, at least
     * every 10 seconds, at most every 100 ms (kombu looks every 100 seconds).
     */
    private Duration restoreInterval() {
        Duration half = config.visibilityTimeout().dividedBy(2);
        Duration max = Duration.ofSeconds(10);
        Duration min = Duration.ofMillis(100);
        return half.compareTo(max) > 0 ? max : half.compareTo(min) < 0 ? min : half;
    }

    // ------------------------------------------------------------------------------------------
    // description

    @Override
    public Set<BrokerCapability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public String asUri() {
        return uri;
    }

    @Override
    public boolean isConnected() {
        return !closed.get() && connected;
    }

    @Override
    public String toString() {
        return "RedisBroker[" + uri + "]";
    }

    // ------------------------------------------------------------------------------------------
    // for the subscriptions and the publisher

    RedisBrokerConfig config() {
        return config;
    }

    BrokerKeys keys() {
        return keys;
    }

    KombuFanout fanout() {
        return fanout;
    }

    UnifiedJedis client() {
        return client;
    }

    RedisErrors errors() {
        return errors;
    }

    String threadName() {
        return name;
    }

    boolean isClosing() {
        return closed.get();
    }

    void connected(boolean v) {
        connected = v;
    }

    PubSubConnection dedicatedConnection(Duration readTimeout) {
        return connections.newSubscriberConnection(readTimeout);
    }

    void forget(RedisSubscription s) {
        subscriptions.remove(s);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new BrokerClosedException(uri);
        }
    }

    /** Runs a Redis operation, turning failures into the broker's typed errors. */
    private <T> T call(String operation, Supplier<T> op) {
        try {
            T r = op.get();
            connected = true;
            return r;
        } catch (RuntimeException e) {
            throw translate(operation, e);
        }
    }

    RuntimeException translate(String operation, RuntimeException e) {
        if (e instanceof io.celeriac.CeleriacException) {
            return e;
        }
        RuntimeException t = errors.translate(e);
        if (t instanceof ServiceUnavailableException) {
            connected = false;
            return t;
        }
        return new BrokerRefusedException(uri, operation, errors.scrub(String.valueOf(e.getMessage())), e);
    }

    private static void checkName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new InvalidDeclarationException("The " + what + " name is empty");
        }
    }

    // ------------------------------------------------------------------------------------------
    // declarations

    @Override
    public void declareExchange(ExchangeSpec x) {
        Objects.requireNonNull(x, "exchange");
        checkOpen();
        byte[] json = CeleryJson.encode(exchangeDeclaration(x));
        byte[] field = BrokerKeys.utf8(x.name());
        call("declare exchange '" + x.name() + "'", () -> {
            if (client.hsetnx(keys.exchangeDeclarations(), field, json) == 0) {
                byte[] existing = client.hget(keys.exchangeDeclarations(), field);
                if (existing != null && !sameDeclaration(existing, json)) {
                    throw new DeclarationConflictException(uri, "exchange '" + x.name() + "'",
                            "it exists with other settings (" + new String(existing, StandardCharsets.UTF_8)
                                    + "), not " + new String(json, StandardCharsets.UTF_8));
                }
            }
            return null;
        });
        exchangeTypes.put(x.name(), x.type());
    }

    private static Map<String, Object> exchangeDeclaration(ExchangeSpec x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", x.type().wireName());
        m.put("durable", x.durable());
        m.put("auto_delete", x.autoDelete());
        m.put("arguments", x.arguments());
        return m;
    }

    private static Map<String, Object> queueDeclaration(QueueSpec q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("durable", q.durable());
        m.put("exclusive", q.exclusive());
        m.put("auto_delete", q.autoDelete());
        m.put("arguments", q.arguments());
        return m;
    }

    private static boolean sameDeclaration(byte[] a, byte[] b) {
        try {
            return CeleryJson.decode(a).equals(CeleryJson.decode(b));
        } catch (JsonFormatException e) {
            return false;
        }
    }

    @Override
    public QueueStats declareQueue(QueueSpec q) {
        Objects.requireNonNull(q, "queue");
        checkOpen();
        byte[] json = CeleryJson.encode(queueDeclaration(q));
        byte[] field = BrokerKeys.utf8(q.name());
        long messages = call("declare queue '" + q.name() + "'", () -> {
            if (client.hsetnx(keys.queueDeclarations(), field, json) == 0) {
                byte[] existing = client.hget(keys.queueDeclarations(), field);
                if (existing != null && !sameDeclaration(existing, json)) {
                    throw new DeclarationConflictException(uri, "queue '" + q.name() + "'",
                            "it exists with other settings (" + new String(existing, StandardCharsets.UTF_8)
                                    + "), not " + new String(json, StandardCharsets.UTF_8));
                }
            }
            return depth(q.name());
        });
        if (q.exclusive()) {
            temporaryQueues.add(q.name());
        } else if (q.autoDelete()) {
            autoDeleteQueues.add(q.name());
        }
        return new QueueStats(q.name(), messages, -1);
    }

    /** kombu's {@code _size}: the lengths of a queue's lists, added up. */
    private long depth(String queue) {
        try (AbstractPipeline p = client.pipelined()) {
            List<Response<Long>> sizes = new ArrayList<>();
            for (byte[] k : keys.lists(queue)) {
                sizes.add(p.llen(k));
            }
            p.sync();
            long n = 0;
            for (Response<Long> r : sizes) {
                n += r.get();
            }
            return n;
        }
    }

    /** Whether a queue exists: declared through celeriac, or holding messages. */
    private boolean queueExists(String queue) {
        return client.hexists(keys.queueDeclarations(), BrokerKeys.utf8(queue)) || depth(queue) > 0;
    }

    /**
     * An exchange's type: as declared (by this or another celeriac broker), else direct when kombu has bindings
     * for it (kombu's default), else {@code null}.
     */
    ExchangeType exchangeType(String exchange) {
        ExchangeType t = exchangeTypes.get(exchange);
        if (t != null) {
            return t;
        }
        byte[] json = client.hget(keys.exchangeDeclarations(), BrokerKeys.utf8(exchange));
        if (json != null) {
            try {
                if (CeleryJson.decode(json) instanceof Map<?, ?> m && m.get("type") instanceof String type) {
                    t = ExchangeType.of(type);
                    exchangeTypes.put(exchange, t);
                    return t;
                }
            } catch (RuntimeException e) {
                LOG.warn("The declaration of exchange '{}' on {} cannot be read; it is taken as direct", exchange, uri);
            }
            return ExchangeType.DIRECT;
        }
        return client.exists(keys.binding(exchange)) ? ExchangeType.DIRECT : null;
    }

    @Override
    public void bind(Binding b) {
        Objects.requireNonNull(b, "binding");
        checkOpen();
        String operation = "bind queue '" + b.queue() + "' to exchange '" + b.exchange() + "'";
        ExchangeType type = call(operation, () -> {
            ExchangeType t = exchangeType(b.exchange());
            if (t == null) {
                throw new ExchangeNotFoundException(uri, b.exchange());
            }
            if (!queueExists(b.queue())) {
                throw new QueueNotFoundException(uri, b.queue());
            }
            String pattern = t == ExchangeType.TOPIC ? TopicPatterns.keyToPattern(b.routingKey()) : "";
            client.sadd(keys.binding(b.exchange()), keys.member(b.routingKey(), pattern, b.queue()));
            return t;
        });
        if (type == ExchangeType.FANOUT) {
            fanoutBindings.put(b.queue(), new String[] {b.exchange(), b.routingKey()});
            if (autoDeleteQueues.contains(b.queue())) {
                temporaryQueues.add(b.queue()); // kombu deletes these when the channel closes
            }
        }
    }

    @Override
    public void unbind(Binding b) {
        Objects.requireNonNull(b, "binding");
        checkOpen();
        call("unbind queue '" + b.queue() + "' from exchange '" + b.exchange() + "'", () ->
                client.srem(keys.binding(b.exchange()), keys.member(b.routingKey(), "", b.queue()),
                        keys.member(b.routingKey(), TopicPatterns.keyToPattern(b.routingKey()), b.queue())));
        fanoutBindings.computeIfPresent(b.queue(), (q, xk) ->
                xk[0].equals(b.exchange()) && xk[1].equals(b.routingKey()) ? null : xk);
    }

    @Override
    public void deleteQueue(String queue) {
        checkName(queue, "queue");
        checkOpen();
        call("delete queue '" + queue + "'", () -> {
            removeQueue(queue);
            return null;
        });
    }

    /** Removes a queue's lists, its declaration and every binding of it. */
    private void removeQueue(String queue) {
        ScanParams scan = new ScanParams().match(Glob.escape(keys.prefix() + BrokerKeys.BINDING_PREFIX) + "*").count(1000);
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        do {
            ScanResult<byte[]> page = client.scan(cursor, scan);
            for (byte[] set : page.getResult()) {
                List<byte[]> gone = new ArrayList<>();
                for (byte[] member : client.smembers(set)) {
                    String[] parts = keys.parseMember(member);
                    if (parts != null && parts[2].equals(queue)) {
                        gone.add(member);
                    }
                }
                if (!gone.isEmpty()) {
                    client.srem(set, gone.toArray(new byte[0][]));
                }
            }
            cursor = page.getCursorAsBytes();
        } while (!"0".equals(new String(cursor, StandardCharsets.US_ASCII)));
        client.del(keys.lists(queue).toArray(new byte[0][]));
        client.hdel(keys.queueDeclarations(), BrokerKeys.utf8(queue));
        fanoutBindings.remove(queue);
        temporaryQueues.remove(queue);
        autoDeleteQueues.remove(queue);
    }

    @Override
    public void deleteExchange(String exchange) {
        checkName(exchange, "exchange");
        checkOpen();
        call("delete exchange '" + exchange + "'", () -> {
            client.del(keys.binding(exchange));
            client.hdel(keys.exchangeDeclarations(), BrokerKeys.utf8(exchange));
            return null;
        });
        exchangeTypes.remove(exchange);
        fanoutBindings.values().removeIf(xk -> xk[0].equals(exchange));
    }

    @Override
    public long purgeQueue(String queue) {
        checkName(queue, "queue");
        checkOpen();
        return call("purge queue '" + queue + "'", () -> {
            if (!queueExists(queue)) {
                throw new QueueNotFoundException(uri, queue);
            }
            List<Object> replies;
            try (AbstractTransaction tx = client.multi()) {
                for (byte[] k : keys.lists(queue)) {
                    tx.llen(k);
                    tx.del(k);
                }
                replies = tx.exec();
            }
            long n = 0;
            for (int i = 0; replies != null && i < replies.size(); i += 2) {
                if (replies.get(i) instanceof Long l) {
                    n += l;
                }
            }
            return n;
        });
    }

    @Override
    public QueueStats queueStats(String queue) {
        checkName(queue, "queue");
        checkOpen();
        return call("read queue '" + queue + "'", () -> {
            long messages = depth(queue);
            if (messages == 0 && !client.hexists(keys.queueDeclarations(), BrokerKeys.utf8(queue))) {
                throw new QueueNotFoundException(uri, queue);
            }
            return new QueueStats(queue, messages, -1);
        });
    }

    // ------------------------------------------------------------------------------------------
    // routing

    /** Where one publish goes: lists (with the queue each belongs to) or a fanout channel. */
    record Route(List<String> queues, byte[] channel) {
    }

    /**
     * Resolves a publish as kombu's {@code basic_publish}: the default exchange names the queue; a direct or topic
     * exchange routes through its binding set; a fanout exchange publishes on its channel.
     */
    Route route(String exchange, String routingKey) {
        if (exchange.isEmpty()) {
            return new Route(List.of(routingKey), null);
        }
        ExchangeType type = exchangeType(exchange);
        if (type == null) {
            throw new ExchangeNotFoundException(uri, exchange);
        }
        if (type == ExchangeType.FANOUT) {
            return new Route(List.of(), BrokerKeys.utf8(fanout.publishChannel(exchange, routingKey)));
        }
        return new Route(lookup(exchange, type, routingKey), null);
    }

    /** kombu's {@code _lookup} through an exchange's binding set. */
    private List<String> lookup(String exchange, ExchangeType type, String routingKey) {
        Set<String> queues = new LinkedHashSet<>();
        for (byte[] member : client.smembers(keys.binding(exchange))) {
            String[] p = keys.parseMember(member);
            if (p == null) {
                continue;
            }
            boolean match = switch (type) {
                case DIRECT -> p[0].equals(routingKey);
                case TOPIC -> TopicPatterns.matches(p[0], p[1], routingKey);
                case FANOUT -> true;
            };
            if (match) {
                queues.add(p[2]);
            }
        }
        return new ArrayList<>(queues);
    }

    /** kombu's {@code _lookup} for a restore: the default exchange names the queue; an unknown exchange is direct. */
    private List<String> restoreTargets(String exchange, String routingKey) {
        if (exchange == null || exchange.isEmpty()) {
            return routingKey == null || routingKey.isEmpty() ? List.of() : List.of(routingKey);
        }
        ExchangeType type = exchangeType(exchange);
        return lookup(exchange, type == null ? ExchangeType.DIRECT : type, routingKey == null ? "" : routingKey);
    }

    // ------------------------------------------------------------------------------------------
    // publish

    // Sharing round trips: publishAsync already sends the publishes of every thread in pipelines (AsyncPublisher).
    // A blocking publish still takes a pooled connection of its own for its round trip; the place to make
    // concurrent blocking publishes share writes is send(...), by sending its commands on the shared pipeline
    // of io.celeriac.backend.redis.internal.SharedPipeline (as the result backend's stores and reads do), keeping
    // one publish's commands in one transaction.
    @Override
    public void publish(String exchange, String routingKey, Message message) {
        check(exchange, routingKey, message);
        checkOpen();
        if (asyncPending.get().get() > 0) {
            // this thread has publishes in flight: this one goes after them, in order
            try {
                publishAsync(exchange, routingKey, message).get();
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new PublishFailedException(uri, exchange, routingKey, String.valueOf(e.getCause()), true, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishFailedException(uri, exchange, routingKey, "interrupted", true, e);
            }
        }
        Route route;
        try {
            route = route(exchange, routingKey);
        } catch (ExchangeNotFoundException e) {
            throw e;
        } catch (RuntimeException e) {
            throw publishFailed(exchange, routingKey, translate("publish", e), false);
        }
        try {
            send(route, exchange, routingKey, message);
            connected = true;
        } catch (RuntimeException e) {
            throw publishFailed(exchange, routingKey, translate("publish", e), !neverSent(e));
        }
    }

    private static void check(String exchange, String routingKey, Message message) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(message, "message");
        if (routingKey.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new InvalidMessageException("the routing key is longer than 255 bytes");
        }
        if (exchange.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new InvalidMessageException("the exchange name is longer than 255 bytes");
        }
    }

    PublishFailedException publishFailed(String exchange, String routingKey, RuntimeException e, boolean mayHave) {
        String reason = e instanceof ServiceUnavailableException s ? s.getMessage() : String.valueOf(e.getMessage());
        return new PublishFailedException(uri, exchange, routingKey, reason, mayHave, e);
    }

    /** Whether a failure happened before anything was written (the connection was refused). */
    static boolean neverSent(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
            if (c instanceof JedisConnectionException && c.getMessage() != null
                    && c.getMessage().contains("Failed to connect")) {
                return true;
            }
        }
        return false;
    }

    /** Writes one publish: one LPUSH, a pipeline of them, or a PUBLISH. */
    private void send(Route route, String exchange, String routingKey, Message message) {
        if (route.channel() != null) {
            client.publish(route.channel(), KombuEnvelope.encode(message, exchange, routingKey,
                    KombuEnvelope.newDeliveryTag()));
            return;
        }
        int step = keys.stepFor(message.priority());
        if (route.queues().size() == 1) {
            client.lpush(keys.list(route.queues().get(0), step),
                    KombuEnvelope.encode(message, exchange, routingKey, KombuEnvelope.newDeliveryTag()));
            return;
        }
        if (route.queues().isEmpty()) {
            return; // no queue bound with this key: kombu drops it too
        }
        try (AbstractPipeline p = client.pipelined()) {
            List<Response<Long>> replies = send(p, route, exchange, routingKey, message);
            p.sync();
            for (Response<Long> r : replies) {
                r.get(); // a refusal (a key of another type) raises here
            }
        }
    }

    /**
     * Queues the commands of one publish on a pipeline (several queues, or the asynchronous publisher).
     *
     * @return the replies, to be read after {@code sync()}: reading one that Redis refused raises
     */
    List<Response<Long>> send(AbstractPipeline p, Route route, String exchange, String routingKey, Message message) {
        if (route.channel() != null) {
            return List.of(p.publish(route.channel(), KombuEnvelope.encode(message, exchange, routingKey,
                    KombuEnvelope.newDeliveryTag())));
        }
        int step = keys.stepFor(message.priority());
        List<Response<Long>> replies = new ArrayList<>(route.queues().size());
        for (String q : route.queues()) {
            replies.add(p.lpush(keys.list(q, step), KombuEnvelope.encode(message, exchange, routingKey,
                    KombuEnvelope.newDeliveryTag())));
        }
        return replies;
    }

    @Override
    public CompletableFuture<Void> publishAsync(String exchange, String routingKey, Message message) {
        check(exchange, routingKey, message);
        checkOpen();
        AtomicInteger pending = asyncPending.get();
        pending.incrementAndGet();
        CompletableFuture<Void> f = async.submit(exchange, routingKey, message);
        f.whenComplete((v, e) -> pending.decrementAndGet());
        return f;
    }

    // ------------------------------------------------------------------------------------------
    // consume

    @Override
    public Subscription consume(List<String> queues, ConsumeOptions options, DeliveryHandler handler) {
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (queues.isEmpty()) {
            throw new InvalidDeclarationException("consume needs at least one queue");
        }
        List<String> names = new ArrayList<>(new LinkedHashSet<>(queues));
        for (String q : names) {
            checkName(q, "queue");
        }
        checkOpen();
        call("consume", () -> {
            for (String q : names) {
                if (!queueExists(q) && !fanoutBindings.containsKey(q)) {
                    throw new QueueNotFoundException(uri, q);
                }
            }
            return null;
        });
        Map<String, String[]> fanoutQueues = new LinkedHashMap<>();
        for (String q : names) {
            String[] xk = fanoutBindings.get(q);
            if (xk != null) {
                fanoutQueues.put(q, xk);
            }
        }
        RedisSubscription s = new RedisSubscription(this, subscriptionIds.incrementAndGet(), names, fanoutQueues,
                options, handler);
        subscriptions.add(s);
        s.start();
        Duration connect = config.connection().connectTimeout().plus(config.connection().socketTimeout());
        s.awaitSubscribed(connect.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : connect);
        if (closed.get()) {
            s.cancel();
            throw new BrokerClosedException(uri);
        }
        if (s.readsLists() && !options.autoAck()) {
            timer.execute(this::restoreVisibleQuietly); // kombu restores once when a consumer starts
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------
    // acknowledgements and restores

    /** kombu's {@code QoS.append}: {@code MULTI / ZADD unacked_index / HSET unacked / EXEC}. */
    void record(String tag, byte[] raw, String exchange, String routingKey) {
        byte[] value = unackedValue(raw, exchange, routingKey);
        byte[] t = BrokerKeys.utf8(tag);
        try (AbstractTransaction tx = client.multi()) {
            tx.zadd(keys.unackedIndex(), nowSeconds(), t);
            tx.hset(keys.unacked(), t, value);
            tx.exec();
        }
    }

    /** The {@code unacked} value, {@code [envelope, exchange, routing_key]}, with the envelope as it came. */
    static byte[] unackedValue(byte[] raw, String exchange, String routingKey) {
        byte[] ex = CeleryJson.encode(exchange);
        byte[] rk = CeleryJson.encode(routingKey);
        byte[] out = new byte[raw.length + ex.length + rk.length + 6];
        int i = 0;
        out[i++] = '[';
        System.arraycopy(raw, 0, out, i, raw.length);
        i += raw.length;
        out[i++] = ',';
        out[i++] = ' ';
        System.arraycopy(ex, 0, out, i, ex.length);
        i += ex.length;
        out[i++] = ',';
        out[i++] = ' ';
        System.arraycopy(rk, 0, out, i, rk.length);
        i += rk.length;
        out[i] = ']';
        return out;
    }

    static double nowSeconds() {
        return System.currentTimeMillis() / 1000.0;
    }

    static byte[] score(double seconds) {
        return String.format(Locale.ROOT, "%.6f", seconds).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * kombu's {@code QoS.ack} ({@code MULTI / ZREM unacked_index / HDEL unacked / EXEC}) as one atomic script call,
     * together with the acknowledgements other threads make meanwhile; returns once Redis removed the tag.
     */
    void ack(String tag) {
        byte[] t = BrokerKeys.utf8(tag);
        call("acknowledge", () -> {
            acknowledger.ack(t);
            return null;
        });
    }

    private void removeUnacked(List<byte[]> tags) {
        BrokerScripts.ACK.run(client, List.of(keys.unacked(), keys.unackedIndex()), tags);
    }

    /**
     * Restores a delivery of this broker (kombu's {@code restore_by_tag}): with the {@code redelivered} flags, to
     * the queues its exchange and routing key lead to (or its own queue when they lead nowhere), {@code LPUSH} for a
     * rejected message, {@code RPUSH} for one left unsettled; only if still in {@code unacked} when it was recorded.
     */
    void restore(RedisDelivery d, boolean leftmost, boolean recorded) {
        byte[] payload = KombuEnvelope.markRedelivered(d.raw());
        call("restore a message to queue '" + d.queue() + "'", () -> {
            List<String> targets = restoreTargets(d.exchange(), d.routingKey());
            if (targets.isEmpty()) {
                targets = List.of(d.queue());
            }
            runRestore(d.tag(), payload, targets, leftmost, recorded);
            return null;
        });
    }

    /**
     * Puts back a message taken but never handed to the handler (its subscription was cancelled meanwhile): as it
     * was, to the right end of the very list it came from.
     */
    void pushBack(String tag, byte[] raw, byte[] list, boolean recorded) {
        List<byte[]> k = List.of(keys.unacked(), keys.unackedIndex(), list);
        call("put back a message", () -> BrokerScripts.RESTORE.run(client, k,
                List.of(BrokerKeys.utf8(tag == null ? "" : tag), raw, BrokerKeys.utf8("0"),
                        BrokerKeys.utf8(recorded ? "1" : "0"))));
    }

    private void runRestore(String tag, byte[] payload, List<String> queues, boolean leftmost, boolean require) {
        List<byte[]> k = new ArrayList<>(queues.size() + 2);
        k.add(keys.unacked());
        k.add(keys.unackedIndex());
        for (String q : queues) {
            k.add(keys.list(q, 0)); // kombu restores to the queue's own list, whatever the priority
        }
        BrokerScripts.RESTORE.run(client, k, List.of(BrokerKeys.utf8(tag == null ? "" : tag), payload,
                BrokerKeys.utf8(leftmost ? "1" : "0"), BrokerKeys.utf8(require ? "1" : "0")));
    }

    private void restoreVisibleQuietly() {
        if (closed.get() || !config.ackEmulation()) {
            return;
        }
        boolean consuming = false;
        for (RedisSubscription s : subscriptions) {
            if (s.readsLists() && s.isManual() && s.isActive()) {
                consuming = true;
                break;
            }
        }
        if (!consuming) {
            return;
        }
        try {
            restoreVisible();
        } catch (RuntimeException e) {
            restoreWarning.warn("Restoring unacknowledged messages on {} failed: {}", uri,
                    errors.scrub(String.valueOf(e.getMessage())));
        }
    }

    /**
     * kombu's {@code QoS.restore_visible}: under the {@code unacked_mutex} (taken with {@code SET NX PX}, released
     * only by its holder), every message delivered more than {@code visibility_timeout} ago goes back to its queue,
     * newest first, at most {@code unacked_restore_limit} per pass.
     *
     * @return how many messages were restored, or -1 when another consumer held the mutex
     */
    int restoreVisible() {
        String token = UUID.randomUUID().toString();
        String ok = client.set(keys.unackedMutex(), BrokerKeys.utf8(token),
                SetParams.setParams().nx().px(config.unackedMutexExpire().toMillis()));
        if (!"OK".equals(ok)) {
            return -1;
        }
        int restored = 0;
        try {
            double ceil = nowSeconds() - config.visibilityTimeout().toMillis() / 1000.0;
            int limit = config.unackedRestoreLimit();
            CommandArguments zrev = new CommandArguments(Protocol.Command.ZREVRANGEBYSCORE).key(keys.unackedIndex())
                    .add(score(ceil)).add("0").add("WITHSCORES");
            if (limit > 0) {
                zrev.add("LIMIT").add("0").add(Integer.toString(limit));
            }
            Object reply = client.executeCommand(zrev);
            List<?> visible = reply instanceof List<?> l ? l : List.of();
            for (int i = 0; i + 1 < visible.size(); i += 2) {
                if (visible.get(i) instanceof byte[] tag && restoreByTag(new String(tag, StandardCharsets.UTF_8))) {
                    restored++;
                }
            }
        } finally {
            try {
                BrokerScripts.RELEASE.run(client, List.of(keys.unackedMutex()), List.of(BrokerKeys.utf8(token)));
            } catch (RuntimeException e) {
                LOG.debug("Releasing the unacked mutex of {} failed; it expires on its own", uri, e);
            }
        }
        if (restored > 0) {
            LOG.info("Restored {} unacknowledged message(s) older than the visibility timeout on {}", restored, uri);
        }
        return restored;
    }

    private boolean restoreByTag(String tag) {
        byte[] t = BrokerKeys.utf8(tag);
        byte[] value = client.hget(keys.unacked(), t);
        if (value == null) {
            client.zrem(keys.unackedIndex(), t);
            return false;
        }
        Object parsed;
        try {
            parsed = CeleryJson.decode(value);
        } catch (JsonFormatException e) {
            restoreWarning.warn("The unacknowledged message {} on {} is not JSON; it is left in place", tag, uri);
            return false;
        }
        if (!(parsed instanceof List<?> l) || l.size() != 3 || !(l.get(0) instanceof Map<?, ?> envelope)) {
            restoreWarning.warn("The unacknowledged message {} on {} is not [message, exchange, routing_key]; it is "
                    + "left in place", tag, uri);
            return false;
        }
        String exchange = l.get(1) == null ? "" : String.valueOf(l.get(1));
        String routingKey = l.get(2) == null ? "" : String.valueOf(l.get(2));
        List<String> targets = restoreTargets(exchange, routingKey);
        if (targets.isEmpty()) {
            restoreWarning.warn("The unacknowledged message {} on {} (exchange '{}', routing key '{}') leads to no "
                    + "queue; it is left in place", tag, uri, exchange, routingKey);
            return false;
        }
        byte[] payload = KombuEnvelope.markRedelivered(CeleryJson.encode(envelope));
        runRestore(tag, payload, targets, false, true);
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // timer tasks

    private void pingSubscribers() {
        for (RedisSubscription s : subscriptions) {
            s.ping();
        }
    }

    private void probe() {
        if (connected || closed.get()) {
            return;
        }
        try {
            client.ping();
            connected = true;
        } catch (RuntimeException e) {
            // still down
        }
    }

    // ------------------------------------------------------------------------------------------
    // close

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (RedisSubscription s : List.copyOf(subscriptions)) {
            try {
                s.cancel();
            } catch (RuntimeException e) {
                LOG.debug("cancel on close", e);
            }
        }
        async.close(CLOSE_WAIT_MILLIS);
        for (String q : List.copyOf(temporaryQueues)) {
            try {
                removeQueue(q);
            } catch (RuntimeException e) {
                LOG.debug("Could not delete the auto-delete queue '{}' of {}: {}", q, uri, e.getMessage());
            }
        }
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("The timer of {} did not stop within {} ms", uri, CLOSE_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.close();
        LOG.debug("Closed {}", uri);
    }
}
