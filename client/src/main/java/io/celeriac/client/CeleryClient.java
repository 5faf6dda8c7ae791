package io.celeriac.client;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.Message;
import io.celeriac.client.canvas.Chain;
import io.celeriac.client.canvas.Chord;
import io.celeriac.client.canvas.Group;
import io.celeriac.client.control.Control;
import io.celeriac.events.spi.BrokerEventDispatcher;
import io.celeriac.client.internal.TaskRouter;
import io.celeriac.task.CeleryTimes;
import io.celeriac.task.Oid;
import io.celeriac.task.Signature;
import io.celeriac.task.TaskMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends Celery tasks and canvases from Java, as Python's {@code app.send_task} and {@code apply_async} do, so that
 * a Celery 5.2 to 5.6 worker runs them as if Python had sent them; follows their results through the result
 * backend ({@link AsyncResult}, {@link GroupResult}).
 *
 * <pre>{@code
 * try (CeleryClient client = CeleryClient.builder()
 *         .brokerUrl("redis://localhost:6379/0").backendUrl("redis://localhost:6379/1").build()) {
 *     AsyncResult r = client.send("proj.add", List.of(2, 3), Map.of(), SendOptions.none());
 *     long sum = r.get(Duration.ofSeconds(10), Long.class);
 * }
 * }</pre>
 *
 * <p>Settings keep Celery's names: {@code task_default_queue}, {@code task_routes}, {@code task_serializer} (json
 * only), {@code result_expires}, {@code task_create_missing_queues}, {@code task_send_sent_event}. The broker and
 * backend are opened through {@link Celeriac} from their URLs (defaults: the environment's
 * {@code CELERY_BROKER_URL} and {@code CELERY_RESULT_BACKEND}), or given ready-made. Thread-safe: any number of
 * threads send at once. Close it to close what it opened. A task that cannot be encoded raises
 * {@link io.celeriac.task.InvalidTaskMessageException} and nothing is sent; a broker that cannot be reached raises
 * {@link io.celeriac.broker.BrokerUnavailableException}.
 */
public final class CeleryClient implements AutoCloseable {

    /** Celery's default broker URL. */
    public static final String DEFAULT_BROKER_URL = "amqp://guest:guest@localhost:5672//";
    /** The {@code celery.chord_unlock} task Celery sends for a chord on a backend without a native counter. */
    public static final String CHORD_UNLOCK = "celery.chord_unlock";

    private static final Logger LOG = LoggerFactory.getLogger(CeleryClient.class);
    private static final long NODE = new SecureRandom().nextLong() & 0xffffffffffffL;
    /** The backend property naming Celery's {@code broker_url}, which {@code rpc://} alone connects to. */
    private static final String RPC_BROKER_URL = "broker_url";
    private static final Set<String> NATIVE_CHORD_SCHEMES = Set.of("redis", "rediss", "sentinel", "socket", "memory");

    private final Broker broker;
    private final Backend backend;
    private final boolean ownsBroker;
    private final boolean ownsBackend;
    private final TaskRouter router;
    private final boolean createMissingQueues;
    private final Clock clock;
    private final Set<String> declared = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<String> threadOid;
    private final boolean sendSentEvent;
    private volatile BrokerEventDispatcher events;
    private volatile Control control;

    private CeleryClient(Builder b, Broker broker, Backend backend) {
        this.broker = broker;
        this.backend = backend;
        this.ownsBroker = b.broker == null;
        this.ownsBackend = b.backend == null;
        this.router = new TaskRouter(b.routes, b.defaultQueue);
        this.createMissingQueues = b.createMissingQueues;
        this.clock = b.clock;
        this.sendSentEvent = b.sendSentEvent;
        int instance = System.identityHashCode(this);
        this.threadOid = ThreadLocal.withInitial(() -> Oid.generate(NODE, ProcessHandle.current().pid(),
                Thread.currentThread().getId(), instance));
    }

