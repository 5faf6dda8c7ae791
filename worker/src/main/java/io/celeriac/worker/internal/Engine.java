package io.celeriac.worker.internal;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Subscription;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.control.ControlNode;
import io.celeriac.control.ControlReply;
import io.celeriac.json.CeleryJson;
import io.celeriac.events.spi.BrokerEventDispatcher;
import io.celeriac.state.LamportClock;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import io.celeriac.task.InvalidTaskMessageException;
import io.celeriac.task.Signature;
import io.celeriac.task.TaskMessage;
import io.celeriac.worker.Retry;
import io.celeriac.worker.SoftTimeLimitExceededException;
import io.celeriac.worker.TaskContext;
import io.celeriac.worker.TaskOptions;
import io.celeriac.worker.TaskRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's engine: consumer, request life cycle (Celery's strategy, request and trace), pool, timers, events,
 * remote control and state store. Built and driven by {@link io.celeriac.worker.Worker}.
 */
public final class Engine {

    private static final Logger LOG = LoggerFactory.getLogger("io.celeriac.worker");
    private static final Set<String> NATIVE_CHORD_SCHEMES = Set.of("redis", "rediss", "sentinel", "socket", "memory");
    static final String CHORD_UNLOCK = "celery.chord_unlock";
    /** How long a shutdown waits for runs that were finishing when it gave up on the others. */
    private static final Duration FINISH_GRACE = Duration.ofSeconds(5);

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int STOPPING = 2;
    private static final int STOPPED = 3;

    /** The worker's settings, as validated by its builder. */
    public record Settings(Celeriac celeriac, String brokerUrl, Broker broker, BrokerOptions brokerOptions,
                           String backendUrl, Backend backend, BackendOptions backendOptions, boolean noBackend,
                           String stateDb, StateStoreOptions stateStoreOptions, TaskRegistry registry,
                           List<String> queues, String defaultQueue, Map<String, String> routes, int concurrency, int prefetchMultiplier, boolean acksLate,
                           boolean rejectOnWorkerLost, boolean trackStarted, boolean ignoreResult,
                           Duration timeLimit, Duration softTimeLimit, boolean sendEvents,
                           Duration heartbeatInterval, String nodename, Duration shutdownTimeout,
                           boolean remoteControl, Clock clock, Map<String, String> environment) {
    }

    final Settings s;
    final String nodename;
    final long pid = ProcessHandle.current().pid();
    final WorkerState state;
    final Instant startedAt;
    final Map<String, Request> reserved = new ConcurrentHashMap<>();
    final Map<String, Request> active = new ConcurrentHashMap<>();
    final Map<String, Request> scheduled = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> totals = new ConcurrentHashMap<>();
    final Map<String, Double> rateOverrides = new ConcurrentHashMap<>();
    final Map<String, Duration[]> limitOverrides = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final BlockingQueue<Request> ready = new LinkedBlockingQueue<>();
    private final Semaphore slots;
    private final java.util.LinkedHashSet<String> consumed = new java.util.LinkedHashSet<>();
    private final Map<String, Subscription> extra = new java.util.LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService runners;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger phase = new AtomicInteger(NEW);
    private final Object lifecycle = new Object();
    /** Set by a cold shutdown during a warm one: stop waiting for the running tasks. */
    private volatile boolean hurry;
    volatile boolean taskEvents;

    Broker broker;
    Backend backend;
    private boolean ownsBroker;
    private boolean ownsBackend;
    private boolean nativeChords;
    private CeleryClient sender;
    private StateStore store;
    private BrokerEventDispatcher events;
    private ControlNode control;
    private volatile Subscription subscription;
    private Thread dispatcher;

    /**
     * An engine, not started.
     *
     * @param settings the settings
     */
    public Engine(Settings settings) {
        this.s = settings;
        this.nodename = settings.nodename();
        this.state = new WorkerState(RevokedSet.withCeleryDefaults(settings.environment(), settings.clock()),
                new LamportClock());
        this.startedAt = settings.clock().instant();
        this.slots = new Semaphore(settings.concurrency());
        this.taskEvents = settings.sendEvents();
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemon("celeriac-worker-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.runners = Executors.newCachedThreadPool(daemon("celeriac-worker-" + nodename));
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread th = new Thread(r, prefix + "-" + n.incrementAndGet());
            th.setDaemon(true);
            return th;
        };
    }

    /** @return the node name */
    public String nodename() {
        return nodename;
    }

    /** @return the task registry */
    public TaskRegistry registry() {
        return s.registry();
    }

    /** @return whether it consumes */
    public boolean isRunning() {
        return phase.get() == RUNNING;
    }

