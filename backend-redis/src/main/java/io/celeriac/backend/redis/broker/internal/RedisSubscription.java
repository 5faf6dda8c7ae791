package io.celeriac.backend.redis.broker.internal;

import io.celeriac.backend.redis.broker.RedisBrokerConfig;
import io.celeriac.backend.redis.internal.KombuEnvelope;
import io.celeriac.backend.redis.internal.Pauses;
import io.celeriac.backend.redis.internal.PubSubConnection;
import io.celeriac.backend.redis.internal.RateLimitedWarning;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.DeliveryHandler;
import io.celeriac.broker.InvalidMessageException;
import io.celeriac.broker.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One consumer of a {@link RedisBroker}, as one of kombu's virtual channels consumes: a thread that takes messages
 * from its queues' lists (step 0 of every queue first, then step 3, ...; in the order of
 * {@code queue_order_strategy}) and hands them to the handler one at a time, and, for queues bound to a fanout
 * exchange, a thread that follows their channels with {@code PSUBSCRIBE}. Each has a connection of its own.
 *
 * <p>The list thread waits while the subscription holds {@code prefetch} unsettled deliveries; otherwise it takes
 * as many messages as the prefetch leaves room for (at most 100; one at a time when they are not recorded in
 * {@code unacked}) with one call of the broker's fetch script (each popped and recorded in {@code unacked} in one
 * step, in the queue order kombu's cycle would take them), then hands them over in that order; or, when
 * every list is empty, blocks in {@code BRPOP} for up to {@code polling_interval} over the lists and a wake-up list
 * of its own (so that a cancel ends the wait at once without losing a popped message). A lost connection is
 * replaced after a pause (100 ms, doubled up to 5 s); unsettled deliveries stay valid, since their record lives in
 * Redis.
 *
 * <p>Cancelling stops both threads, then puts every unsettled delivery back (kombu's restore on channel close: to
 * the right end of its queue, with the redelivered flags); settling one afterwards raises
 * {@link io.celeriac.broker.StaleDeliveryException}. Fanout deliveries are not kept anywhere (Redis pub/sub keeps
 * nothing): acknowledging one only frees its place in the prefetch, and one rejected with requeue is dropped.
 * Thread-safe.
 */