    /**
     * A builder with Celery's defaults.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The broker the client publishes to.
     *
     * @return the broker
     */
    public Broker broker() {
        return broker;
    }

    /**
     * The result backend.
     *
     * @return the backend, or empty when the client has none
     */
    public Optional<Backend> backend() {
        return Optional.ofNullable(backend);
    }

    /**
     * The {@code reply_to} the client sends when neither the options nor the backend name one: kombu's object id of
     * this client and the calling thread, as Celery's {@code app.thread_oid}.
     *
     * @return the oid
     */
    public String threadOid() {
        return threadOid.get();
    }

    /**
     * Remote control of the workers on the client's broker (Celery's {@code app.control}): revoke, inspect, ping...
     * Created on first use; closed with the client.
     *
     * @return the control
     */
    public Control control() {
        Control c = control;
        if (c == null) {
            synchronized (this) {
                c = control;
                if (c == null) {
                    c = Control.create(broker);
                    control = c;
                }
            }
        }
        return c;
    }

    // ------------------------------------------------------------------------------------------
    // single tasks

    /**
     * Sends a task by name, as Celery's {@code app.send_task(name, args, kwargs, **options)}, and returns once the
     * broker has it.
     *
     * @param name the registered task name
     * @param args the positional arguments (JSON-like values), or {@code null}
     * @param kwargs the keyword arguments, or {@code null}
     * @param options the send options
     * @return the task's result
     * @throws io.celeriac.task.InvalidTaskMessageException when an argument cannot be sent as JSON (nothing sent)
     * @throws io.celeriac.broker.PublishFailedException when the broker did not take the message
     * @throws io.celeriac.broker.BrokerUnavailableException when the broker cannot be reached
     */
    public AsyncResult send(String name, List<?> args, Map<String, ?> kwargs, SendOptions options) {
        Prepared p = prepare(name, args, kwargs, options);
        broker.publish(p.exchange, p.routingKey, p.message);
        sentEvent(p);
        return new AsyncResult(p.id, this, null, null);
    }

    /**
     * Sends a task without waiting for the broker's confirmation (declarations of a new queue still block).
     *
     * @param name the registered task name
     * @param args the positional arguments, or {@code null}
     * @param kwargs the keyword arguments, or {@code null}
     * @param options the send options
     * @return the result once the broker has the message; it fails with the broker's exception otherwise
     * @throws io.celeriac.task.InvalidTaskMessageException when an argument cannot be sent as JSON (nothing sent)
     */
    public CompletableFuture<AsyncResult> sendAsync(String name, List<?> args, Map<String, ?> kwargs,
                                                    SendOptions options) {
        Prepared p = prepare(name, args, kwargs, options);
        CompletableFuture<Void> published = broker.publishAsync(p.exchange, p.routingKey, p.message);
        if (sendSentEvent) {
            return published.thenApplyAsync(v -> {
                sentEvent(p);
                return new AsyncResult(p.id, this, null, null);
            });
        }
        return published.thenApply(v -> new AsyncResult(p.id, this, null, null));
    }

    /**
     * Sends a signature, as Celery's {@code sig.apply_async()}: its options are used ({@code task_id},
     * {@code reply_to}, {@code queue}, {@code exchange}, {@code routing_key}, {@code priority}, {@code countdown},
     * {@code eta}, {@code expires}, {@code time_limit}, {@code soft_time_limit}, {@code headers}, {@code link},
     * {@code link_error}, {@code shadow}, {@code ignore_result}, {@code root_id}, {@code parent_id},
     * {@code group_id}, {@code group_index}, {@code chord}).
     *
     * @param signature the signature
     * @return the result
     */
    public AsyncResult send(Signature signature) {
        return send(signature, SendOptions.none());
    }

    /**
     * Sends a signature with more options; the given options win over the signature's.
     *
     * @param signature the signature
     * @param options more options
     * @return the result
     */
    public AsyncResult send(Signature signature, SendOptions options) {
        return send(signature.task(), signature.args(), signature.kwargs(), merge(signature, options));
    }