    /** @return finished tasks by name */
    public Map<String, Long> totals() {
        Map<String, Long> m = new TreeMap<>();
        totals.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    // ------------------------------------------------------------------------------------------
    // start

    /** Opens everything and starts consuming. */
    public void start() {
        if (!phase.compareAndSet(NEW, RUNNING)) {
            throw new IllegalStateException("the worker " + nodename + " was started before");
        }
        try {
            open();
        } catch (RuntimeException e) {
            phase.set(STOPPING);
            release();
            throw e;
        }
        LOG.info("{} ready: {} task(s) on {} from {} (concurrency {}, results {})", nodename, s.registry().size(),
                s.queues(), broker.asUri(), s.concurrency(), backend == null ? "not stored" : backend.asUri());
    }

    private void open() {
        if (s.stateDb() != null) {
            String url = expandNode(s.stateDb());
            store = s.celeriac().openStateStore(url, s.stateStoreOptions() == null ? StateStoreOptions.defaults()
                    : s.stateStoreOptions());
            store.merge(state);
        }
        broker = s.broker();
        if (broker == null) {
            broker = s.celeriac().openBroker(s.brokerUrl(), s.brokerOptions() == null ? BrokerOptions.defaults()
                    : s.brokerOptions());
            ownsBroker = true;
        }
        backend = s.backend();
        if (backend == null && !s.noBackend() && s.backendUrl() != null && !s.backendUrl().isBlank()) {
            BackendOptions bo = s.backendOptions() == null ? BackendOptions.defaults() : s.backendOptions();
            if (s.backendUrl().strip().startsWith("rpc://") && bo.property("broker_url").isEmpty()
                    && s.broker() == null) {
                bo = bo.toBuilder().property("broker_url", s.brokerUrl()).build();
            }
            backend = s.celeriac().openBackend(s.backendUrl(), bo);
            ownsBackend = true;
        }
        nativeChords = backend != null && backend.supports(BackendCapability.CHORDS)
                && NATIVE_CHORD_SCHEMES.contains(scheme(backend.asUri()));
        CeleryClient.Builder cb = CeleryClient.builder().celeriac(s.celeriac()).broker(broker).sendSentEvent(false)
                .clock(s.clock()).environment(s.environment()).defaultQueue(s.defaultQueue());
        s.routes().forEach(cb::route);
        if (backend != null) {
            cb.backend(backend);
        } else {
            cb.withoutBackend();
        }
        sender = cb.build();
        for (String q : s.queues()) {
            broker.declareExchange(CeleryTopology.taskExchange(q));
            broker.declareQueue(CeleryTopology.taskQueue(q));
            broker.bind(CeleryTopology.taskBinding(q));
        }
        events = BrokerEventDispatcher.builder(broker).hostname(nodename).clock(state.clock())
                .heartbeatInterval(s.heartbeatInterval()).build();
        if (s.remoteControl()) {
            control = ControlNode.start(broker, nodename, new Commands(this), state.clock());
        }
        dispatcher = new Thread(this::dispatch, "celeriac-worker-dispatch-" + nodename);
        dispatcher.setDaemon(true);
        dispatcher.start();
        int prefetch = s.prefetchMultiplier() == 0 ? 0 : Math.min(65_535, s.concurrency() * s.prefetchMultiplier());
        consumed.addAll(s.queues());
        subscription = broker.consume(s.queues(), ConsumeOptions.prefetch(prefetch), this::onDelivery);
        events.startHeartbeat();
    }

    private String expandNode(String text) {
        int at = nodename.indexOf('@');
        String name = at < 0 ? nodename : nodename.substring(0, at);
        String host = at < 0 ? "" : nodename.substring(at + 1);
        return text.replace("%n", name).replace("%h", host).replace("%i", "0").replace("%I", "");
    }

    static String scheme(String uri) {
        int i = uri.indexOf("://");
        String sc = i < 0 ? uri : uri.substring(0, i);
        int plus = sc.indexOf('+');
        return plus < 0 ? sc : sc.substring(0, plus);
    }

    // ------------------------------------------------------------------------------------------
    // receiving (Celery's strategy)

    private void onDelivery(Delivery d) {
        if (phase.get() != RUNNING) {
            return; // left unsettled: the shutdown's cancel puts it back on its queue in its place
        }
        TaskMessage m;
        try {
            m = TaskMessage.fromMessage(d.message());
        } catch (InvalidTaskMessageException e) {
            LOG.error("Received invalid task message on {}: {} - rejected (dropped)", d.queue(), e.getMessage());
            d.reject(false);
            return;
        }
        TaskRegistry.Entry entry = s.registry().get(m.task()).orElse(null);
        if (entry == null && CHORD_UNLOCK.equals(m.task())) {
            entry = new TaskRegistry.Entry(CHORD_UNLOCK, new ChordUnlock(this), TaskOptions.builder()
                    .maxRetries(-1).defaultRetryDelay(Duration.ofSeconds(1)).build());
        }
        if (entry == null) {
            unknownTask(m, d);
            return;
        }
        Request r = new Request(m, d, entry);
        if (revokedOnArrival(r)) {
            return;
        }
        if (taskEvents) {
            sendEvent(() -> events.taskReceived(m.id(), m.task(), argsrepr(m), kwargsrepr(m), (int) m.retries(),
                    m.rootId() == null ? m.id() : m.rootId(), m.parentId(), m.etaText(), m.expiresText()));
        }
        Instant eta = m.eta();
        Instant now = s.clock().instant();
        if (eta != null && eta.isAfter(now)) {
            scheduled.put(r.id(), r);
            r.etaTimer = timer.schedule(() -> {
                if (scheduled.remove(r.id()) != null) {
                    enqueue(r);
                }
            }, Duration.between(now, eta).toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        enqueue(r);
    }

    private void unknownTask(TaskMessage m, Delivery d) {
        LOG.error("Received unregistered task of type '{}' (id {}). The message has been ignored and discarded. "
                + "Registered tasks: {}", m.task(), m.id(), s.registry().names());
        d.reject(false);
        ExceptionInfo exc = ExceptionInfo.of("NotRegistered", ExceptionInfo.CELERY_EXCEPTIONS,
                ControlReply.repr(m.task()));
        if (backend != null) {
            try {
                backend.markAsFailure(m.id(), exc, null, requestOf(m, d, false));
            } catch (RuntimeException e) {
                LOG.warn("Storing NotRegistered for {} failed: {}", m.id(), e.toString());
            }
        }
        if (taskEvents) {
            sendEvent(() -> events.send("task-failed", Map.of("uuid", m.id(), "exception",
                    "NotRegistered(" + ControlReply.repr(m.task()) + ")")));
        }
    }

    /** Celery's {@code Request.revoked()}: an expired task joins the revoked set; both are acked and stored. */
    private boolean revokedOnArrival(Request r) {
        Instant exp = r.msg.expires();
        boolean expired = exp != null && s.clock().instant().isAfter(exp);
        if (expired) {
            state.revoked().add(r.id());
        }
        if (!expired && !state.revoked().contains(r.id())) {
            return false;
        }
        if (!r.finish()) {
            return true;
        }
        LOG.info("Discarding revoked task: {}[{}]{}", r.name(), r.id(), expired ? " (expired)" : "");
        announceRevoked(r, expired ? "expired" : "revoked", false, null, expired);
        return true;
    }

    private void announceRevoked(Request r, String reason, boolean terminated, String signum, boolean expired) {
        if (backend != null && !ignoreResult(r)) {
            try {
                backend.markAsRevoked(r.id(), reason, requestOf(r.msg, r.delivery, false));
            } catch (RuntimeException e) {
                LOG.warn("Storing REVOKED for {} failed: {}", r.id(), e.toString());
            }
        }
        reportChordPart(r, TaskState.REVOKED, ExceptionInfo.taskRevoked(reason));
        if (taskEvents) {
            sendEvent(() -> events.taskRevoked(r.id(), terminated, signum, expired));
        }
        r.ack();
    }

    private void enqueue(Request r) {
        if (phase.get() != RUNNING) {
            return; // left unsettled, as in onDelivery
        }
        double rate = rateFor(r);
        if (rate > 0) {
            long wait = buckets.computeIfAbsent(r.name(), k -> new Bucket()).reserve(rate);
            if (wait > 0) {
                reserved.put(r.id(), r);
                r.etaTimer = timer.schedule(() -> ready.add(r), wait, TimeUnit.NANOSECONDS);
                return;
            }
        }
        reserved.put(r.id(), r);
        ready.add(r);
    }

    private double rateFor(Request r) {
        Double o = rateOverrides.get(r.name());
        if (o != null) {
            return o;
        }
        return TaskOptions.perSecond(r.entry.options().rateLimit());
    }

    // ------------------------------------------------------------------------------------------
    // running (Celery's trace)

    private void dispatch() {
        while (phase.get() == RUNNING) {
            Request r;
            try {
                r = ready.poll(100, TimeUnit.MILLISECONDS);
                if (r == null) {
                    continue;
                }
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            if (phase.get() != RUNNING) {
                slots.release();
                reserved.remove(r.id()); // left unsettled, as in onDelivery
                return;
            }
            reserved.remove(r.id());
            active.put(r.id(), r);
            try {
                runners.execute(() -> execute(r));
            } catch (RuntimeException e) {
                active.remove(r.id()); // the pool is shut down: left unsettled, as in onDelivery
                slots.release();
            }
        }
    }

    private void releaseSlot(Request r) {
        if (r.slotReleased.compareAndSet(false, true)) {
            active.remove(r.id());
            slots.release();
        }
    }

    boolean acksLate(Request r) {
        Boolean b = r.entry.options().acksLate();
        return b == null ? s.acksLate() : b;
    }

    boolean ignoreResult(Request r) {
        Boolean b = r.entry.options().ignoreResult();
        return r.msg.ignoreResult() || (b == null ? s.ignoreResult() : b);
    }

    private boolean trackStarted(Request r) {
        Boolean b = r.entry.options().trackStarted();
        return b == null ? s.trackStarted() : b;
    }

    /** The soft and hard limits of a run: the message's, else the task's (or a control override), else the worker's. */
    Duration[] limits(Request r) {
        Duration hard = seconds(r.msg.timeLimit());
        Duration soft = seconds(r.msg.softTimeLimit());
        Duration[] o = limitOverrides.get(r.name());
        if (hard == null) {
            hard = o != null ? o[1] : r.entry.options().timeLimit() != null ? r.entry.options().timeLimit()
                    : s.timeLimit();
        }
        if (soft == null) {
            soft = o != null ? o[0] : r.entry.options().softTimeLimit() != null ? r.entry.options().softTimeLimit()
                    : s.softTimeLimit();
        }
        return new Duration[] {soft, hard};
    }

    private static Duration seconds(Number n) {
        return n == null || n.doubleValue() <= 0 ? null : Args.seconds(n.doubleValue());
    }

    private void execute(Request r) {
        try {
            run(r);
        } catch (Throwable t) {
            LOG.error("Task {}[{}] could not be handled: {}", r.name(), r.id(), t.toString(), t);
            if (r.finish()) {
                r.reject(false);
            }
        } finally {
            releaseSlot(r);
            Thread.interrupted();
        }
    }

    private void run(Request r) {
        r.thread = Thread.currentThread();
        if (revokedOnArrival(r)) {
            return;
        }
        if (!acksLate(r) && !r.ack()) {
            r.finish(); // its channel was lost: the message comes again, so it does not run here
            return;
        }
        Instant startInstant = s.clock().instant();
        r.timeStart = startInstant.getEpochSecond() + startInstant.getNano() / 1e9;
        Duration[] limits = limits(r);
        Duration soft = limits[0];
        Duration hard = limits[1];
        if (soft != null) {
            r.softTimer = timer.schedule(() -> {
                r.softExceeded = true;
                if (!r.finished.get() && r.interruptIfRunning()) {
                    LOG.warn("Soft time limit ({}s) exceeded for {}[{}]", soft.toMillis() / 1000.0, r.name(), r.id());
                }
            }, soft.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (hard != null) {
            r.hardTimer = timer.schedule(() -> hardTimeout(r, hard), hard.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (trackStarted(r) && backend != null && !ignoreResult(r)) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("pid", pid);
            meta.put("hostname", nodename);
            backend.markAsStarted(r.id(), meta);
        }
        if (taskEvents) {
            sendEvent(() -> events.taskStarted(r.id()));
        }
        long t0 = System.nanoTime();
        Object result = null;
        Throwable failure = null;
        Context ctx = new Context(this, r, soft);
        try {
            result = r.entry.task().run(ctx);
        } catch (Throwable t) {
            failure = t;
        }
        r.runEnded(); // no interrupt meant for the handler lands on what follows (storing, publishing, the next task)
        double runtime = (System.nanoTime() - t0) / 1e9;
        r.cancelTimers();
        if (!r.finish()) {
            return; // a hard time limit or a terminate finished it
        }
        Thread.interrupted();
        if (failure instanceof InterruptedException && r.softExceeded) {
            failure = new SoftTimeLimitExceededException(soft);
        }
        count(r); // before the result is visible, so that stats never lag a result a client has read
        try {
            if (failure == null) {
                succeeded(r, result, runtime);
            } else if (failure instanceof Retry retry) {
                retry(r, retry);
            } else {
                failed(r, failure, soft);
            }
        } finally {
            r.ack();
        }
    }

    private void count(Request r) {
        totals.computeIfAbsent(r.name(), k -> new AtomicLong()).incrementAndGet();
    }

    private void succeeded(Request r, Object result, double runtime) {
        if (!(result == null || result instanceof String || result instanceof Number || result instanceof Boolean)) {
            try {
                CeleryJson.encode(result);
            } catch (RuntimeException e) {
                failed(r, new io.celeriac.worker.TaskError("kombu.exceptions", "EncodeError", e,
                        "the result of " + r.name() + " cannot be stored as JSON: " + e.getMessage()), null);
                return;
            }
        }
        if (backend != null && !ignoreResult(r)) {
            // The results of the pool's threads share round trips in the backend itself: Redis sends concurrent
            // stores on its shared pipeline, PostgreSQL commits concurrent stores together.
            backend.markAsDone(r.id(), result, requestOf(r.msg, r.delivery, false));
        }
        LOG.info("Task {}[{}] succeeded in {}s: {}", r.name(), r.id(), String.format("%.6f", runtime),
                shortRepr(result));
        if (taskEvents) {
            sendEvent(() -> events.taskSucceeded(r.id(), shortRepr(result), runtime));
        }
        reportChordPart(r, TaskState.SUCCESS, result);
        for (Signature link : r.msg.callbacks() == null ? List.<Signature>of() : r.msg.callbacks()) {
            applySignature(link, result, r, null);
        }
        List<Signature> chain = r.msg.chain();
        if (chain != null && !chain.isEmpty()) {
            List<Signature> rest = new ArrayList<>(chain);
            Signature next = rest.remove(rest.size() - 1);
            applySignature(next, result, r, rest);
        }
    }

    private void failed(Request r, Throwable failure, Duration soft) {
        ExceptionInfo info = Failures.info(failure, soft == null ? 0 : soft.toMillis() / 1000.0);
        String tb = Failures.traceback(failure, info);
        storeFailure(r, info, tb);
        LOG.error("Task {}[{}] raised unexpected: {}\n{}", r.name(), r.id(), info.pythonRepr(), tb);
        LOG.debug("The Java exception of {}[{}]", r.name(), r.id(), failure);
    }

    private void storeFailure(Request r, ExceptionInfo info, String tb) {
        if (backend != null && !ignoreResult(r)) {
            try {
                backend.markAsFailure(r.id(), info, tb, requestOf(r.msg, r.delivery, false));
            } catch (RuntimeException e) {
                LOG.error("Storing the failure of {}[{}] failed: {}", r.name(), r.id(), e.toString());
            }
        }
        if (taskEvents) {
            sendEvent(() -> events.taskFailed(r.id(), info.pythonRepr(), tb));
        }
        reportChordPart(r, TaskState.FAILURE, info);
        for (Signature errback : r.msg.errbacks() == null ? List.<Signature>of() : r.msg.errbacks()) {
            applySignature(errback, r.id(), r, null);
        }
    }

    private void retry(Request r, Retry retry) {
        int max = retry.maxRetries() != null ? retry.maxRetries() : r.entry.options().maxRetries();
        if (max >= 0 && r.msg.retries() >= max) {
            Throwable exc = retry.exc();
            if (exc == null) {
                exc = new io.celeriac.worker.TaskError(ExceptionInfo.CELERY_EXCEPTIONS, "MaxRetriesExceededError",
                        "Can't retry " + r.name() + "[" + r.id() + "] args:" + argsrepr(r.msg) + " kwargs:"
                                + kwargsrepr(r.msg));
            }
            failed(r, exc, null);
            return;
        }
        TaskMessage again = r.msg.toBuilder().retries(r.msg.retries() + 1).eta(retry.eta()).build();
        Delivery d = r.delivery;
        String exchange = d.exchange() == null ? "" : d.exchange();
        String key = d.routingKey() == null || d.routingKey().isEmpty() && exchange.isEmpty() ? d.queue()
                : d.routingKey();
        broker.publish(exchange, key, again.toMessage());
        ExceptionInfo info = retry.exc() == null
                ? ExceptionInfo.of("Retry", ExceptionInfo.CELERY_EXCEPTIONS, retry.getMessage())
                : Failures.info(retry.exc(), 0);
        String tb = Failures.traceback(retry.exc() == null ? retry : retry.exc(), info);
        if (backend != null && !ignoreResult(r)) {
            backend.markAsRetry(r.id(), info, tb, requestOf(r.msg, r.delivery, false));
        }
        LOG.info("Task {}[{}] retry: {}", r.name(), r.id(), retry.getMessage());
        if (taskEvents) {
            sendEvent(() -> events.taskRetried(r.id(), info.pythonRepr(), tb));
        }
    }

    private void hardTimeout(Request r, Duration hard) {
        if (!r.finish()) {
            return;
        }
        double secs = hard.toMillis() / 1000.0;
        LOG.error("Hard time limit ({}s) exceeded for {}[{}]", secs, r.name(), r.id());
        r.interruptIfRunning();
        count(r);
        try {
            ExceptionInfo info = ExceptionInfo.of("TimeLimitExceeded", Failures.BILLIARD, secs);
            storeFailure(r, info, "Traceback (most recent call last):\n" + Failures.BILLIARD
                    + ".TimeLimitExceeded: TimeLimitExceeded(" + secs + ")\n");
        } finally {
            r.cancelTimers();
            r.ack();
            releaseSlot(r);
        }
    }

    /** Ends a running task at once (control {@code terminate}): stored REVOKED with reason {@code terminated}. */
    boolean terminate(String id, String signum) {
        Request r = active.get(id);
        if (r == null || !r.finish()) {
            return false;
        }
        r.terminated = true;
        r.interruptIfRunning();
        try {
            announceRevoked(r, "terminated", true, signum, false);
        } finally {
            r.cancelTimers();
            releaseSlot(r);
        }
        return true;
    }

    private void reportChordPart(Request r, TaskState st, Object result) {
        if (!nativeChords || r.msg.chord() == null || r.msg.group() == null) {
            return;
        }
        try {
            Optional<ChordCompletion> done = backend.onChordPartReturn(ChordPart.of(r.id(),
                    requestOf(r.msg, r.delivery, true), st, result));
            if (done.isPresent() && !done.get().failed()) {
                Signature body = Signature.fromMap(done.get().body());
                applySignature(body, done.get().results(), r, null);
            }
        } catch (RuntimeException e) {
            LOG.error("Reporting {}[{}] to its chord failed: {}", r.name(), r.id(), e.toString(), e);
        }
    }

    /** Sends a callback, errback, chain step or chord body with the value first (unless immutable). */
    void applySignature(Signature sig, Object value, Request parent, List<Signature> chain) {
        try {
            List<Object> args = new ArrayList<>();
            if (!sig.immutable()) {
                args.add(value);
            }
            args.addAll(sig.args());
            SendOptions.Builder o = SendOptions.builder().parentId(parent.id()).rootId(
                    parent.msg.rootId() == null ? parent.id() : parent.msg.rootId());
            if (chain != null && !chain.isEmpty()) {
                o.chain(chain);
            }
            sender.send(sig.withArgs(args), o.build());
        } catch (RuntimeException e) {
            LOG.error("Sending {} after {}[{}] failed: {}", sig.task(), parent.name(), parent.id(), e.toString(), e);
        }
    }

    /** The request as the backend records it (extended results, rpc:// reply, chord part). */
    TaskRequest requestOf(TaskMessage m, Delivery d, boolean withChord) {
        return TaskRequest.builder().task(m.task()).args(m.args()).kwargs(m.kwargs()).hostname(nodename)
                .retries((int) m.retries()).queue(d.routingKey() == null ? d.queue() : d.routingKey())
                .group(m.group()).groupIndex(m.groupIndex() == null ? null : m.groupIndex().intValue())
                .parentId(m.parentId()).rootId(m.rootId())
                .chord(withChord && m.chord() != null ? m.chord().toMap() : null)
                .ignoreResult(m.ignoreResult()).replyTo(m.replyTo()).correlationId(
                        m.correlationId() == null ? m.id() : m.correlationId()).build();
    }

    static String argsrepr(TaskMessage m) {
        return m.argsrepr() != null ? m.argsrepr() : ControlReply.repr(m.args());
    }

    static String kwargsrepr(TaskMessage m) {
        return m.kwargsrepr() != null ? m.kwargsrepr() : ControlReply.repr(m.kwargs());
    }

    static String shortRepr(Object v) {
        String r = ControlReply.repr(v);
        return r.length() > TaskMessage.REPR_MAX_SIZE ? r.substring(0, TaskMessage.REPR_MAX_SIZE) + "..." : r;
    }

    private void sendEvent(Runnable send) {
        try {
            send.run();
        } catch (RuntimeException e) {
            LOG.warn("An event of {} could not be sent: {}", nodename, e.toString());
        }
    }

    void enableEvents(boolean on) {
        taskEvents = on;
    }

    LamportClock clock() {
        return state.clock();
    }

    RevokedSet revoked() {
        return state.revoked();
    }

    List<Request> activeRequests() {
        return new ArrayList<>(active.values());
    }

    List<Request> reservedRequests() {
        return new ArrayList<>(reserved.values());
    }

    List<Request> scheduledRequests() {
        return new ArrayList<>(scheduled.values());
    }

    Broker broker() {
        return broker;
    }

    Backend backend() {
        return backend;
    }

    void sendHeartbeat() {
        sendEvent(() -> events.workerEvent("worker-heartbeat"));
    }

    List<String> consumedQueues() {
        synchronized (consumed) {
            return new ArrayList<>(consumed);
        }
    }

    /**
     * Control {@code add_consumer}: declares the queue and consumes it with a subscription of its own, so the
     * messages the other subscriptions hold (reserved, or running acknowledged late) stay where they are.
     */
    boolean addQueue(String q) {
        synchronized (consumed) {
            if (consumed.contains(q) || phase.get() != RUNNING) {
                return false;
            }
            broker.declareExchange(CeleryTopology.taskExchange(q));
            broker.declareQueue(CeleryTopology.taskQueue(q));
            broker.bind(CeleryTopology.taskBinding(q));
            extra.put(q, broker.consume(List.of(q), ConsumeOptions.prefetch(prefetchCount()), this::onDelivery));
            consumed.add(q);
            return true;
        }
    }

    /**
     * Control {@code cancel_consumer}. A queue added by {@code add_consumer} loses its own subscription; one of the
     * start-up queues makes the start-up subscription start again without it, and the messages that subscription
     * held unsettled go back to their queues (the broker SPI has no cancel that keeps them): a task it was running
     * acknowledged late may then run again elsewhere.
     */
    void cancelQueue(String q) {
        synchronized (consumed) {
            if (!consumed.remove(q) || phase.get() != RUNNING) {
                return;
            }
            Subscription own = extra.remove(q);
            if (own != null) {
                cancelQuietly(own);
                return;
            }
            List<String> main = new ArrayList<>(consumed);
            main.removeAll(extra.keySet());
            Subscription old = subscription;
            if (old != null) {
                cancelQuietly(old);
            }
            subscription = main.isEmpty() ? null
                    : broker.consume(main, ConsumeOptions.prefetch(prefetchCount()), this::onDelivery);
        }
    }

    int prefetchCount() {
        return s.prefetchMultiplier() == 0 ? 0 : s.concurrency() * s.prefetchMultiplier();
    }

    // ------------------------------------------------------------------------------------------
    // shutdown

    /**
     * Waits for the end of a shutdown.
     *
     * @param timeout the longest wait
     * @return whether it ended
     * @throws InterruptedException when interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Asks for a warm shutdown from another thread (control {@code shutdown}). */
    void shutdownSoon() {
        Thread t = new Thread(() -> shutdown(false), "celeriac-worker-shutdown");
        t.setDaemon(false);
        t.start();
    }

    /**
     * Shuts down: warm (waits for running tasks up to the timeout) or cold. Messages reserved or scheduled are left
     * unsettled until the subscription is cancelled, which puts them back on their queues in their places (the
     * {@link Subscription} contract: settling them after the cancel would fail, and a reject before it would only
     * make the broker deliver them again): at once when no running task holds an unsettled message, else once the
     * tasks acknowledged late have settled theirs. A task still running at the end is interrupted and stores
     * nothing; if acknowledged late, its message goes back with the cancel. A cold call during a warm shutdown ends
     * its wait at once.
     *
     * @param cold interrupt running tasks at once
     */
    public void shutdown(boolean cold) {
        synchronized (lifecycle) {
            int p = phase.get();
            if (p == NEW) {
                phase.set(STOPPED);
                stopped.countDown();
                return;
            }
            if (p != RUNNING) {
                if (cold) {
                    hurry = true;
                }
                return;
            }
            phase.set(STOPPING);
        }
        LOG.info("{}: {} shutdown", nodename, cold ? "cold" : "warm");
        for (Request r : scheduledRequests()) {
            r.cancelTimers();
            scheduled.remove(r.id());
        }
        List<Request> waiting = new ArrayList<>();
        ready.drainTo(waiting);
        waiting.addAll(reserved.values());
        for (Request r : waiting) {
            r.cancelTimers();
            reserved.remove(r.id());
        }
        if (active.values().stream().allMatch(r -> r.settled.get())) {
            cancelSubscription(); // no running task holds its message: the reserved ones go back at once
        }
        long deadline = System.nanoTime() + (cold ? 0 : s.shutdownTimeout().toNanos());
        awaitActive(r -> true, deadline, true);
        List<Request> abandoned = new ArrayList<>();
        for (Request r : activeRequests()) {
            if (!r.finish()) {
                continue; // it is finishing: it stores its result and settles its message
            }
            abandoned.add(r);
            LOG.warn("{}[{}] is still running at shutdown: interrupted{}", r.name(), r.id(),
                    acksLate(r) ? "; its message goes back to the broker" : "");
            r.cancelTimers();
            interrupt(r);
        }
        // the runs that were finishing settle their messages before the cancel
        awaitActive(r -> !abandoned.contains(r), System.nanoTime() + FINISH_GRACE.toNanos(), false);
        cancelSubscription();
        release();
    }

    private void cancelSubscription() {
        Subscription sub = subscription;
        if (sub != null) {
            cancelQuietly(sub);
        }
        synchronized (consumed) {
            extra.values().forEach(Engine::cancelQuietly);
            extra.clear();
        }
    }

    private static void cancelQuietly(Subscription sub) {
        try {
            sub.cancel();
        } catch (RuntimeException e) {
            LOG.debug("Cancelling the consumer failed: {}", e.toString());
        }
    }

    private void awaitActive(java.util.function.Predicate<Request> counted, long deadline, boolean hurried) {
        while (!(hurried && hurry) && active.values().stream().anyMatch(counted) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void interrupt(Request r) {
        r.interruptIfRunning();
    }

    private void release() {
        try {
            if (dispatcher != null) {
                dispatcher.interrupt();
            }
            runners.shutdownNow();
            timer.shutdownNow();
            close(control);
            close(events);
            if (store != null) {
                try {
                    store.save(state);
                } catch (RuntimeException e) {
                    LOG.error("Saving the worker state to {} failed: {}", store.location(), e.toString());
                }
            }
            close(sender);
            if (ownsBackend) {
                close(backend);
            }
            if (ownsBroker) {
                close(broker);
            }
        } finally {
            phase.set(STOPPED);
            stopped.countDown();
        }
    }

    private static void close(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("Closing {} failed: {}", c, e.toString());
        }
    }

    @Override
    public String toString() {
        return nodename + " on " + (broker == null ? s.brokerUrl() : broker.asUri()) + " " + s.queues();
    }

    // ------------------------------------------------------------------------------------------

    /** A smooth rate limiter: each task reserves the next free slot of 1/rate seconds. */
    private static final class Bucket {
        private long next = System.nanoTime();

        synchronized long reserve(double perSecond) {
            long now = System.nanoTime();
            long interval = (long) (1e9 / perSecond);
            long at = Math.max(now, next);
            next = at + interval;
            return at - now;
        }
    }

    /** The context a running task sees. */
    private static final class Context extends TaskContext {
        private final Engine engine;
        private final Request r;
        private final TaskOptions options;

        Context(Engine engine, Request r, Duration soft) {
            this.engine = engine;
            this.r = r;
            this.options = r.entry.options().toBuilder().softTimeLimit(soft).build();
        }

        @Override
        public TaskMessage message() {
            return r.msg;
        }

        @Override
        public String hostname() {
            return engine.nodename;
        }

        @Override
        public TaskOptions options() {
            return options;
        }

        @Override
        public void updateState(String stateName, Map<String, ?> meta) {
            if (engine.backend != null && !engine.ignoreResult(r)) {
                engine.backend.storeResult(r.id(), meta == null ? null : new LinkedHashMap<>(meta),
                        TaskState.of(stateName), null, engine.requestOf(r.msg, r.delivery, false));
            }
        }

        @Override
        public boolean isSoftTimeLimitExceeded() {
            return r.softExceeded;
        }

        @Override
        protected Clock clock() {
            return engine.s.clock();
        }
    }

    /** Celery's {@code celery.chord_unlock} for backends without a chord counter: waits for the header, then the body. */
    private static final class ChordUnlock implements io.celeriac.worker.Task {
        private final Engine engine;

        ChordUnlock(Engine engine) {
            this.engine = engine;
        }

        @Override
        public Object run(TaskContext ctx) {
            Backend b = engine.backend;
            if (b == null) {
                throw io.celeriac.worker.TaskError.builtin("RuntimeError", "chord_unlock needs a result backend");
            }
            String gid = ctx.arg(0, String.class);
            Signature body = Signature.fromMap(ctx.args().get(1));
            List<String> ids = new ArrayList<>();
            Object result = ctx.kwargs().get("result");
            if (result instanceof Collection<?> tuples) {
                for (Object t : tuples) {
                    ids.add(firstId(t));
                }
            }
            Map<String, TaskMeta> metas = b.getMany(ids);
            List<Object> values = new ArrayList<>();
            for (String id : ids) {
                TaskMeta m = metas.get(id);
                if (m == null || !m.status().isReady()) {
                    Object interval = ctx.kwargs().get("interval");
                    throw ctx.retry(interval instanceof Number n ? Args.seconds(n.doubleValue())
                            : Duration.ofSeconds(1), null, ctx.kwargs().get("max_retries") instanceof Number n
                            ? n.intValue() : null);
                }
                if (!TaskState.SUCCESS.equals(m.status())) {
                    String bodyId = body.taskId();
                    ExceptionInfo err = ExceptionInfo.chordError("Dependency " + id + " raised "
                            + (m.result() instanceof ExceptionInfo e ? e.pythonRepr() : ControlReply.repr(m.result())));
                    if (bodyId != null) {
                        b.markAsFailure(bodyId, err, null, null);
                    }
                    return null;
                }
                values.add(m.result());
            }
            Request self = engine.active.get(ctx.id());
            if (self != null) {
                engine.applySignature(body, values, self, null);
            } else {
                engine.sender.send(body.withArgs(prepend(values, body)), SendOptions.builder().build());
            }
            LOG.debug("chord {} unlocked", gid);
            return null;
        }

        private static List<Object> prepend(Object v, Signature body) {
            List<Object> a = new ArrayList<>();
            if (!body.immutable()) {
                a.add(v);
            }
            a.addAll(body.args());
            return a;
        }

        private static String firstId(Object tuple) {
            Object t = tuple;
            while (t instanceof List<?> l && !l.isEmpty()) {
                if (l.get(0) instanceof String id) {
                    return id;
                }
                t = l.get(0);
            }
            throw io.celeriac.worker.TaskError.builtin("ValueError", "chord_unlock: not a result tuple: " + tuple);
        }
    }
}