final class RedisSubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSubscription.class);
    private static final long FIRST_PAUSE_MILLIS = 100;
    private static final long MAX_PAUSE_MILLIS = 5_000;
    private static final long JOIN_MILLIS = 10_000;
    private static final byte[] WAKE = "wake".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE = {'1'};
    private static final byte[] ZERO = {'0'};
    /** The most messages one fetch takes. */
    private static final int MAX_BATCH = 100;

    private final RedisBroker broker;
    private final BrokerKeys keys;
    private final RedisBrokerConfig config;
    private final long id;
    private final List<String> queues;
    private final List<String> listQueues;
    /** Pattern (as subscribed) to the queues that follow it. */
    private final Map<String, List<String>> fanoutPatterns = new LinkedHashMap<>();
    private final ConsumeOptions options;
    private final DeliveryHandler handler;
    private final boolean manual;
    private final boolean recorded;
    private final byte[] wakeKey;
    private final String threadName;

    private final Object handlerLock = new Object();
    private final Object lock = new Object();
    private final Set<RedisDelivery> unsettled = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean active = new AtomicBoolean(true);
    private final RateLimitedWarning warning = new RateLimitedWarning(LOG, 10_000);
    private Thread listThread;
    private Thread fanoutThread;
    private PubSubConnection listConnection;
    private PubSubConnection fanoutConnection;
    private int confirmed; // guarded by lock: patterns confirmed on the current fanout connection

    RedisSubscription(RedisBroker broker, long id, List<String> queues, Map<String, String[]> fanoutQueues,
                      ConsumeOptions options, DeliveryHandler handler) {
        this.broker = broker;
        this.keys = broker.keys();
        this.config = broker.config();
        this.id = id;
        this.queues = List.copyOf(queues);
        List<String> lists = new ArrayList<>();
        for (String q : queues) {
            String[] xk = fanoutQueues.get(q);
            if (xk == null) {
                lists.add(q);
            } else {
                fanoutPatterns.computeIfAbsent(broker.fanout().subscribePattern(xk[0], xk[1]), p -> new ArrayList<>())
                        .add(q);
            }
        }
        this.listQueues = List.copyOf(lists);
        this.options = options;
        this.handler = handler;
        this.manual = !options.autoAck();
        this.recorded = manual && config.ackEmulation();
        this.threadName = broker.threadName() + "-consumer-" + id;
        this.wakeKey = keys.wake(UUID.randomUUID() + "-" + id);
    }

    void start() {
        synchronized (lock) {
            if (!listQueues.isEmpty()) {
                listThread = new Thread(this::runLists, threadName);
                listThread.setDaemon(true);
                listThread.start();
            }
            if (!fanoutPatterns.isEmpty()) {
                fanoutThread = new Thread(this::runFanout, threadName + "-fanout");
                fanoutThread.setDaemon(true);
                fanoutThread.start();
            }
        }
    }

    /**
     * Waits until Redis confirmed every fanout subscription (a broadcast published before that would be missed),
     * or the wait is over.
     *
     * @param wait how long to wait at most
     */
    void awaitSubscribed(Duration wait) {
        if (fanoutPatterns.isEmpty()) {
            return;
        }
        long end = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            while (active.get() && confirmed < fanoutPatterns.size()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public List<String> queues() {
        return queues;
    }

    @Override
    public boolean isActive() {
        return active.get();
    }

    boolean readsLists() {
        return !listQueues.isEmpty();
    }

    boolean isManual() {
        return manual;
    }

    String brokerUri() {
        return broker.asUri();
    }

    // ------------------------------------------------------------------------------------------
    // the list thread

    /** One message taken from a list. */
    private record Popped(byte[] list, String queue, byte[] raw, boolean recorded) {
    }

    private Duration blockFor() {
        return config.pollingInterval();
    }

    private void runLists() {
        List<String> cycle = new ArrayList<>(listQueues);
        long pause = FIRST_PAUSE_MILLIS;
        PubSubConnection c = null;
        try {
            while (active.get()) {
                try {
                    if (c == null) {
                        c = broker.dedicatedConnection(config.connection().socketTimeout().plus(blockFor())
                                .plusSeconds(1));
                        synchronized (lock) {
                            listConnection = c;
                        }
                        if (!active.get()) {
                            break;
                        }
                    }
                    if (!awaitCapacity()) {
                        break;
                    }
                    List<byte[]> lists = new ArrayList<>();
                    List<String> owners = new ArrayList<>();
                    List<String> order = config.queueOrder() == RedisBrokerConfig.QueueOrder.SORTED
                            ? sorted(cycle) : cycle;
                    for (int step : keys.steps()) {
                        for (String q : order) {
                            lists.add(keys.list(q, step));
                            owners.add(q);
                        }
                    }
                    List<Popped> batch = fetch(c, lists, owners, order.size(), batchSize());
                    if (batch.isEmpty()) {
                        Popped p = blockingPop(c, lists, owners);
                        batch = p == null ? List.of() : List.of(p);
                    }
                    broker.connected(true);
                    pause = FIRST_PAUSE_MILLIS;
                    for (int i = 0; i < batch.size(); i++) {
                        Popped p = batch.get(i);
                        if (!active.get()) {
                            // the rest goes back untouched, the last taken first, so that they are served in order
                            for (int j = batch.size() - 1; j >= i; j--) {
                                putBack(batch.get(j), null);
                            }
                            break;
                        }
                        if (config.queueOrder() == RedisBrokerConfig.QueueOrder.ROUND_ROBIN) {
                            cycle.remove(p.queue());
                            cycle.add(p.queue());
                        }
                        dispatchListMessage(p);
                    }
                    if (!active.get()) {
                        break;
                    }
                } catch (RuntimeException e) {
                    if (c != null) {
                        c.shutdown();
                        c = null;
                    }
                    if (!active.get()) {
                        break;
                    }
                    RuntimeException t = broker.translate("consume", e);
                    broker.connected(!(t instanceof io.celeriac.ServiceUnavailableException));
                    warning.warn("A consumer of {} on {} failed ({}); reading again in {} ms", listQueues,
                            broker.asUri(), t.getMessage(), pause);
                    if (!pause(pause)) {
                        break;
                    }
                    pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
                }
            }
        } finally {
            if (c != null) {
                c.shutdown();
            }
        }
    }

    private static List<String> sorted(List<String> cycle) {
        List<String> s = new ArrayList<>(cycle);
        Collections.sort(s);
        return s;
    }

    /**
     * How many messages the next fetch may take: the free part of the prefetch window when the messages are
     * recorded in {@code unacked} (so that a message taken is never outside both its list and {@code unacked}, and
     * never more than {@code prefetch} are taken and unsettled), at most {@value #MAX_BATCH}; one otherwise (a
     * message taken and not recorded is kept in this process only, so no more than one is taken ahead), and one
     * when fanout queues share the prefetch (their thread may fill the window while a batch waits).
     */
    private int batchSize() {
        if (!recorded || !fanoutPatterns.isEmpty()) {
            return 1;
        }
        int prefetch = options.prefetch();
        int free = prefetch == 0 ? MAX_BATCH : prefetch - unsettled.size();
        return Math.max(1, Math.min(MAX_BATCH, free));
    }

    /**
     * The fetch script: up to {@code max} messages, each popped (and recorded) in the same step, in the order
     * taken; empty when every list is empty.
     */
    private List<Popped> fetch(PubSubConnection c, List<byte[]> lists, List<String> owners, int queueCount, int max) {
        List<byte[]> k = new ArrayList<>(lists.size() + 2);
        k.addAll(lists);
        k.add(keys.unacked());
        k.add(keys.unackedIndex());
        boolean rotate = config.queueOrder() == RedisBrokerConfig.QueueOrder.ROUND_ROBIN;
        Object reply = BrokerScripts.FETCH.run(c, k, List.of(RedisBroker.score(RedisBroker.nowSeconds()),
                flag(recorded), Integer.toString(max).getBytes(StandardCharsets.US_ASCII),
                Integer.toString(queueCount).getBytes(StandardCharsets.US_ASCII), flag(rotate)));
        if (!(reply instanceof List<?> l) || l.size() < 2) {
            return List.of();
        }
        List<Popped> out = new ArrayList<>(l.size() / 2);
        for (int n = 0; n + 1 < l.size(); n += 2) {
            if (l.get(n) instanceof Long i && l.get(n + 1) instanceof byte[] raw) {
                int index = (int) (i - 1);
                out.add(new Popped(lists.get(index), owners.get(index), raw, recorded));
            }
        }
        return out;
    }

    private static byte[] flag(boolean b) {
        return b ? ONE : ZERO;
    }

    /**
     * {@code BRPOP} over the lists and this subscription's wake-up list; a message it returns is recorded in
     * {@code unacked} right after (kombu's {@code QoS.append}), retried until Redis takes it.
     */
    private Popped blockingPop(PubSubConnection c, List<byte[]> lists, List<String> owners) {
        CommandArguments brpop = new CommandArguments(Protocol.Command.BRPOP);
        for (byte[] k : lists) {
            brpop.key(k);
        }
        brpop.key(wakeKey);
        brpop.add(seconds(blockFor())); // not marked blocking: the read keeps the connection's timeout
        Object reply = c.executeCommand(brpop);
        if (!(reply instanceof List<?> l) || l.size() < 2 || !(l.get(0) instanceof byte[] key)
                || !(l.get(1) instanceof byte[] raw)) {
            return null;
        }
        if (Arrays.equals(key, wakeKey)) {
            return null;
        }
        int index = -1;
        for (int i = 0; i < lists.size(); i++) {
            if (Arrays.equals(lists.get(i), key)) {
                index = i;
                break;
            }
        }
        if (index < 0) {
            LOG.warn("BRPOP on {} returned an unknown key", broker.asUri());
            return null;
        }
        Popped p = new Popped(lists.get(index), owners.get(index), raw, false);
        if (!recorded) {
            return p;
        }
        KombuEnvelope.Decoded d;
        try {
            d = KombuEnvelope.decodeMessage(raw);
        } catch (InvalidMessageException e) {
            return p; // not recorded; dispatch drops it
        }
        if (d.deliveryTag() == null) {
            return p;
        }
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            try {
                broker.record(d.deliveryTag(), raw, d.exchange(), d.routingKey());
                return new Popped(p.list(), p.queue(), raw, true);
            } catch (RuntimeException e) {
                if (!active.get()) {
                    putBack(p, d.deliveryTag());
                    return null;
                }
                warning.warn("A message taken from {} on {} could not be recorded as unacknowledged ({}); retrying",
                        p.queue(), broker.asUri(), broker.errors().scrub(String.valueOf(e.getMessage())));
                if (!Pauses.await(lock, () -> !active.get(), TimeUnit.MILLISECONDS.toNanos(pause))) {
                    putBack(p, d.deliveryTag());
                    return null;
                }
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
            }
        }
    }

    private static byte[] seconds(Duration d) {
        long ms = d.toMillis();
        String s = ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(Locale.ROOT, "%.3f", ms / 1000.0);
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Puts back a message taken after the subscription was cancelled, untouched, where it was. */
    private void putBack(Popped p, String tag) {
        String t = tag;
        if (t == null && p.recorded()) {
            try {
                t = KombuEnvelope.decodeMessage(p.raw()).deliveryTag();
            } catch (InvalidMessageException e) {
                t = null;
            }
        }
        try {
            broker.pushBack(t, p.raw(), p.list(), p.recorded());
        } catch (RuntimeException e) {
            if (p.recorded()) {
                LOG.warn("A message taken from {} after its consumer was cancelled could not be put back ({}); it is"
                        + " restored after visibility_timeout", p.queue(), e.getMessage());
            } else {
                LOG.error("A message taken from {} on {} after its consumer was cancelled could not be put back and "
                        + "is lost ({}): {}", p.queue(), broker.asUri(), e.getMessage(),
                        new String(p.raw(), StandardCharsets.UTF_8));
            }
        }
    }

    private void dispatchListMessage(Popped p) {
        KombuEnvelope.Decoded d;
        try {
            d = KombuEnvelope.decodeMessage(p.raw());
        } catch (InvalidMessageException e) {
            int shown = Math.min(200, p.raw().length);
            warning.warn("A message in queue '{}' on {} cannot be read and is dropped ({}); it began with '{}'",
                    p.queue(), broker.asUri(), e.getMessage(), new String(p.raw(), 0, shown, StandardCharsets.UTF_8));
            if (p.recorded()) {
                String tag = tagOf(p.raw());
                if (tag != null) {
                    try {
                        broker.ack(tag);
                    } catch (RuntimeException ignored) {
                        // restored after the visibility timeout, and dropped again then
                    }
                }
            }
            return;
        }
        String tag = d.deliveryTag() != null ? d.deliveryTag() : KombuEnvelope.newDeliveryTag();
        RedisDelivery delivery = new RedisDelivery(this, d.message(), p.queue(), d.exchange(), d.routingKey(),
                d.redelivered(), tag, p.raw(), p.list(), false, !manual, p.recorded() && d.deliveryTag() != null);
        invoke(delivery);
    }

    private static String tagOf(byte[] raw) {
        try {
            Object o = io.celeriac.json.CeleryJson.decode(raw);
            if (o instanceof Map<?, ?> m && m.get("properties") instanceof Map<?, ?> p
                    && p.get("delivery_tag") instanceof String s) {
                return s;
            }
        } catch (RuntimeException e) {
            // not JSON
        }
        return null;
    }

    /** Hands a delivery to the handler, one at a time; a failure rejects it (no requeue) when still unsettled. */
    private void invoke(RedisDelivery d) {
        synchronized (handlerLock) {
            if (!active.get()) {
                // cancelled while this one waited for the handler: it goes back untouched
                if (!d.isFanout()) {
                    putBack(new Popped(d.sourceList(), d.queue(), d.raw(), d.isRecorded()), d.tag());
                }
                return;
            }
            if (manual) {
                unsettled.add(d);
            }
            try {
                handler.handle(d);
            } catch (Exception | AssertionError | LinkageError e) {
                LOG.warn("The handler of a subscription to {} on {} failed on a message from '{}'; it is rejected",
                        queues, broker.asUri(), d.queue(), e);
                if (manual && !d.isSettled()) {
                    try {
                        d.reject(false);
                    } catch (RuntimeException ignored) {
                        // cancelled meanwhile, or Redis unreachable: the message comes back later
                    }
                }
            }
        }
    }

    private boolean awaitCapacity() {
        int prefetch = options.prefetch();
        if (!manual || prefetch == 0) {
            return active.get();
        }
        synchronized (lock) {
            while (active.get() && unsettled.size() >= prefetch) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return active.get();
        }
    }

    private boolean pause(long millis) {
        return Pauses.await(lock, () -> !active.get(), TimeUnit.MILLISECONDS.toNanos(millis));
    }

    // ------------------------------------------------------------------------------------------
    // the fanout thread

    private void runFanout() {
        long pause = FIRST_PAUSE_MILLIS;
        Duration ping = config.connection().subscriberPingInterval();
        while (active.get()) {
            PubSubConnection c;
            try {
                c = broker.dedicatedConnection(ping.multipliedBy(3));
            } catch (RuntimeException e) {
                warning.warn("A consumer of {} on {} cannot connect ({}); retrying in {} ms", fanoutPatterns.values(),
                        broker.asUri(), broker.errors().describe(e), pause);
                if (!pause(pause)) {
                    return;
                }
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
                continue;
            }
            synchronized (lock) {
                if (!active.get()) {
                    c.shutdown();
                    return;
                }
                fanoutConnection = c;
                confirmed = 0;
            }
            try {
                synchronized (c) {
                    byte[][] patterns = new byte[fanoutPatterns.size()][];
                    int i = 0;
                    for (String p : fanoutPatterns.keySet()) {
                        patterns[i++] = p.getBytes(StandardCharsets.UTF_8);
                    }
                    c.write(Protocol.Command.PSUBSCRIBE, patterns);
                    c.flushOut();
                }
                while (active.get()) {
                    Object reply;
                    try {
                        reply = c.readReply();
                    } catch (JedisDataException e) {
                        warning.warn("Redis refused a command of a consumer on {}: {}", broker.asUri(),
                                broker.errors().scrub(e.getMessage()));
                        continue;
                    }
                    if (handleFanout(reply)) {
                        pause = FIRST_PAUSE_MILLIS;
                    }
                }
            } catch (RuntimeException e) {
                c.shutdown();
                synchronized (lock) {
                    if (fanoutConnection == c) {
                        fanoutConnection = null;
                    }
                }
                if (!active.get()) {
                    return;
                }
                warning.warn("A consumer of {} on {} lost its connection ({}); reconnecting in {} ms",
                        fanoutPatterns.values(), broker.asUri(), broker.errors().describe(e), pause);
                if (!pause(pause)) {
                    return;
                }
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
            }
        }
    }

    /** Handles one reply of the fanout connection; returns whether it confirmed a subscription. */
    private boolean handleFanout(Object reply) {
        if (!(reply instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof byte[] kindBytes)) {
            return false;
        }
        String kind = new String(kindBytes, StandardCharsets.US_ASCII);
        if ("psubscribe".equals(kind)) {
            synchronized (lock) {
                confirmed++;
                lock.notifyAll();
            }
            return true;
        }
        if (!"pmessage".equals(kind) || list.size() < 4 || !(list.get(1) instanceof byte[] pattern)
                || !(list.get(3) instanceof byte[] data)) {
            return false;
        }
        List<String> targets = fanoutPatterns.get(new String(pattern, StandardCharsets.UTF_8));
        if (targets == null) {
            return false;
        }
        KombuEnvelope.Decoded d;
        try {
            d = KombuEnvelope.decodeMessage(data);
        } catch (InvalidMessageException e) {
            warning.warn("A message for {} on {} cannot be read and is dropped ({})", targets, broker.asUri(),
                    e.getMessage());
            return false;
        }
        for (String q : targets) {
            if (!awaitCapacity()) {
                return false;
            }
            String tag = d.deliveryTag() != null ? d.deliveryTag() : KombuEnvelope.newDeliveryTag();
            invoke(new RedisDelivery(this, d.message(), q, d.exchange(), d.routingKey(), d.redelivered(), tag, data,
                    null, true, !manual, false));
        }
        return false;
    }

    /** Pings the fanout connection (the broker's timer calls this), so that a dead one is noticed. */
    void ping() {
        PubSubConnection c;
        synchronized (lock) {
            c = fanoutConnection;
        }
        if (c == null) {
            return;
        }
        try {
            synchronized (c) {
                c.write(Protocol.Command.PING);
                c.flushOut();
            }
        } catch (RuntimeException e) {
            c.shutdown(); // the reader notices and reconnects
        }
    }

    // ------------------------------------------------------------------------------------------
    // settling

    /** Settles a delivery in Redis (its state is SETTLING); a failure leaves it unsettled. */
    void settle(RedisDelivery d, boolean reject, boolean requeue) {
        if (d.isFanout()) {
            if (reject && requeue) {
                LOG.debug("A broadcast from {} was rejected with requeue; Redis keeps no broadcast, it is dropped",
                        d.exchange());
            }
            return;
        }
        if (reject && requeue) {
            broker.restore(d, true, d.isRecorded());
        } else if (d.isRecorded()) {
            broker.ack(d.tag());
        }
    }

    /** A delivery was settled: its place in the prefetch is free. */
    void settled(RedisDelivery d) {
        unsettled.remove(d);
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    // ------------------------------------------------------------------------------------------
    // cancel

    @Override
    public void cancel() {
        if (!active.compareAndSet(true, false)) {
            return;
        }
        broker.forget(this);
        Thread lt;
        Thread ft;
        PubSubConnection fc;
        synchronized (lock) {
            lt = listThread;
            ft = fanoutThread;
            fc = fanoutConnection;
            lock.notifyAll();
        }
        Thread me = Thread.currentThread();
        if (lt != null && lt != me) {
            wake();
        }
        if (fc != null) {
            fc.shutdown();
        }
        if (me != lt && me != ft) {
            // from a handler of this subscription, the other thread may wait for the handler: no join then
            join(lt);
            join(ft);
        }
        for (RedisDelivery d : List.copyOf(unsettled)) {
            if (!d.markStale()) {
                continue;
            }
            unsettled.remove(d);
            if (d.isFanout()) {
                continue;
            }
            try {
                broker.restore(d, false, d.isRecorded());
            } catch (RuntimeException e) {
                if (d.isRecorded()) {
                    LOG.warn("An unacknowledged message of queue '{}' on {} could not be restored now ({}); it comes "
                            + "back after visibility_timeout", d.queue(), broker.asUri(), e.getMessage());
                } else {
                    LOG.error("An unacknowledged message of queue '{}' on {} could not be restored and is lost ({})",
                            d.queue(), broker.asUri(), e.getMessage());
                }
            }
        }
        if (lt != null) {
            try {
                broker.client().del(wakeKey);
            } catch (RuntimeException e) {
                // it expires on its own
            }
        }
    }

    /** Ends a blocking BRPOP at once: a push to this subscription's wake-up list (or, failing that, a hang-up). */
    private void wake() {
        try {
            broker.client().lpush(wakeKey, WAKE);
            broker.client().expire(wakeKey, 60);
        } catch (RuntimeException e) {
            PubSubConnection c;
            synchronized (lock) {
                c = listConnection;
            }
            if (c != null) {
                c.shutdown();
            }
        }
    }

    private void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("The consumer thread {} of {} did not stop within {} ms", t.getName(), broker.asUri(), JOIN_MILLIS);
        }
    }

    @Override
    public String toString() {
        return "RedisSubscription[" + queues + " on " + broker.asUri() + "]";
    }
}