    /**
     * A handle on a task's result by id.
     *
     * @param taskId the task id
     * @return the result
     */
    public AsyncResult asyncResult(String taskId) {
        return new AsyncResult(taskId, this, null, null);
    }

    /**
     * A handle on a group's results from its member ids.
     *
     * @param groupId the group id
     * @param taskIds the member ids, in order
     * @return the group result
     */
    public GroupResult groupResult(String groupId, List<String> taskIds) {
        List<AsyncResult> rs = new ArrayList<>();
        for (String id : taskIds) {
            rs.add(asyncResult(id));
        }
        return new GroupResult(groupId, rs, this);
    }

    /**
     * Restores a group saved with {@link GroupResult#save()} (or by Python's {@code GroupResult.save()}).
     *
     * @param groupId the group id
     * @return the group, or empty when none is saved
     */
    public Optional<GroupResult> restoreGroup(String groupId) {
        return backend("group " + groupId).restoreGroup(groupId)
                .map(g -> groupResult(g.id(), g.memberIds()));
    }

    // ------------------------------------------------------------------------------------------
    // canvas

    /**
     * Sends a chain, as Celery's {@code chain(...).apply_async()}: the first task is published with the rest in its
     * {@code chain} field (reverse order, each with its {@code task_id} and {@code reply_to} set).
     *
     * @param chain the chain
     * @return the LAST task's result, whose {@link AsyncResult#parent()} links lead to the first
     */
    public AsyncResult send(Chain chain) {
        return sendChain(chain, null, null, null);
    }

    /**
     * Sends a group, as Celery's {@code group(...).apply_async()}: one message per member with the same
     * {@code group} header. The group is not saved (as in Celery).
     *
     * @param group the group
     * @return the group's results
     */
    public GroupResult send(Group group) {
        String gid = UUID.randomUUID().toString();
        List<Frozen> members = freezeMembers(group, gid, null);
        List<AsyncResult> results = new ArrayList<>();
        for (Frozen f : members) {
            results.add(f.send(this));
        }
        return new GroupResult(gid, results, this);
    }

