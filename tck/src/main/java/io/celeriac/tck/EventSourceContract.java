package io.celeriac.tck;

import io.celeriac.events.Event;
import io.celeriac.events.EventListener;
import io.celeriac.events.EventReceiverRules;
import io.celeriac.events.EventSource;
import io.celeriac.json.CeleryJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance kit for event sources ({@link EventSource}, Celery's {@code EventReceiver}): extend it in
 * your plugin's tests and implement {@link #createFixture()}.
 *
 * <pre>{@code
 * class MyEventSourceContractTest extends EventSourceContract {
 *     protected EventSourceFixture createFixture() {
 *         String namespace = "kit-" + UUID.randomUUID();
 *         return new EventSourceFixture() {
 *             public EventSource open() { return celeriac.openEventSource("my://broker/?namespace=" + namespace, options); }
 *             public void publish(String routingKey, byte[] body) { ... wrap and send as Celery's dispatcher ... }
 *             public void publishRaw(String routingKey, byte[] message) { ... send the bytes as they are ... }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>It feeds the sources through the fixture, as a Celery worker or client would, and checks: every event
 * delivered once, in publish order, across routing keys and {@code task.multi} batches (of several events of
 * mixed types, or none); every field of Celery's own messages delivered intact, with the receiver's rules of
 * {@link EventReceiverRules} applied (the {@code task-sent} clock, a missing clock, the utcoffset
 * localisation, {@code local_received}); malformed messages and bodies counted in
 * {@link EventSource#messagesRejected()} and never stopping delivery (a batch with one bad element counts once
 * and still delivers its events); a failing listener not stopping delivery; {@link EventSource#isConnected()}
 * false before start, true while receiving, false while the connection is cut and after close; delivery
 * resuming, without duplicates, after the connection is cut twice; {@code close()} stopping the delivery
 * thread, idempotent and leaking no thread, also for a source that never reached its broker; misuse refused;
 * and, when the fixture can see them, Celery's wake-up broadcast sent once the source receives.
 *
 * <p>Test names carry a prefix: {@code required_} tests run for every source; {@code wakeUp_} runs when the
 * fixture records broadcasts. Tests that need an optional ability of the fixture
 * ({@link EventSourceFixture#cutConnections()}, {@link EventSourceFixture#openUnreachable()}) are skipped,
 * visibly, when it lacks it. Every wait is scaled by {@link Tck#timeScale()}. The kit makes sure a source
 * receives before it publishes by sending probe events (type {@value #PROBE_TYPE}) until one arrives; the
 * probes are counted in {@link EventSource#eventsReceived()} like any event and left out of the checks.
 */
public abstract class EventSourceContract {

    /** The type of the probe events the kit sends until a source is seen receiving. */
    public static final String PROBE_TYPE = "celeriac-kit-probe";

    /** Celery's routing key of an event batch. */
    protected static final String MULTI = "task.multi";

    /** A worker-heartbeat body exactly as Celery 5.2.6 published it. */
    private static final String CELERY_HEARTBEAT = "{\"hostname\": \"interop1@vm\", \"utcoffset\": 0, \"pid\": 9822, "
            + "\"clock\": 19, \"freq\": 2.0, \"active\": 0, \"processed\": 4, \"loadavg\": [1.95, 0.75, 0.29], "
            + "\"sw_ident\": \"py-celery\", \"sw_ver\": \"5.2.6\", \"sw_sys\": \"Linux\", "
            + "\"timestamp\": 1795263404.0114741, \"type\": \"worker-heartbeat\"}";

    /** A client's task-sent body exactly as Celery 5.2.6 published it. */
    private static final String CELERY_TASK_SENT = "{\"hostname\": \"gen9913@vm\", \"utcoffset\": 0, \"pid\": 9913, "
            + "\"clock\": 1, \"uuid\": \"c4ff655f-6bc5-4b8c-aefc-515eeaf9547c\", "
            + "\"root_id\": \"c4ff655f-6bc5-4b8c-aefc-515eeaf9547c\", \"parent_id\": null, "
            + "\"name\": \"interop_tasks.add\", \"args\": \"(2, 3)\", \"kwargs\": \"{}\", \"retries\": 0, "
            + "\"eta\": null, \"expires\": null, \"queue\": \"celery\", \"exchange\": \"\", \"routing_key\": \"celery\", "
            + "\"timestamp\": 1795263402.3010232, \"type\": \"task-sent\"}";

    /** A worker's task.multi batch of two events of two tasks, exactly as Celery 5.2.6 published it. */
    private static final String CELERY_RECEIVED_AND_STARTED = "[{\"hostname\": \"interop1@vm\", \"utcoffset\": 0, "
            + "\"pid\": 9822, \"clock\": 9, \"uuid\": \"1181fac6-cd2d-4b68-b42c-ca607c7f85a2\", "
            + "\"name\": \"interop_tasks.fail\", \"args\": \"('boom from send_tasks',)\", \"kwargs\": \"{}\", "
            + "\"root_id\": \"1181fac6-cd2d-4b68-b42c-ca607c7f85a2\", \"parent_id\": null, \"retries\": 0, "
            + "\"eta\": null, \"expires\": null, \"timestamp\": 1795263402.3128903, \"type\": \"task-received\"}, "
            + "{\"hostname\": \"interop1@vm\", \"utcoffset\": 0, \"pid\": 9822, \"clock\": 10, "
            + "\"uuid\": \"c4ff655f-6bc5-4b8c-aefc-515eeaf9547c\", \"timestamp\": 1795263402.313041, "
            + "\"type\": \"task-started\"}]";

    /** A task-succeeded batch exactly as Celery 5.2.6 published it. */
    private static final String CELERY_SUCCEEDED = "[{\"hostname\": \"interop1@vm\", \"utcoffset\": 0, \"pid\": 9822, "
            + "\"clock\": 12, \"uuid\": \"c4ff655f-6bc5-4b8c-aefc-515eeaf9547c\", \"result\": \"5\", "
            + "\"runtime\": 0.013992191999989245, \"timestamp\": 1795263402.3231966, \"type\": \"task-succeeded\"}]";

    /** A task-failed batch as Celery 5.2.6 published it (the traceback's paths shortened). */
    private static final String CELERY_FAILED = "[{\"hostname\": \"interop1@vm\", \"utcoffset\": 0, \"pid\": 9822, "
            + "\"clock\": 16, \"uuid\": \"1181fac6-cd2d-4b68-b42c-ca607c7f85a2\", "
            + "\"exception\": \"ValueError('boom from send_tasks')\", \"traceback\": \"Traceback (most recent call "
            + "last):\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", line 451, in trace_task\\n"
            + "    R = retval = fun(*args, **kwargs)\\n                 ^^^^^^^^^^^^^^^^^^^^\\n  File "
            + "\\\"/srv/interop_tasks.py\\\", line 31, in fail\\n    raise ValueError(msg)\\n"
            + "ValueError: boom from send_tasks\\n\", \"timestamp\": 1795263402.3401103, \"type\": \"task-failed\"}]";

    private EventSourceFixture fixture;
    private final List<EventSource> opened = new ArrayList<>();
    private int probes;

    /**
     * Creates a fresh, isolated fixture for one test.
     *
     * @return the fixture
     * @throws Exception when the broker cannot be prepared
     */
    protected abstract EventSourceFixture createFixture() throws Exception;

    /**
     * Prefixes of thread names that belong to JVM-wide pools of the plugin's libraries and outlive a closed
     * source by design; the leak check ignores them. Default: none.
     *
     * @return name prefixes
     */
    protected Set<String> sharedThreadNamePrefixes() {
        return Set.of();
    }

    @BeforeEach
    final void createKitFixture() throws Exception {
        fixture = createFixture();
    }

    @AfterEach
    final void closeKitFixture() throws Exception {
        for (EventSource s : opened) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // the test failed already or closed it; keep cleaning up
            }
        }
        opened.clear();
        if (fixture != null) {
            fixture.restoreConnections();
            fixture.close();
        }
    }

    /**
     * Opens a source on the test's fixture.
     *
     * @return the source (not started), closed after the test
     */
    protected final EventSource open() {
        EventSource s = fixture.open();
        opened.add(s);
        return s;
    }

    private static Duration t(long seconds) {
        return Tck.timeout(Duration.ofSeconds(seconds));
    }

    private static Duration waitLimit() {
        return t(30);
    }

    /** The receiver's utcoffset now (Python's {@code time.timezone // 3600}), so that timestamps stay as sent. */
    private static long localUtcoffset() {
        return EventReceiverRules.utcoffset(ZoneId.systemDefault(), Instant.now());
    }

    private static double now() {
        Instant i = Instant.now();
        return i.getEpochSecond() + i.getNano() / 1e9;
    }

    /**
     * An event body with Celery's leading fields ({@code hostname, utcoffset, pid, clock}), then {@code kv},
     * then {@code timestamp} and {@code type}, as Celery's {@code Event()} orders them. The utcoffset is the
     * receiver's own, so the receiver leaves the timestamp as it is.
     */
    private static Map<String, Object> body(String type, String hostname, Long clock, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", hostname);
        m.put("utcoffset", localUtcoffset());
        m.put("pid", 4242L);
        if (clock != null) {
            m.put("clock", clock);
        }
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        m.put("timestamp", now());
        m.put("type", type);
        return m;
    }

    private static Map<String, Object> taskBody(String type, String uuid, long seq) {
        return body(type, "w1@kit", seq + 1, "uuid", uuid, "kit_seq", seq);
    }

    /** Celery's routing key of a single event: its type with {@code -} turned into {@code .}. */
    private static String routingKey(String type) {
        return type.replace('-', '.');
    }

    private void publishJson(String routingKey, Object body) throws Exception {
        fixture.publish(routingKey, CeleryJson.encode(body));
    }

    private void publishText(String routingKey, String body) throws Exception {
        fixture.publish(routingKey, body.getBytes(StandardCharsets.UTF_8));
    }

    private void publishEvent(Map<String, Object> body) throws Exception {
        publishJson(routingKey((String) body.get("type")), body);
    }

    /** Starts the source and returns once it has delivered a probe: what is published from now on arrives. */
    private void startReceiving(EventSource source, Collector collector) {
        source.start(collector);
        if (fixture.reportsConnection()) {
            await("the source connected").atMost(waitLimit()).until(source::isConnected);
        }
        awaitReceiving(source, collector);
    }

    /** Publishes probes until the source delivers one. */
    private void awaitReceiving(EventSource source, Collector collector) {
        int before = collector.probes();
        await("a probe delivered by " + source.location()).atMost(waitLimit()).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (collector.probes() > before) {
                        return true;
                    }
                    probes++;
                    publishEvent(body(PROBE_TYPE, "kit@probe", 1L, "probe", (long) probes));
                    return false;
                });
    }

    private static void awaitEvents(Collector collector, int count) {
        await(count + " events delivered").atMost(waitLimit()).until(() -> collector.events().size() >= count);
    }

    // =============================================================================================
    // required

    @Test
    void required_deliversEveryEventOnceInPublishOrder() throws Exception {
        EventSource s = open();
        Collector c = new Collector();
        startReceiving(s, c);
        List<String> expected = new ArrayList<>();
        String[] taskTypes = {"task-received", "task-started", "task-succeeded", "task-failed", "task-retried"};
        long seq = 0;
        for (int m = 0; m < 90; m++) {
            if (m % 3 == 0) {
                Map<String, Object> hb = body("worker-heartbeat", "w" + (m % 2) + "@kit", seq + 1, "freq", 2.0,
                        "active", 0L, "processed", seq, "kit_seq", seq);
                publishEvent(hb);
                expected.add("worker-heartbeat/" + seq++);
            } else if (m % 3 == 1) {
                publishEvent(body("task-sent", "gen1@kit", seq + 1, "uuid", "t" + seq, "name", "proj.add",
                        "kit_seq", seq));
                expected.add("task-sent/" + seq++);
            } else {
                List<Map<String, Object>> batch = new ArrayList<>();
                for (int i = 0; i <= m % 5; i++) {
                    String type = taskTypes[(m + i) % taskTypes.length];
                    batch.add(taskBody(type, "t" + seq, seq));
                    expected.add(type + "/" + seq++);
                }
                publishJson(MULTI, batch);
            }
        }
        awaitEvents(c, expected.size());
        assertThat(c.events()).extracting(e -> e.type() + "/" + e.get("kit_seq")).containsExactlyElementsOf(expected);
        assertThat(s.eventsReceived()).as("every delivered event counted").isEqualTo(c.total());
        assertThat(s.messagesRejected()).isZero();
        assertThat(c.threads()).as("delivered on one thread of the source").hasSize(1)
                .doesNotContain(Thread.currentThread());
    }

    @Test
    @SuppressWarnings("unchecked")
    void required_deliversEveryFieldOfCelerysMessagesIntact() throws Exception {
        EventSource s = open();
        Collector c = new Collector();
        startReceiving(s, c);
        Map<String, Object> custom = body("worker-custom", "w9@kit", 77L,
                "text", "caf\u00e9 \u2713 \ud83c\udf89 \"quoted\" back\\slash\ttab\nnewline",
                "empty", "", "none", null, "yes", true, "no", false, "zero", 0L, "negative", -17L,
                "huge", new BigInteger("123456789012345678901234567890"), "long", Long.MAX_VALUE,
                "float", -0.1, "tiny", 5e-324, "big", 1.7976931348623157e308, "nested",
                Map.of("list", List.of(1L, "two", 3.5)), "list", List.of(), "map", Map.of());
        List<byte[]> bodies = List.of(CELERY_HEARTBEAT.getBytes(StandardCharsets.UTF_8),
                CELERY_TASK_SENT.getBytes(StandardCharsets.UTF_8),
                CELERY_RECEIVED_AND_STARTED.getBytes(StandardCharsets.UTF_8),
                CELERY_SUCCEEDED.getBytes(StandardCharsets.UTF_8),
                CELERY_FAILED.getBytes(StandardCharsets.UTF_8),
                CeleryJson.encode(custom));
        List<String> keys = List.of("worker.heartbeat", "task.sent", MULTI, MULTI, MULTI, "worker.custom");
        List<Map<String, Object>> expected = new ArrayList<>();
        for (byte[] b : bodies) {
            Object decoded = CeleryJson.decode(b);
            if (decoded instanceof List<?> list) {
                list.forEach(e -> expected.add((Map<String, Object>) e));
            } else {
                expected.add((Map<String, Object>) decoded);
            }
        }
        double before = now();
        for (int i = 0; i < bodies.size(); i++) {
            fixture.publish(keys.get(i), bodies.get(i));
        }
        awaitEvents(c, expected.size());
        double after = now();
        List<Event> got = c.events();
        assertThat(got).hasSize(expected.size());
        int local = (int) localUtcoffset();
        for (int i = 0; i < expected.size(); i++) {
            Map<String, Object> want = expected.get(i);
            Event e = got.get(i);
            String type = (String) want.get("type");
            assertThat(e.type()).as("event %d", i).isEqualTo(type);
            List<String> names = new ArrayList<>(want.keySet());
            names.add("local_received");
            assertThat(new ArrayList<>(e.fields().keySet())).as("the fields of %s, in order", type)
                    .containsExactlyElementsOf(names);
            for (String name : want.keySet()) {
                Object value = want.get(name);
                if (name.equals("timestamp") && want.get("utcoffset") instanceof Number offset) {
                    value = EventReceiverRules.adjustTimestamp((Double) value, offset.doubleValue(), local);
                } else if (name.equals("clock") && type.equals("task-sent")) {
                    continue; // a client's clock is replaced (required_appliesCelerysReceiverRules)
                }
                assertThat(e.get(name)).as("field %s of %s", name, type).isEqualTo(value);
            }
            assertThat(e.localReceived()).as("local_received of %s", type).isBetween(before - 1, after + 1);
        }
        assertThat(s.messagesRejected()).isZero();
    }

    @Test
    void required_appliesCelerysReceiverRules() throws Exception {
        EventSource s = open();
        Collector c = new Collector();
        startReceiving(s, c);
        long local = localUtcoffset();
        double at = 1_795_263_404.25;
        Map<String, Object> west = body("worker-heartbeat", "w1@kit", 41L, "freq", 2.0);
        west.put("utcoffset", local + 2); // the sender is two hours further west
        west.put("timestamp", at);
        Map<String, Object> sent = body("task-sent", "gen1@kit", 999_999L, "uuid", "r1", "name", "proj.add");
        Map<String, Object> noClock = body("task-started", "w1@kit", null, "uuid", "r1");
        double before = now();
        publishEvent(west);
        publishEvent(sent);
        publishJson(MULTI, List.of(noClock));
        awaitEvents(c, 3);
        double after = now();
        List<Event> got = c.events();
        assertThat(got.get(0).clock()).as("a worker's clock is kept").isEqualTo(41L);
        assertThat(got.get(0).timestamp()).as("localised by the utcoffset difference").isEqualTo(at - 2 * 3600);
        assertThat(got.get(1).clock()).as("a client's clock is replaced by the receiver's, minus one")
                .isEqualTo(41L);
        assertThat(got.get(2).clock()).as("a missing clock is the receiver's next").isEqualTo(44L);
        for (Event e : got) {
            assertThat(e.localReceived()).as("local_received of %s", e.type()).isBetween(before - 1, after + 1);
        }
    }

    @Test
    void required_countsMalformedMessagesAndGoesOn() throws Exception {
        EventSource s = open();
        Collector c = new Collector();
        startReceiving(s, c);
        assertThat(s.messagesRejected()).isZero();
        // messages that are not events at all
        fixture.publishRaw(MULTI, "not json at all".getBytes(StandardCharsets.UTF_8));
        fixture.publishRaw(MULTI, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, '{'});
        fixture.publishRaw(MULTI, "[1, 2]".getBytes(StandardCharsets.UTF_8));
        // well-wrapped bodies that are not events
        publishText(MULTI, "not json");
        publishText(MULTI, "42");
        publishJson("worker.heartbeat", Map.of("hostname", "w1@kit"));
        publishJson("worker.heartbeat", Map.of("hostname", "w1@kit", "type", 7L));
        // an empty batch: nothing to deliver, nothing wrong
        publishText(MULTI, "[]");
        // a batch with one bad element: the message counts once, its good event is delivered
        List<Object> mixed = new ArrayList<>();
        mixed.add("x");
        mixed.add(taskBody("task-started", "m0", 0));
        publishJson(MULTI, mixed);
        publishJson(MULTI, List.of(taskBody("task-succeeded", "m1", 1)));
        awaitEvents(c, 2);
        assertThat(c.events()).extracting(Event::uuid).containsExactly("m0", "m1");
        assertThat(s.messagesRejected()).as("every malformed message counted once").isEqualTo(8);

        publishEvent(body("worker-heartbeat", "w1@kit", 3L, "freq", 2.0));
        awaitEvents(c, 3);
        assertThat(c.events().get(2).type()).isEqualTo("worker-heartbeat");
        assertThat(s.eventsReceived()).isEqualTo(c.total());
        assertThat(s.messagesRejected()).isEqualTo(8);
    }

    @Test
    void required_aFailingListenerDoesNotStopDelivery() throws Exception {
        EventSource s = open();
        Collector c = new Collector(e -> "fails".equals(e.uuid()));
        startReceiving(s, c);
        publishJson(MULTI, List.of(taskBody("task-received", "fails", 0), taskBody("task-received", "ok1", 1)));
        publishEvent(taskBody("task-started", "fails", 2));
        publishJson(MULTI, List.of(taskBody("task-started", "ok2", 3)));
        awaitEvents(c, 4);
        assertThat(c.events()).extracting(Event::uuid).containsExactly("fails", "ok1", "fails", "ok2");
        assertThat(s.eventsReceived()).isEqualTo(c.total());
        assertThat(s.messagesRejected()).as("a listener's failure is not a malformed message").isZero();
    }

    @Test
    void required_isConnectedFollowsTheSource() throws Exception {
        assumeTrue(fixture.reportsConnection(), "the fixture says its sources cannot tell whether they are connected");
        EventSource s = open();
        assertThat(s.location()).isNotBlank();
        assertThat(s.isConnected()).as("before start").isFalse();
        assertThat(s.eventsReceived()).isZero();
        assertThat(s.messagesRejected()).isZero();
        Collector c = new Collector();
        startReceiving(s, c);
        assertThat(s.isConnected()).as("while receiving").isTrue();
        s.close();
        assertThat(s.isConnected()).as("after close").isFalse();
    }

    @Test
    void required_reconnectsAfterTheConnectionIsCutAndDeliveryResumes() throws Exception {
        EventSource s = open();
        Collector c = new Collector();
        startReceiving(s, c);
        publishEvent(taskBody("task-started", "before", 0));
        awaitEvents(c, 1);
        List<String> expected = new ArrayList<>(List.of("before"));
        for (int round = 1; round <= 2; round++) {
            assumeTrue(fixture.cutConnections(), "the fixture cannot cut the connections of its sources");
            if (fixture.reportsConnection()) {
                await("the source noticed the cut (round " + round + ")").atMost(waitLimit())
                        .pollInterval(Duration.ofMillis(5)).until(() -> !s.isConnected());
            }
            fixture.restoreConnections();
            if (fixture.reportsConnection()) {
                await("the source reconnected (round " + round + ")").atMost(waitLimit()).until(s::isConnected);
            }
            awaitReceiving(s, c);
            for (int i = 0; i < 10; i++) {
                String id = "after-" + round + "-" + i;
                expected.add(id);
                if (i % 2 == 0) {
                    publishEvent(taskBody("task-started", id, i));
                } else {
                    publishJson(MULTI, List.of(taskBody("task-succeeded", id, i)));
                }
            }
            awaitEvents(c, expected.size());
        }
        assertThat(c.events()).extracting(Event::uuid).as("in order, none twice").containsExactlyElementsOf(expected);
        assertThat(s.eventsReceived()).isEqualTo(c.total());
        assertThat(s.messagesRejected()).isZero();
    }

    @Test
    void required_closeStopsDeliveryIsIdempotentAndLeaksNoThreads() throws Exception {
        ThreadLeaks threads = ThreadLeaks.snapshot();
        EventSource s = open();
        Collector c = new Collector();
        startReceiving(s, c);
        publishJson(MULTI, List.of(taskBody("task-received", "c1", 0), taskBody("task-started", "c1", 1)));
        awaitEvents(c, 2);
        Set<Thread> delivering = c.threads();
        assertThat(delivering).isNotEmpty();

        s.close();
        await("the delivering thread ended").atMost(t(10))
                .until(() -> delivering.stream().noneMatch(Thread::isAlive));
        if (fixture.reportsConnection()) {
            assertThat(s.isConnected()).isFalse();
        }
        long received = s.eventsReceived();
        int seen = c.total();
        s.close();
        publishEvent(taskBody("task-succeeded", "c1", 2));
        assertThat(c.total()).as("nothing delivered after close").isEqualTo(seen);
        assertThat(s.eventsReceived()).isEqualTo(received);
        assertThatThrownBy(() -> s.start(new Collector())).as("start after close").isInstanceOf(IllegalStateException.class);
        threads.assertNoNewThreads(t(10), sharedThreadNamePrefixes());
    }

    @Test
    void required_misuseIsRefused() {
        ThreadLeaks threads = ThreadLeaks.snapshot();
        EventSource never = open();
        never.close();
        never.close();
        assertThatThrownBy(() -> never.start(new Collector())).as("start after close")
                .isInstanceOf(IllegalStateException.class);

        EventSource twice = open();
        twice.start(new Collector());
        assertThatThrownBy(() -> twice.start(new Collector())).as("start twice")
                .isInstanceOf(IllegalStateException.class);
        twice.close();
        threads.assertNoNewThreads(t(10), sharedThreadNamePrefixes());
    }

    @Test
    void required_aSourceThatCannotConnectKeepsTryingAndClosesCleanly() throws Exception {
        ThreadLeaks threads = ThreadLeaks.snapshot();
        Optional<EventSource> unreachable = fixture.openUnreachable();
        assumeTrue(unreachable.isPresent(), "the fixture cannot open a source on an unreachable broker");
        EventSource s = unreachable.get();
        opened.add(s);
        Collector c = new Collector();
        s.start(c);
        if (fixture.reportsConnection()) {
            assertThat(s.isConnected()).isFalse();
        }
        assertThat(s.location()).isNotBlank();
        s.close();
        s.close();
        assertThat(s.eventsReceived()).isZero();
        assertThat(c.total()).isZero();
        if (fixture.reportsConnection()) {
            assertThat(s.isConnected()).isFalse();
        }
        threads.assertNoNewThreads(t(10), sharedThreadNamePrefixes());
    }

    // =============================================================================================
    // by ability of the fixture

    @Test
    void wakeUp_theWorkersAreWokenUpOnceTheSourceReceives() throws Exception {
        assumeTrue(fixture.startRecordingBroadcasts(), "the fixture does not record Celery's remote-control broadcasts");
        EventSource s = open();
        Collector c = new Collector();
        startReceiving(s, c);
        await("Celery's heartbeat broadcast").atMost(waitLimit())
                .until(() -> fixture.broadcasts().stream().anyMatch(b -> "heartbeat".equals(b.get("method"))));
        Map<String, Object> wake = fixture.broadcasts().stream().filter(b -> "heartbeat".equals(b.get("method")))
                .findFirst().orElseThrow();
        assertThat(new ArrayList<>(wake.keySet())).as("EventReceiver.wakeup_workers' body")
                .containsExactly("method", "arguments", "destination", "pattern", "matcher");
        assertThat(wake.get("arguments")).isEqualTo(Map.of());
        assertThat(wake.get("destination")).isNull();
        assertThat(wake.get("pattern")).isNull();
        assertThat(wake.get("matcher")).isNull();
    }

    // =============================================================================================

    /** Records what a source delivers, on the source's thread; fails on purpose when told. */
    private static final class Collector implements EventListener {
        private final List<Event> all = new CopyOnWriteArrayList<>();
        private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        private final Predicate<Event> failOn;

        Collector() {
            this(e -> false);
        }

        Collector(Predicate<Event> failOn) {
            this.failOn = failOn;
        }

        @Override
        public void onEvent(Event event) {
            threads.add(Thread.currentThread());
            all.add(event);
            if (failOn.test(event)) {
                throw new IllegalStateException("the kit's listener fails on purpose");
            }
        }

        /** @return every event delivered, probes included */
        int total() {
            return all.size();
        }

        int probes() {
            int n = 0;
            for (Event e : all) {
                if (PROBE_TYPE.equals(e.type())) {
                    n++;
                }
            }
            return n;
        }

        /** @return the events delivered, probes left out */
        List<Event> events() {
            List<Event> out = new ArrayList<>();
            for (Event e : all) {
                if (!PROBE_TYPE.equals(e.type())) {
                    out.add(e);
                }
            }
            return out;
        }

        Set<Thread> threads() {
            return Set.copyOf(threads);
        }
    }
}