    /**
     * Sends a chord, as Celery's {@code chord(header)(body)}: the header parts carry the group id, their index and
     * the body signature; the backend's chord size is set just before the last part is sent. On a backend without
     * a native chord counter (a database) Celery's {@code celery.chord_unlock} task is sent first, as Celery does.
     *
     * @param chord the chord
     * @return the body's result; {@link AsyncResult#parentGroup()} is the header
     * @throws ChordsNotSupportedException when there is no backend or it cannot count chord parts (nothing sent)
     */
    public AsyncResult send(Chord chord) {
        if (backend == null) {
            throw new ChordsNotSupportedException(null);
        }
        Backend b = backend;
        if (!b.supports(BackendCapability.CHORDS)) {
            throw new ChordsNotSupportedException(scheme(b));
        }
        String gid = UUID.randomUUID().toString();
        Signature body = freeze(chord.body(), null, null, null);
        List<Frozen> header = freezeMembers(chord.header(), gid, body);
        if (header.isEmpty()) {
            // Celery's body.delay([]): no header task will ever fire the body
            List<Object> args = new ArrayList<>();
            if (!body.immutable()) {
                args.add(List.of());
            }
            args.addAll(body.args());
            send(body.task(), args, body.kwargs(), merge(body, SendOptions.none()));
            return new AsyncResult(body.taskId(), this, null, new GroupResult(gid, List.of(), this));
        }
        if (!NATIVE_CHORD_SCHEMES.contains(scheme(b))) {
            sendChordUnlock(gid, body, header);
        }
        List<AsyncResult> results = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            if (i == header.size() - 1) {
                b.setChordSize(gid, header.size());
            }
            results.add(header.get(i).send(this));
        }
        GroupResult hr = new GroupResult(gid, results, this);
        return new AsyncResult(body.taskId(), this, null, hr);
    }

    private void sendChordUnlock(String gid, Signature body, List<Frozen> header) {
        List<Object> tuples = new ArrayList<>();
        for (Frozen f : header) {
            tuples.add(Arrays.asList(Arrays.asList(f.resultId(), null), null));
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        kwargs.put("interval", null);
        kwargs.put("max_retries", null);
        kwargs.put("result", tuples);
        Object q = body.options().get("queue");
        Object pri = body.options().get("priority");
        SendOptions.Builder o = SendOptions.builder().countdown(Duration.ofSeconds(1))
                .queue(q == null ? router.queueFor(body.task()) : q.toString())
                .priority(pri instanceof Number n ? n.intValue() : 0);
        send(CHORD_UNLOCK, List.of(gid, body.toMap()), kwargs, o.build());
    }

    private AsyncResult sendChain(Chain chain, String groupId, Signature chordBody, Long groupIndex) {
        return sendFrozenChain(freezeChain(chain, groupId, chordBody, groupIndex));
    }

    /** Celery's {@code chain.prepare_steps}: every task frozen; group and chord fields on the last one only. */
    private List<Signature> freezeChain(Chain chain, String groupId, Signature chordBody, Long groupIndex) {
        List<Signature> tasks = chain.tasks();
        int n = tasks.size();
        Signature[] frozen = new Signature[n];
        for (int i = n - 1; i >= 0; i--) {
            frozen[i] = i == n - 1 ? freeze(tasks.get(i), groupId, chordBody, groupIndex)
                    : freeze(tasks.get(i), null, null, null);
        }
        return List.of(frozen);
    }

    private AsyncResult sendFrozenChain(List<Signature> frozen) {
        int n = frozen.size();
        AsyncResult result = null;
        for (int i = 0; i < n; i++) {
            result = new AsyncResult(frozen.get(i).taskId(), this, result, null);
        }
        List<Signature> rest = new ArrayList<>();
        for (int i = n - 1; i >= 1; i--) {
            rest.add(frozen.get(i));
        }
        Signature first = frozen.get(0);
        SendOptions.Builder o = merge(first, SendOptions.none()).toBuilder();
        if (!rest.isEmpty()) {
            o.chain(rest);
        }
        send(first.task(), first.args(), first.kwargs(), o.build());
        return result;
    }

    private List<Frozen> freezeMembers(Group group, String gid, Signature chordBody) {
        List<Frozen> out = new ArrayList<>();
        long index = 0;
        for (Object m : group.members()) {
            Long gi = chordBody == null ? null : index;
            if (m instanceof Signature s) {
                out.add(new Frozen(List.of(freeze(s, gid, chordBody, gi))));
            } else {
                out.add(new Frozen(freezeChain((Chain) m, gid, chordBody, gi)));
            }
            index++;
        }
        return out;
    }

    /** Celery's {@code Signature.freeze}: task_id, reply_to, group_id, chord and group_index in the options. */
    private Signature freeze(Signature s, String groupId, Signature chordBody, Long groupIndex) {
        Map<String, Object> o = new LinkedHashMap<>(s.options());
        o.putIfAbsent("task_id", UUID.randomUUID().toString());
        o.putIfAbsent("reply_to", replyTo(null));
        if (groupId != null) {
            o.putIfAbsent("group_id", groupId);
        }
        if (chordBody != null) {
            o.put("chord", chordBody.toMap());
        }
        if (groupIndex != null) {
            o.put("group_index", groupIndex);
        }
        return new Signature(s.task(), s.args(), s.kwargs(), o, s.subtaskType(), s.immutable(), s.extra());
    }

    /** A group member ready to send: one frozen task, or a frozen chain (the group's task last). */
    private record Frozen(List<Signature> tasks) {
        AsyncResult send(CeleryClient c) {
            return tasks.size() == 1 ? c.send(tasks.get(0)) : c.sendFrozenChain(tasks);
        }

        String resultId() {
            return tasks.get(tasks.size() - 1).taskId();
        }
    }

    /** The send options a signature's options stand for, with {@code more} winning. */
    private static SendOptions merge(Signature s, SendOptions more) {
        Map<String, Object> o = s.options();
        SendOptions.Builder b = more.toBuilder();
        if (more.taskId() == null && o.get("task_id") != null) {
            b.taskId(o.get("task_id").toString());
        }
        if (more.replyTo() == null && o.get("reply_to") != null) {
            b.replyTo(o.get("reply_to").toString());
        }
        if (more.queue() == null && o.get("queue") != null) {
            b.queue(o.get("queue").toString());
        }
        if (more.groupId() == null && o.get("group_id") != null) {
            b.groupId(o.get("group_id").toString());
        }
        if (more.groupIndex() == null && o.get("group_index") instanceof Number n) {
            b.groupIndex(n.longValue());
        }
        if (more.chord() == null && o.get("chord") != null) {
            b.chord(Signature.fromMap(o.get("chord")));
        }
        if (more.priority() == null && o.get("priority") instanceof Number n) {
            b.priority(n.intValue());
        }
        if (more.countdown() == null && more.eta() == null && o.get("countdown") instanceof Number n) {
            b.countdown(Duration.ofNanos((long) (n.doubleValue() * 1e9)));
        }
        if (more.expiresIn() == null && more.expiresAt() == null && o.get("expires") instanceof Number n) {
            b.expires(Duration.ofNanos((long) (n.doubleValue() * 1e9)));
        }
        if (more.rootId() == null && o.get("root_id") != null) {
            b.rootId(o.get("root_id").toString());
        }
        if (more.parentId() == null && o.get("parent_id") != null) {
            b.parentId(o.get("parent_id").toString());
        }
        if (more.shadow() == null && o.get("shadow") != null) {
            b.shadow(o.get("shadow").toString());
        }
        if (!more.ignoreResult() && Boolean.TRUE.equals(o.get("ignore_result"))) {
            b.ignoreResult(true);
        }
        if (more.eta() == null && more.countdown() == null && o.get("eta") instanceof String t) {
            b.eta(CeleryTimes.parse(t));
        }
        if (more.expiresIn() == null && more.expiresAt() == null && o.get("expires") instanceof String t) {
            b.expires(CeleryTimes.parse(t));
        }
        if (more.exchange() == null && o.get("exchange") != null) {
            b.exchange(o.get("exchange").toString());
        }
        if (more.routingKey() == null && o.get("routing_key") != null) {
            b.routingKey(o.get("routing_key").toString());
        }
        if (more.timeLimit() == null && o.get("time_limit") instanceof Number n) {
            b.timeLimit(n);
        }
        if (more.softTimeLimit() == null && o.get("soft_time_limit") instanceof Number n) {
            b.softTimeLimit(n);
        }
        if (o.get("headers") instanceof Map<?, ?> h) {
            for (Map.Entry<?, ?> e : h.entrySet()) {
                if (!more.headers().containsKey(String.valueOf(e.getKey()))) {
                    b.header(String.valueOf(e.getKey()), e.getValue());
                }
            }
        }
        if (more.link().isEmpty()) {
            for (Signature l : signatures(o.get("link"))) {
                b.link(l);
            }
        }
        if (more.linkError().isEmpty()) {
            for (Signature l : signatures(o.get("link_error"))) {
                b.linkError(l);
            }
        }
        return b.build();
    }

    /** A signature option holding one signature or a list of them, as Celery's {@code maybe_list}. */
    private static List<Signature> signatures(Object v) {
        List<Signature> out = new ArrayList<>();
        if (v instanceof Signature s) {
            out.add(s);
        } else if (v instanceof Map<?, ?>) {
            out.add(Signature.fromMap(v));
        } else if (v instanceof List<?> l) {
            for (Object x : l) {
                out.add(x instanceof Signature s ? s : Signature.fromMap(x));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // building and routing one message

    private record Prepared(String id, String exchange, String routingKey, Message message, TaskMessage task,
                            String queue) {
    }

    private Prepared prepare(String name, List<?> args, Map<String, ?> kwargs, SendOptions o) {
        if (o == null) {
            o = SendOptions.none();
        }
        String id = o.taskId() == null ? UUID.randomUUID().toString() : o.taskId();
        Instant now = clock.instant();
        TaskMessage.Builder b = TaskMessage.builder().task(name).id(id).args(args == null ? List.of() : args)
                .kwargs(kwargs == null ? Map.of() : kwargs).shadow(o.shadow()).retries(o.retries())
                .timeLimits(o.timeLimit(), o.softTimeLimit()).rootId(o.rootId()).parentId(o.parentId())
                .ignoreResult(o.ignoreResult()).group(o.groupId()).groupIndex(o.groupIndex())
                .callbacks(o.link().isEmpty() ? null : o.link())
                .errbacks(o.linkError().isEmpty() ? null : o.linkError())
                .chain(o.chain()).chord(o.chord()).replyTo(replyTo(o.replyTo()))
                .priority(o.priority() == null ? 0 : o.priority());
        if (o.countdown() != null) {
            b.eta(now.plus(o.countdown()));
        } else if (o.eta() != null) {
            b.eta(o.eta());
        }
        if (o.expiresIn() != null) {
            b.expiresIn(o.expiresIn(), now);
        } else if (o.expiresAt() != null) {
            long left = Duration.between(now, o.expiresAt()).toMillis();
            if (left < 0) {
                LOG.warn("{} has an expiration date in the past ({} ms ago); its expiration is set to 0", id, -left);
            }
            b.expires(o.expiresAt()).expiration(Long.toString(Math.max(0, left)));
        }
        if (!o.headers().isEmpty()) {
            b.extraHeaders(o.headers());
        }
        TaskMessage task = b.build();
        Message message = task.toMessage();
        String queue = o.queue() != null ? o.queue() : router.queueFor(name);
        declare(queue);
        boolean explicit = o.exchange() != null && !o.exchange().isEmpty() && o.routingKey() != null
                && !o.routingKey().isEmpty();
        return explicit ? new Prepared(id, o.exchange(), o.routingKey(), message, task, queue)
                : new Prepared(id, "", queue, message, task, queue);
    }

    /** Celery's {@code task-sent} event, after the publish, when {@code task_send_sent_event} is on. */
    private void sentEvent(Prepared p) {
        if (!sendSentEvent) {
            return;
        }
        TaskMessage t = p.task;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("uuid", t.id());
        f.put("root_id", t.rootId());
        f.put("parent_id", t.parentId());
        f.put("name", t.task());
        f.put("args", t.argsrepr());
        f.put("kwargs", t.kwargsrepr());
        f.put("retries", t.retries());
        f.put("eta", t.etaText());
        f.put("expires", t.expiresText());
        f.put("queue", p.queue);
        f.put("exchange", p.exchange);
        f.put("routing_key", p.routingKey);
        try {
            events(t.origin()).send("task-sent", f);
        } catch (RuntimeException e) {
            LOG.warn("The task-sent event of {} could not be sent to {}: {}", t.id(), broker.asUri(), e.getMessage());
        }
    }

    private BrokerEventDispatcher events(String hostname) {
        BrokerEventDispatcher d = events;
        if (d == null) {
            synchronized (this) {
                d = events;
                if (d == null) {
                    d = new BrokerEventDispatcher(broker, hostname);
                    events = d;
                }
            }
        }
        return d;
    }

    /** Declares a task queue as kombu does before its first publish: exchange, queue and binding of its name. */
    private void declare(String queue) {
        if (!createMissingQueues || declared.contains(queue)) {
            return;
        }
        broker.declareExchange(CeleryTopology.taskExchange(queue));
        broker.declareQueue(CeleryTopology.taskQueue(queue));
        broker.bind(CeleryTopology.taskBinding(queue));
        declared.add(queue);
    }

    private String replyTo(String given) {
        if (given != null) {
            return given;
        }
        if (backend != null) {
            Optional<String> q = backend.replyQueue();
            if (q.isPresent()) {
                return q.get();
            }
        }
        return threadOid.get();
    }

    Backend backend(String what) {
        if (backend == null) {
            throw new NoResultBackendException(what);
        }
        return backend;
    }

    private static String scheme(Backend b) {
        String uri = b.asUri();
        int i = uri.indexOf("://");
        String s = i < 0 ? uri : uri.substring(0, i);
        int plus = s.indexOf('+');
        return plus < 0 ? s : s.substring(0, plus);
    }

    /**
     * Closes the broker and backend the client opened (not those given to the builder). Closing twice does nothing.
     */
    @Override
    public void close() {
        BrokerEventDispatcher d = events;
        if (d != null) {
            d.close();
        }
        Control c = control;
        if (c != null) {
            c.close();
        }
        try {
            if (ownsBackend && backend != null) {
                backend.close();
            }
        } finally {
            if (ownsBroker) {
                broker.close();
            }
        }
    }

    @Override
    public String toString() {
        return "CeleryClient[broker=" + broker.asUri() + ", backend=" + (backend == null ? "none" : backend.asUri())
                + "]";
    }

    /**
     * Builds a {@link CeleryClient}. Not thread-safe.
     */
    public static final class Builder {
        private Celeriac celeriac;
        private String brokerUrl;
        private String backendUrl;
        private boolean noBackend;
        private Broker broker;
        private Backend backend;
        private BrokerOptions brokerOptions = BrokerOptions.defaults();
        private BackendOptions backendOptions;
        private String defaultQueue = CeleryTopology.DEFAULT_QUEUE;
        private final Map<String, String> routes = new LinkedHashMap<>();
        private String serializer = "json";
        private Duration resultExpires;
        private boolean createMissingQueues = true;
        private boolean sendSentEvent;
        private Clock clock = Clock.systemUTC();
        private Map<String, String> environment = System.getenv();

        private Builder() {
        }

        /** @param v the registry opening the broker and backend, default {@link Celeriac#discover()} @return this */
        public Builder celeriac(Celeriac v) {
            celeriac = v;
            return this;
        }

        /** @param v the broker URL, default {@code CELERY_BROKER_URL} or Celery's {@code amqp://} @return this */
        public Builder brokerUrl(String v) {
            brokerUrl = v;
            return this;
        }

        /** @param v the result backend URL, default {@code CELERY_RESULT_BACKEND} or none @return this */
        public Builder backendUrl(String v) {
            backendUrl = v;
            return this;
        }

        /** @return this, with no result backend even when {@code CELERY_RESULT_BACKEND} is set */
        public Builder withoutBackend() {
            noBackend = true;
            return this;
        }

        /** @param v an open broker to use; the client does not close it @return this */
        public Builder broker(Broker v) {
            broker = v;
            return this;
        }

        /** @param v an open backend to use; the client does not close it @return this */
        public Builder backend(Backend v) {
            backend = v;
            return this;
        }

        /** @param v options for the broker the client opens @return this */
        public Builder brokerOptions(BrokerOptions v) {
            brokerOptions = v;
            return this;
        }

        /** @param v options for the backend the client opens @return this */
        public Builder backendOptions(BackendOptions v) {
            backendOptions = v;
            return this;
        }

        /** @param v Celery's {@code task_default_queue}, default {@code celery} @return this */
        public Builder defaultQueue(String v) {
            defaultQueue = v;
            return this;
        }

        /**
         * Adds a route, as Celery's {@code task_routes = {pattern: {'queue': queue}}}; exact names win over globs,
         * globs match in the order added.
         *
         * @param taskNameOrGlob a task name or a glob such as {@code proj.*}
         * @param queue the queue
         * @return this
         */
        public Builder route(String taskNameOrGlob, String queue) {
            routes.put(taskNameOrGlob, queue);
            return this;
        }

        /** @param v Celery's {@code task_serializer}; only {@code json} is supported @return this */
        public Builder taskSerializer(String v) {
            serializer = v;
            return this;
        }

        /** @param v Celery's {@code result_expires} for the backend the client opens @return this */
        public Builder resultExpires(Duration v) {
            resultExpires = v;
            return this;
        }

        /** @param v Celery's {@code task_create_missing_queues}, default {@code true} @return this */
        public Builder createMissingQueues(boolean v) {
            createMissingQueues = v;
            return this;
        }

        /**
         * Celery's {@code task_send_sent_event}, default {@code false}: after each publish a {@code task-sent} event
         * goes to the {@code celeryev} exchange of the broker (a failure to send it is logged, the task stays sent).
         *
         * @param v whether to send it
         * @return this
         */
        public Builder sendSentEvent(boolean v) {
            sendSentEvent = v;
            return this;
        }

        /** @param v the clock for countdowns and expiry, default UTC system time @return this */
        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        /** @param v the environment to read default URLs from, default {@link System#getenv()} @return this */
        public Builder environment(Map<String, String> v) {
            environment = Map.copyOf(v);
            return this;
        }

        /**
         * Validates the settings, opens the broker and backend and builds the client.
         *
         * @return the client
         * @throws InvalidConfigurationException when a setting is wrong (every problem listed)
         * @throws io.celeriac.broker.BrokerUnavailableException when the broker cannot be reached
         */
        public CeleryClient build() {
            List<String> problems = new ArrayList<>();
            if (serializer == null || !"json".equals(serializer)) {
                problems.add("task_serializer '" + serializer + "' is not supported: celeriac sends JSON only "
                        + "(task_serializer='json', Celery's default)");
            }
            if (defaultQueue == null || defaultQueue.isBlank()) {
                problems.add("task_default_queue must be a queue name");
            }
            if (resultExpires != null && resultExpires.isNegative()) {
                problems.add("result_expires cannot be negative: " + resultExpires);
            }
            for (Map.Entry<String, String> r : routes.entrySet()) {
                if (r.getKey() == null || r.getValue() == null || r.getValue().isBlank()) {
                    problems.add("task_routes entry " + r.getKey() + " needs a queue name");
                }
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("CeleryClient settings", problems);
            }
            Celeriac c = celeriac == null ? Celeriac.discover() : celeriac;
            String brokerAt = brokerUrl != null ? brokerUrl : environment.getOrDefault("CELERY_BROKER_URL",
                    DEFAULT_BROKER_URL);
            Backend be = backend;
            if (be == null && !noBackend) {
                String url = backendUrl != null ? backendUrl : environment.get("CELERY_RESULT_BACKEND");
                if (url != null && !url.isBlank()) {
                    BackendOptions bo = backendOptions == null ? BackendOptions.defaults() : backendOptions;
                    BackendOptions.Builder ob = bo.toBuilder();
                    if (resultExpires != null) {
                        ob.resultExpires(resultExpires);
                    }
                    if (url.strip().startsWith("rpc://") && bo.property(RPC_BROKER_URL).isEmpty() && broker == null) {
                        // Celery's rpc:// (alone) answers on the app's broker
                        ob.property(RPC_BROKER_URL, brokerAt);
                    }
                    be = c.openBackend(url, ob.build());
                }
            }
            Broker br = broker;
            if (br == null) {
                String url = brokerAt;
                try {
                    br = c.openBroker(url, brokerOptions);
                } catch (RuntimeException e) {
                    if (be != null && backend == null) {
                        be.close();
                    }
                    throw e;
                }
            }
            return new CeleryClient(this, br, be);
        }
    }
}
