package io.celeriac.tck;

import io.celeriac.backend.TaskState;
import io.celeriac.events.Event;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateClosedException;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.MalformedEventException;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The conformance kit for event states: extend it in your plugin's tests and implement
 * {@link #createFixture()}.
 *
 * <pre>{@code
 * class MyEventStateContractTest extends EventStateContract {
 *     @Override
 *     protected EventStateFixture createFixture() {
 *         return options -> celeriac.openEventState("my://", options);
 *     }
 * }
 * }</pre>
 *
 * <p>It checks Celery 5.2.6's {@code State} semantics on hand-built event streams, with celeriac's
 * documented fixes: every task and worker event type and the fields each copies, custom subjects,
 * out-of-order merging by state precedence (including the fixes for late events, late RETRY and REJECTED),
 * parent and child linking in any order, the heartbeat list and its expiry under a controllable clock,
 * eviction at the memory limits and the bounded time index, the indexes and counters, {@code clear}, node
 * listeners, snapshots and {@code freezeWhile}, readers running alongside a writer, malformed events and
 * closing.
 */
public abstract class EventStateContract {

    /** An arbitrary instant in epoch seconds at which the tests' streams start. */
    protected static final double T0 = 1_795_263_400.0;

    private EventStateFixture fixture;
    private final List<EventState> created = new ArrayList<>();

    /**
     * Creates a fresh fixture for one test.
     *
     * @return the fixture
     * @throws Exception when what the states need cannot be prepared
     */
    protected abstract EventStateFixture createFixture() throws Exception;

    @BeforeEach
    final void createKitFixture() throws Exception {
        fixture = createFixture();
    }

    /**
     * Creates a state with Celery's defaults, closed after the test.
     *
     * @return the state
     */
    protected final EventState state() {
        return state(EventStateOptions.defaults());
    }

    /**
     * Creates a state, closed after the test.
     *
     * @param options the options
     * @return the state
     */
    protected final EventState state(EventStateOptions options) {
        EventState s = fixture.open(options);
        created.add(s);
        return s;
    }

    /**
     * Creates a state with default limits whose clock the test moves.
     *
     * @param clock the clock
     * @return the state
     */
    protected final EventState state(MutableClock clock) {
        return state(EventStateOptions.builder().clock(clock).build());
    }

    @AfterEach
    final void closeKitFixture() throws Exception {
        try {
            created.forEach(EventState::close);
            created.clear();
        } finally {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    /**
     * An event as a receiver delivers it.
     *
     * @param type the type
     * @param kv alternating field names and values
     * @return the event
     */
    protected static Event event(String type, Object... kv) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            f.put((String) kv[i], kv[i + 1]);
        }
        f.put("type", type);
        return new Event(type, f);
    }

    /**
     * A task event as a receiver delivers it: {@code timestamp} and {@code local_received} are both
     * {@code at}.
     *
     * @param type the type, e.g. {@code task-started}
     * @param uuid the task id
     * @param host the sender's hostname
     * @param at the event time, epoch seconds
     * @param clock the Lamport clock
     * @param kv more fields, alternating names and values
     * @return the event
     */
    protected static Event task(String type, String uuid, String host, double at, long clock, Object... kv) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("hostname", host);
        f.put("utcoffset", 0L);
        f.put("pid", 4242L);
        f.put("clock", clock);
        f.put("uuid", uuid);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            f.put((String) kv[i], kv[i + 1]);
        }
        f.put("timestamp", at);
        f.put("type", type);
        f.put("local_received", at);
        return new Event(type, f);
    }

    /**
     * A {@code task-received} event with Celery's fields.
     *
     * @param uuid the task id
     * @param host the worker
     * @param at the event time
     * @param clock the clock
     * @param retries the retry count
     * @param parent the parent id, or {@code null}
     * @return the event
     */
    protected static Event received(String uuid, String host, double at, long clock, long retries, String parent) {
        return task("task-received", uuid, host, at, clock, "name", "proj.add", "args", "(2, 3)", "kwargs", "{}",
                "root_id", parent == null ? uuid : parent, "parent_id", parent, "retries", retries, "eta", null,
                "expires", null);
    }

    /**
     * A worker event with Celery's heartbeat fields ({@code freq} 2.0).
     *
     * @param type the type, e.g. {@code worker-heartbeat}
     * @param host the worker's hostname
     * @param at the event time ({@code timestamp} and {@code local_received})
     * @param clock the clock
     * @return the event
     */
    protected static Event worker(String type, String host, double at, long clock) {
        return event(type, "hostname", host, "utcoffset", 0L, "pid", 77L, "clock", clock, "freq", 2.0,
                "active", 1L, "processed", 9L, "loadavg", List.of(0.5, 0.25, 0.12), "sw_ident", "py-celery",
                "sw_ver", "5.2.6", "sw_sys", "Linux", "timestamp", at, "local_received", at);
    }

    private static List<String> ids(List<TaskInfo> tasks) {
        List<String> out = new ArrayList<>();
        for (TaskInfo t : tasks) {
            out.add(t.uuid());
        }
        return out;
    }

    private static TaskInfo get(EventState s, String uuid) {
        return s.task(uuid).orElseThrow(() -> new AssertionError("task " + uuid + " is not in the state"));
    }

    // ------------------------------------------------------------------------------------------
    // task events

    @Test
    void required_aTaskFollowsItsEvents() {
        EventState s = state();
        double now = System.currentTimeMillis() / 1000.0;
        s.event(event("task-received", "uuid", "t1", "name", "proj.add", "args", "(2, 3)", "kwargs", "{}",
                "hostname", "w1@host", "timestamp", now, "local_received", now, "clock", 1L));
        s.event(event("task-started", "uuid", "t1", "hostname", "w1@host", "timestamp", now + 0.1,
                "local_received", now + 0.1, "clock", 2L));
        s.event(event("task-succeeded", "uuid", "t1", "result", "5", "runtime", 0.01, "hostname", "w1@host",
                "timestamp", now + 0.2, "local_received", now + 0.2, "clock", 3L));
        TaskInfo t = s.task("t1").orElseThrow();
        assertThat(t.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(t.name()).isEqualTo("proj.add");
        assertThat(t.result()).isEqualTo("5");
        assertThat(t.worker()).isEqualTo("w1@host");
        assertThat(s.eventCount()).isEqualTo(3);
        assertThat(s.taskCount()).isEqualTo(1);
    }

    @Test
    void required_everyTaskEventTypeSetsItsStateAndItsTime() {
        EventState s = state();
        Object[][] table = {
            {"sent", TaskState.PENDING}, {"received", TaskState.RECEIVED}, {"started", TaskState.STARTED},
            {"succeeded", TaskState.SUCCESS}, {"failed", TaskState.FAILURE}, {"retried", TaskState.RETRY},
            {"revoked", TaskState.REVOKED}, {"rejected", TaskState.REJECTED},
        };
        for (int i = 0; i < table.length; i++) {
            String subject = (String) table[i][0];
            double at = T0 + i;
            s.event(task("task-" + subject, "t-" + subject, subject.equals("sent") ? "gen1@h" : "w1@h", at, i + 1));
            TaskInfo t = get(s, "t-" + subject);
            assertThat(t.state()).as(subject).isEqualTo(table[i][1]);
            assertThat(t.timestamp()).as(subject).isEqualTo(at);
            assertThat(t.clock()).as(subject).isEqualTo(i + 1);
            Double time = switch (subject) {
                case "sent" -> t.sent();
                case "received" -> t.received();
                case "started" -> t.started();
                case "succeeded" -> t.succeeded();
                case "failed" -> t.failed();
                case "retried" -> t.retried();
                case "revoked" -> t.revoked();
                default -> t.rejected();
            };
            assertThat(time).as("the %s time", subject).isEqualTo(at);
            if (subject.equals("sent")) {
                assertThat(t.client()).isEqualTo("gen1@h");
                assertThat(t.worker()).isNull();
            } else {
                assertThat(t.worker()).isEqualTo("w1@h");
                assertThat(t.client()).isNull();
            }
        }
        assertThat(s.eventCount()).isEqualTo(table.length);
        assertThat(s.taskCount()).isEqualTo(1);
    }

    @Test
    void required_taskEventsCopyTheirFields() {
        EventState s = state();
        s.event(task("task-sent", "t1", "gen1@h", T0, 1, "root_id", "r1", "parent_id", "p1", "name", "proj.add",
                "args", "(2, 3)", "kwargs", "{'x': 1}", "retries", 0L, "eta", "2026-11-21T12:00:00+00:00",
                "expires", "2026-11-22T12:00:00+00:00", "queue", "celery", "exchange", "", "routing_key", "celery"));
        TaskInfo t = get(s, "t1");
        assertThat(t.name()).isEqualTo("proj.add");
        assertThat(t.args()).isEqualTo("(2, 3)");
        assertThat(t.kwargs()).isEqualTo("{'x': 1}");
        assertThat(t.retries()).isZero();
        assertThat(t.eta()).isEqualTo("2026-11-21T12:00:00+00:00");
        assertThat(t.expires()).isEqualTo("2026-11-22T12:00:00+00:00");
        assertThat(t.exchange()).isEmpty();
        assertThat(t.routingKey()).isEqualTo("celery");
        assertThat(t.rootId()).isEqualTo("r1");
        assertThat(t.parentId()).isEqualTo("p1");
        assertThat(t.extra()).containsEntry("queue", "celery");
        assertThat(t.extra()).doesNotContainKeys("hostname", "type", "utcoffset", "pid", "local_received", "uuid");

        s.event(task("task-succeeded", "t1", "w1@h", T0 + 1, 2, "result", "5", "runtime", 0.25));
        t = get(s, "t1");
        assertThat(t.result()).isEqualTo("5");
        assertThat(t.runtime()).isEqualTo(0.25);

        s.event(task("task-failed", "t2", "w1@h", T0 + 2, 3, "exception", "ValueError('x')", "traceback", "tb"));
        assertThat(get(s, "t2").exception()).isEqualTo("ValueError('x')");
        assertThat(get(s, "t2").traceback()).isEqualTo("tb");

        s.event(task("task-revoked", "t3", "w1@h", T0 + 3, 4, "terminated", true, "signum", "15", "expired", false));
        assertThat(get(s, "t3").extra()).containsEntry("terminated", true).containsEntry("signum", "15")
                .containsEntry("expired", false);

        s.event(task("task-rejected", "t4", "w1@h", T0 + 4, 5, "requeue", true));
        assertThat(get(s, "t4").extra()).containsEntry("requeue", true);
    }

    @Test
    void required_customSubjectsAreUpperCaseStatesOfCustomPrecedence() {
        EventState s = state();
        s.event(received("t1", "w1@h", T0, 1, 0, null));
        s.event(task("task-started", "t1", "w1@h", T0 + 1, 2));
        s.event(task("task-progress", "t1", "w1@h", T0 + 2, 3, "current", 10L, "total", 100L));
        TaskInfo t = get(s, "t1");
        assertThat(t.state()).isEqualTo(TaskState.of("PROGRESS"));
        assertThat(t.extra()).containsEntry("current", 10L).containsEntry("total", 100L);
        s.event(task("task-progress", "t1", "w1@h", T0 + 3, 4, "current", 50L));
        assertThat(get(s, "t1").extra()).containsEntry("current", 50L);

        s.event(task("task-succeeded", "t1", "w1@h", T0 + 4, 5, "result", "1", "runtime", 1.0));
        s.event(task("task-progress", "t1", "w1@h", T0 + 2.5, 6, "current", 99L));
        assertThat(get(s, "t1").state()).as("SUCCESS outranks a custom state").isEqualTo(TaskState.SUCCESS);
        assertThat(get(s, "t1").extra()).as("a late event does not overwrite").containsEntry("current", 50L);

        s.event(received("t2", "w1@h", T0, 7, 0, null));
        s.event(task("task-cancelled", "t2", "w1@h", T0 + 1, 8));
        assertThat(get(s, "t2").state()).isEqualTo(TaskState.of("CANCELLED"));
    }

    // ------------------------------------------------------------------------------------------
    // out of order

    @Test
    void required_aLateEventDoesNotMoveTheStateBackNorOverwriteNewerFields() {
        EventState s = state();
        s.event(task("task-succeeded", "t1", "w2@h", T0 + 2, 12, "result", "'ok'", "runtime", 0.5));
        s.event(task("task-started", "t1", "w1@h", T0 + 1, 11));
        TaskInfo t = get(s, "t1");
        assertThat(t.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(t.started()).as("a late event fills its own time").isEqualTo(T0 + 1);
        assertThat(t.timestamp()).as("the newer event's timestamp stays").isEqualTo(T0 + 2);
        assertThat(t.clock()).as("the newer event's clock stays").isEqualTo(12);
        assertThat(t.worker()).as("the newer event's worker stays").isEqualTo("w2@h");
    }

    @Test
    void required_aLateReceivedOnlyFillsItsMergeFields() {
        EventState s = state();
        s.event(task("task-started", "t1", "w1@h", T0 + 1, 2));
        s.event(task("task-received", "t1", "w1@h", T0, 1, "name", "proj.add", "args", "(1,)", "kwargs", "{}",
                "retries", 0L, "root_id", "t1", "parent_id", null, "eta", null, "expires", null,
                "something", "else"));
        TaskInfo t = get(s, "t1");
        assertThat(t.state()).isEqualTo(TaskState.STARTED);
        assertThat(t.name()).isEqualTo("proj.add");
        assertThat(t.args()).isEqualTo("(1,)");
        assertThat(t.retries()).isZero();
        assertThat(t.received()).isEqualTo(T0);
        assertThat(t.timestamp()).isEqualTo(T0 + 1);
        assertThat(t.extra()).as("only the merge fields of a late task-received").doesNotContainKey("something");
    }

    @Test
    void required_lateEventsOfAnEarlierAttemptDoNotOverwriteTheLaterAttempt() {
        EventState s = state();
        s.event(task("task-retried", "t1", "w1@h", T0 + 2, 3, "exception", "Retry('x')", "traceback", "tb"));
        s.event(received("t1", "w2@h", T0 + 3, 10, 1, null));
        s.event(task("task-started", "t1", "w2@h", T0 + 4, 11));
        s.event(task("task-succeeded", "t1", "w2@h", T0 + 5, 12, "result", "3", "runtime", 0.5));
        s.event(task("task-started", "t1", "w1@h", T0 + 1, 2)); // first attempt, delivered late
        s.event(received("t1", "w1@h", T0, 1, 0, null)); // first attempt, delivered late
        TaskInfo t = get(s, "t1");
        assertThat(t.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(t.retries()).isEqualTo(1);
        assertThat(t.received()).isEqualTo(T0 + 3);
        assertThat(t.started()).isEqualTo(T0 + 4);
        assertThat(t.worker()).isEqualTo("w2@h");
        assertThat(t.exception()).as("kept from the retry, as in order").isEqualTo("Retry('x')");
        assertThat(ids(s.tasksByWorker("w2@h", 0))).containsExactly("t1");
        assertThat(s.tasksByWorker("w1@h", 0)).isEmpty();
    }

    @Test
    void required_retryIsNeverLateButNeverMovesAFinishedTaskBack() {
        EventState s = state();
        s.event(received("t1", "w1@h", T0, 1, 0, null));
        s.event(task("task-started", "t1", "w1@h", T0 + 1, 2));
        s.event(task("task-retried", "t1", "w1@h", T0 + 2, 3, "exception", "Retry('x')"));
        assertThat(get(s, "t1").state()).as("RETRY after STARTED").isEqualTo(TaskState.RETRY);
        s.event(task("task-started", "t1", "w1@h", T0 + 3, 4));
        assertThat(get(s, "t1").state()).as("anything after RETRY").isEqualTo(TaskState.STARTED);

        s.event(received("t2", "w1@h", T0, 5, 0, null));
        s.event(task("task-succeeded", "t2", "w1@h", T0 + 2, 7, "result", "7", "runtime", 1.0));
        s.event(task("task-retried", "t2", "w1@h", T0 + 1, 6, "exception", "Retry('x')", "traceback", "tb"));
        TaskInfo t2 = get(s, "t2");
        assertThat(t2.state()).as("a late RETRY after SUCCESS").isEqualTo(TaskState.SUCCESS);
        assertThat(t2.retried()).isEqualTo(T0 + 1);
        assertThat(t2.timestamp()).isEqualTo(T0 + 2);
        assertThat(t2.clock()).isEqualTo(7);
    }

    @Test
    void required_rejectedFollowsAnyUnfinishedState() {
        EventState s = state();
        s.event(received("t1", "w1@h", T0, 1, 0, null));
        s.event(task("task-rejected", "t1", "w1@h", T0 + 1, 2, "requeue", false));
        assertThat(get(s, "t1").state()).isEqualTo(TaskState.REJECTED);

        s.event(received("t2", "w1@h", T0, 3, 0, null));
        s.event(task("task-started", "t2", "w1@h", T0 + 1, 4));
        s.event(task("task-rejected", "t2", "w1@h", T0 + 2, 5, "requeue", true));
        assertThat(get(s, "t2").state()).isEqualTo(TaskState.REJECTED);
        s.event(received("t2", "w2@h", T0 + 3, 6, 0, null));
        assertThat(get(s, "t2").state()).as("requeued and received again").isEqualTo(TaskState.RECEIVED);

        s.event(task("task-succeeded", "t3", "w1@h", T0 + 1, 7, "result", "1", "runtime", 0.1));
        s.event(task("task-rejected", "t3", "w1@h", T0, 6, "requeue", false));
        assertThat(get(s, "t3").state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void required_aLateTaskSentKeepsTheWorkersTimestampAndClock() {
        EventState s = state();
        s.event(received("t1", "w1@h", T0 + 0.1, 5, 0, null));
        s.event(task("task-sent", "t1", "gen1@h", T0, 1, "name", "proj.add", "queue", "celery",
                "exchange", "", "routing_key", "celery"));
        TaskInfo t = get(s, "t1");
        assertThat(t.state()).isEqualTo(TaskState.RECEIVED);
        assertThat(t.client()).isEqualTo("gen1@h");
        assertThat(t.sent()).isEqualTo(T0);
        assertThat(t.routingKey()).isEqualTo("celery");
        assertThat(t.timestamp()).isEqualTo(T0 + 0.1);
        assertThat(t.clock()).isEqualTo(5);
    }

    // ------------------------------------------------------------------------------------------
    // workers

    @Test
    void required_aWorkerWithAFreshHeartbeatIsAlive() {
        EventState s = state();
        double now = System.currentTimeMillis() / 1000.0;
        s.event(event("worker-heartbeat", "hostname", "w1@host", "pid", 42L, "freq", 2.0, "active", 0L,
                "processed", 3L, "timestamp", now, "local_received", now, "clock", 5L));
        assertThat(s.worker("w1@host")).hasValueSatisfying(w -> {
            assertThat(w.alive()).isTrue();
            assertThat(w.processed()).isEqualTo(3);
        });
        assertThat(s.aliveWorkers()).hasSize(1);
    }

    @Test
    void required_workerEventsCopyTheirFieldsAndKeepTheFourLatestHeartbeats() {
        MutableClock clock = MutableClock.atEpochSeconds(T0 + 10);
        EventState s = state(clock);
        s.event(worker("worker-online", "w1@h", T0, 1));
        for (int i = 1; i <= 5; i++) {
            s.event(worker("worker-heartbeat", "w1@h", T0 + 2 * i, 1 + i));
        }
        WorkerInfo w = s.worker("w1@h").orElseThrow();
        assertThat(w.heartbeats()).containsExactly(T0 + 4, T0 + 6, T0 + 8, T0 + 10);
        assertThat(w.pid()).isEqualTo(77);
        assertThat(w.freq()).isEqualTo(2.0);
        assertThat(w.active()).isEqualTo(1);
        assertThat(w.processed()).isEqualTo(9);
        assertThat(w.loadavg()).containsExactly(0.5, 0.25, 0.12);
        assertThat(w.swIdent()).isEqualTo("py-celery");
        assertThat(w.swVer()).isEqualTo("5.2.6");
        assertThat(w.swSys()).isEqualTo("Linux");
        assertThat(w.clock()).isEqualTo(6);
        assertThat(w.id()).isEqualTo("w1@h.77");
        assertThat(w.heartbeatExpires()).isEqualTo(T0 + 14);

        s.event(worker("worker-heartbeat", "w1@h", T0 + 1, 7)); // older than all four: dropped
        assertThat(s.worker("w1@h").orElseThrow().heartbeats()).containsExactly(T0 + 4, T0 + 6, T0 + 8, T0 + 10);
        s.event(worker("worker-heartbeat", "w1@h", T0 + 7, 8)); // out of order: sorted in
        assertThat(s.worker("w1@h").orElseThrow().heartbeats()).containsExactly(T0 + 6, T0 + 7, T0 + 8, T0 + 10);

        // the heartbeat a worker sends when the receiver wakes it: freq 5, no load fields
        s.event(event("worker-heartbeat", "hostname", "w1@h", "pid", 77L, "clock", 9L, "freq", 5L,
                "sw_ident", "py-celery", "sw_ver", "5.2.6", "sw_sys", "Linux", "timestamp", T0 + 11,
                "local_received", T0 + 11));
        w = s.worker("w1@h").orElseThrow();
        assertThat(w.freq()).isEqualTo(5.0);
        assertThat(w.processed()).as("kept when an event does not carry it").isEqualTo(9);
    }

    @Test
    void required_taskEventsAddTheReceiveTimeToTheWorkersHeartbeats() {
        MutableClock clock = MutableClock.atEpochSeconds(T0 + 131);
        EventState s = state(clock);
        // a worker whose clock is 30 s behind: its events' timestamps are 30 s before their receive times
        s.event(taskAt("task-received", "t1", "w9@h", T0, T0 + 30, 1));
        s.event(taskAt("task-started", "t1", "w9@h", T0 + 1, T0 + 31, 2));
        WorkerInfo w = s.worker("w9@h").orElseThrow();
        assertThat(w.heartbeats()).containsExactly(T0 + 30, T0 + 31);
        assertThat(w.pid()).as("task events do not copy fields onto the worker").isNull();
        assertThat(w.freq()).as("Celery's default until a worker event says otherwise").isEqualTo(60.0);
        assertThat(w.heartbeatExpires()).isEqualTo(T0 + 31 + 120);
        assertThat(w.alive()).isTrue();
        assertThat(w.id()).isEqualTo("w9@h.None");
    }

    private static Event taskAt(String type, String uuid, String host, double timestamp, double localReceived,
                                long clock) {
        Map<String, Object> f = new LinkedHashMap<>(task(type, uuid, host, timestamp, clock).fields());
        f.put("local_received", localReceived);
        return new Event(type, f);
    }

    @Test
    void required_heartbeatExpiryFollowsTheClock() {
        MutableClock clock = MutableClock.atEpochSeconds(T0);
        EventState s = state(clock);
        s.event(worker("worker-heartbeat", "w1@h", T0, 1));
        s.event(worker("worker-heartbeat", "w2@h", T0 + 3, 1));
        assertThat(s.worker("w1@h").orElseThrow().heartbeatExpires()).isEqualTo(T0 + 4.0);
        clock.advanceSeconds(3.999);
        assertThat(s.worker("w1@h").orElseThrow().alive()).isTrue();
        assertThat(s.aliveWorkers()).extracting(WorkerInfo::hostname).containsExactly("w1@h", "w2@h");
        clock.advanceSeconds(0.001);
        WorkerInfo w1 = s.worker("w1@h").orElseThrow();
        assertThat(w1.alive()).as("alive while now < last heartbeat + 2 × freq").isFalse();
        assertThat(w1.statusString()).isEqualTo("OFFLINE");
        assertThat(w1.isAliveAt(T0 + 3.5)).isTrue();
        assertThat(s.aliveWorkers()).extracting(WorkerInfo::hostname).containsExactly("w2@h");
        assertThat(s.workers()).extracting(WorkerInfo::hostname).containsExactly("w1@h", "w2@h");
        clock.advanceSeconds(3.0);
        assertThat(s.aliveWorkers()).isEmpty();
        s.event(worker("worker-heartbeat", "w1@h", T0 + 7, 2));
        assertThat(s.worker("w1@h").orElseThrow().statusString()).isEqualTo("ONLINE");
    }

    @Test
    void required_offlineEmptiesTheHeartbeatsAndKeepsTheWorker() {
        MutableClock clock = MutableClock.atEpochSeconds(T0 + 1);
        EventState s = state(clock);
        List<String> left = new CopyOnWriteArrayList<>();
        s.onNodeLeave(w -> left.add(w.hostname() + ":" + w.heartbeats().size()));
        s.event(worker("worker-online", "w1@h", T0, 1));
        s.event(worker("worker-offline", "w1@h", T0 + 0.5, 2));
        WorkerInfo w = s.worker("w1@h").orElseThrow();
        assertThat(w.heartbeats()).isEmpty();
        assertThat(w.alive()).isFalse();
        assertThat(w.heartbeatExpires()).isNull();
        s.event(worker("worker-offline", "ghost@h", T0 + 0.6, 1));
        assertThat(s.worker("ghost@h")).as("an unknown worker going offline is not stored").isEmpty();
        assertThat(left).containsExactly("w1@h:0", "ghost@h:0");
    }

    @Test
    void required_offlineWorkersAreForgottenWhenTheOptionsSaySo() {
        EventState s = state(EventStateOptions.builder().forgetOfflineWorkers(true).build());
        s.event(worker("worker-online", "w1@h", T0, 1));
        s.event(worker("worker-offline", "w1@h", T0 + 0.5, 2));
        assertThat(s.worker("w1@h")).isEmpty();
        assertThat(s.workers()).isEmpty();
    }

    @Test
    void required_workerEventsWithoutTimesAreOnlyCounted() {
        EventState s = state();
        Event noTimestamp = event("worker-heartbeat", "hostname", "w1@h", "local_received", T0, "clock", 1L);
        Event noReceiveTime = event("worker-heartbeat", "hostname", "w2@h", "timestamp", T0, "clock", 1L);
        s.event(noTimestamp);
        s.event(noReceiveTime);
        s.event(event("custom-thing", "hostname", "x@h", "timestamp", T0, "local_received", T0));
        assertThat(s.workers()).isEmpty();
        assertThat(s.eventCount()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------------------
    // malformed, counters

    @Test
    void required_malformedTaskEventsRaiseAndChangeNothingButTheEventCount() {
        EventState s = state();
        s.event(received("t1", "w1@h", T0, 1, 0, null));
        TaskInfo before = get(s, "t1");
        Map<String, Object> noClock = new LinkedHashMap<>(task("task-started", "t1", "w1@h", T0 + 1, 2).fields());
        noClock.remove("clock");
        assertThatThrownBy(() -> s.event(new Event("task-started", noClock)))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("clock");
        Map<String, Object> noUuid = new LinkedHashMap<>(task("task-failed", "t1", "w1@h", T0 + 1, 2).fields());
        noUuid.remove("uuid");
        assertThatThrownBy(() -> s.event(new Event("task-failed", noUuid)))
                .isInstanceOf(MalformedEventException.class)
                .satisfies(e -> assertThat(((MalformedEventException) e).eventType()).isEqualTo("task-failed"))
                .hasMessageContaining("uuid");
        assertThat(get(s, "t1")).isEqualTo(before);
        assertThat(s.eventCount()).isEqualTo(3);
        assertThat(s.workers()).extracting(WorkerInfo::hostname).containsExactly("w1@h");

        // a batch applies every good event and reports the bad ones
        assertThatThrownBy(() -> s.events(List.of(new Event("task-started", noClock),
                task("task-started", "t1", "w1@h", T0 + 2, 3))))
                .isInstanceOf(MalformedEventException.class);
        assertThat(get(s, "t1").state()).isEqualTo(TaskState.STARTED);
    }

    @Test
    void required_countersFollowCelery() {
        EventState s = state();
        s.event(task("task-sent", "t1", "gen@h", T0, 1));
        s.event(received("t1", "w1@h", T0 + 1, 2, 0, null));
        s.event(task("task-retried", "t1", "w1@h", T0 + 2, 3));
        s.event(received("t1", "w1@h", T0 + 3, 4, 1, null));
        s.event(event("custom-audit", "hostname", "x@h"));
        s.event(worker("worker-heartbeat", "w1@h", T0 + 4, 5));
        assertThat(s.eventCount()).isEqualTo(6);
        assertThat(s.taskCount()).as("every task-received counts").isEqualTo(2);
    }

    // ------------------------------------------------------------------------------------------
    // parents and children

    @Test
    void required_childrenAreLinkedWhicheverArrivesFirst() {
        EventState s = state();
        s.event(received("c1", "w1@h", T0, 1, 0, "p"));
        s.event(received("g1", "w1@h", T0 + 0.1, 2, 0, "c1"));
        assertThat(get(s, "c1").children()).containsExactly("g1");
        s.event(received("c2", "w1@h", T0 + 0.2, 3, 0, "p"));
        assertThat(s.task("p")).isEmpty();
        s.event(task("task-sent", "p", "gen@h", T0 - 1, 4));
        assertThat(get(s, "p").children()).containsExactlyInAnyOrder("c1", "c2");
        s.event(received("c3", "w1@h", T0 + 0.3, 5, 0, "p"));
        assertThat(get(s, "p").children()).containsExactlyInAnyOrder("c1", "c2", "c3");
        assertThat(get(s, "c3").parentId()).isEqualTo("p");
        assertThat(get(s, "g1").rootId()).isEqualTo("c1");
    }

    // ------------------------------------------------------------------------------------------
    // memory limits

    @Test
    void required_tasksAreEvictedOldestFirstAndParentsStayFreshWhileTheirChildrenReport() {
        EventState s = state(EventStateOptions.builder().maxTasksInMemory(4).build());
        s.event(received("p", "w1@h", T0, 1, 0, null));
        for (int i = 1; i <= 6; i++) {
            s.event(received("t" + i, "w1@h", T0 + i, 1 + i, 0, i % 2 == 0 ? "p" : null));
        }
        // each child's event refreshes p after the child was inserted (Celery's LRU getter), so t1, t2
        // and t3 went first
        assertThat(ids(s.tasks())).containsExactly("t4", "t5", "t6", "p");
        assertThat(get(s, "p").children()).as("evicted children leave").containsExactly("t4", "t6");
        assertThat(s.taskCount()).isEqualTo(7);
    }

    @Test
    void required_workersAreEvictedOldestFirst() {
        EventState s = state(EventStateOptions.builder().maxWorkersInMemory(2).build());
        s.event(worker("worker-online", "w1@h", T0, 1));
        s.event(worker("worker-online", "w2@h", T0, 1));
        s.event(task("task-started", "t1", "w3@h", T0 + 1, 2));
        assertThat(s.workers()).extracting(WorkerInfo::hostname).containsExactly("w2@h", "w3@h");
        assertThat(get(s, "t1").worker()).isEqualTo("w3@h");
    }

    @Test
    void required_theTimeIndexKeepsFourEntriesPerTaskOfTheLimit() {
        EventState s = state(EventStateOptions.builder().maxTasksInMemory(3).build());
        long c = 1;
        s.event(received("old", "w1@h", T0, c++, 0, null));
        for (int i = 0; i < 12; i++) { // 12 = 4 × 3 newer entries push "old" out of the index
            s.event(task("task-progress", i % 2 == 0 ? "a" : "b", "w1@h", T0 + 1 + i, c++));
        }
        assertThat(s.task("old")).as("still in memory").isPresent();
        assertThat(ids(s.tasksByTime(0))).as("but no longer in the time index").containsExactly("b", "a");
        s.event(task("task-progress", "old", "w1@h", T0 + 20, c++));
        assertThat(ids(s.tasksByTime(0))).containsExactly("old", "b", "a");
    }

    // ------------------------------------------------------------------------------------------
    // indexes

    @Test
    void required_indexesAreNewestFirstAndLimited() {
        EventState s = state();
        s.event(task("task-received", "a1", "w1@h", T0, 1, "name", "proj.a"));
        s.event(task("task-received", "b1", "w2@h", T0 + 1, 2, "name", "proj.b"));
        s.event(task("task-received", "a2", "w2@h", T0 + 2, 3, "name", "proj.a"));
        s.event(task("task-sent", "c1", "gen@h", T0 + 3, 4, "name", "proj.c"));
        s.event(task("task-started", "a1", "w1@h", T0 + 4, 5));
        assertThat(ids(s.tasksByTime(0))).containsExactly("a1", "c1", "a2", "b1");
        assertThat(ids(s.tasksByTimestamp(2))).containsExactly("a1", "c1");
        assertThat(ids(s.tasksByType("proj.a", 0))).containsExactly("a1", "a2");
        assertThat(ids(s.tasksByType("proj.a", 1))).containsExactly("a1");
        assertThat(s.tasksByType("proj.none", 0)).isEmpty();
        assertThat(ids(s.tasksByWorker("w2@h", 0))).containsExactly("a2", "b1");
        assertThat(s.tasksByWorker("gen@h", 0)).as("a client is not a worker").isEmpty();
        assertThat(s.taskTypes()).containsExactly("proj.a", "proj.b", "proj.c");
        assertThat(ids(s.tasks())).containsExactly("a1", "b1", "a2", "c1");
        assertThatThrownBy(() -> s.tasksByTime(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------
    // clear

    @Test
    void required_clearForgetsWorkersFinishedTasksAndCounters() {
        EventState s = state();
        s.event(worker("worker-online", "w1@h", T0, 1));
        s.event(task("task-received", "done", "w1@h", T0, 2, "name", "proj.done"));
        s.event(task("task-succeeded", "done", "w1@h", T0 + 1, 3, "result", "1"));
        s.event(task("task-received", "busy", "w1@h", T0 + 2, 4, "name", "proj.busy"));
        s.event(task("task-started", "busy", "w1@h", T0 + 3, 5));
        s.clear(true);
        assertThat(s.workers()).isEmpty();
        assertThat(ids(s.tasks())).containsExactly("busy");
        assertThat(ids(s.tasksByTime(0))).as("kept tasks stay in the time index").containsExactly("busy");
        assertThat(s.taskTypes()).containsExactly("proj.busy");
        assertThat(s.eventCount()).isZero();
        assertThat(s.taskCount()).isZero();
        s.event(task("task-succeeded", "busy", "w1@h", T0 + 4, 6));
        assertThat(get(s, "busy").state()).isEqualTo(TaskState.SUCCESS);
        s.clear(false);
        assertThat(s.tasks()).isEmpty();
        assertThat(s.tasksByTime(0)).isEmpty();
    }

    @Test
    void required_clearTasksKeepsWorkersAndCounters() {
        EventState s = state();
        s.event(worker("worker-online", "w1@h", T0, 1));
        s.event(received("a", "w1@h", T0, 2, 0, null));
        s.event(task("task-failed", "b", "w1@h", T0 + 1, 3));
        s.clearTasks(true);
        assertThat(ids(s.tasks())).containsExactly("a");
        s.clearTasks(false);
        assertThat(s.tasks()).isEmpty();
        assertThat(s.workers()).hasSize(1);
        assertThat(s.eventCount()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------------------
    // listeners

    @Test
    void required_nodeListenersHearJoinsAndLeaves() {
        EventState s = state();
        List<String> heard = new CopyOnWriteArrayList<>();
        EventState.Subscription join = s.onNodeJoin(w -> heard.add("join " + w.hostname()));
        s.onNodeLeave(w -> heard.add("leave " + w.hostname()));
        s.onNodeJoin(w -> {
            throw new IllegalStateException("a broken listener does not stop the others");
        });
        s.event(worker("worker-heartbeat", "w1@h", T0, 1)); // first seen
        s.event(worker("worker-heartbeat", "w1@h", T0 + 2, 2)); // known: nothing
        s.event(task("task-started", "t1", "w2@h", T0 + 3, 3)); // first seen through a task event
        s.event(worker("worker-offline", "w1@h", T0 + 4, 4));
        s.event(worker("worker-online", "w1@h", T0 + 5, 5)); // online always joins
        join.close();
        join.close();
        s.event(worker("worker-online", "w3@h", T0 + 6, 1));
        assertThat(heard).containsExactly("join w1@h", "join w2@h", "leave w1@h", "join w1@h");
        assertThat(s.worker("w3@h")).isPresent();
    }

    // ------------------------------------------------------------------------------------------
    // views, snapshots, freezing

    @Test
    void required_viewsAndSnapshotsAreFrozen() {
        MutableClock clock = MutableClock.atEpochSeconds(T0 + 1);
        EventState s = state(clock);
        s.event(worker("worker-online", "w1@h", T0, 1));
        s.event(received("t1", "w1@h", T0, 2, 0, null));
        TaskInfo view = get(s, "t1");
        EventStateSnapshot snap = s.snapshot();
        s.event(task("task-succeeded", "t1", "w1@h", T0 + 1, 3, "result", "1"));
        s.event(received("t2", "w1@h", T0 + 2, 4, 0, null));
        assertThat(view.state()).isEqualTo(TaskState.RECEIVED);
        assertThat(snap.task("t1").orElseThrow().state()).isEqualTo(TaskState.RECEIVED);
        assertThat(snap.tasks()).containsOnlyKeys("t1");
        assertThat(snap.eventCount()).isEqualTo(2);
        assertThat(snap.taskCount()).isEqualTo(1);
        assertThat(snap.takenAt()).isEqualTo(clock.instant());
        assertThat(snap.aliveWorkers()).extracting(WorkerInfo::hostname).containsExactly("w1@h");
        assertThat(s.snapshot().tasksByTime()).containsExactly("t2", "t1");

        Map<String, Object> doc = s.snapshot().toCeleryDict();
        assertThat(doc).containsKeys("timestamp", "event_count", "task_count", "workers", "tasks", "tasks_by_time",
                "task_types");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> tasks = (Map<String, Map<String, Object>>) doc.get("tasks");
        assertThat(tasks.keySet()).containsExactly("t2", "t1");
        assertThat(tasks.get("t1")).containsEntry("state", "SUCCESS").containsEntry("worker", "w1@h")
                .containsEntry("root", "t1").containsKeys("uuid", "name", "received", "children", "clock");
        @SuppressWarnings("unchecked")
        Map<String, Object> newestOnly = (Map<String, Object>) s.snapshot().toCeleryDict(1).get("tasks");
        assertThat(newestOnly).containsOnlyKeys("t2");
    }

    @Test
    void required_freezeWhileHoldsEventsBack() throws Exception {
        EventState s = state();
        s.event(received("t1", "w1@h", T0, 1, 0, null));
        AtomicLong seenInside = new AtomicLong();
        Thread[] writer = new Thread[1];
        long result = s.freezeWhile(frozen -> {
            writer[0] = new Thread(() -> s.event(task("task-started", "t1", "w1@h", T0 + 1, 2)), "kit-writer");
            writer[0].start();
            await().atMost(Tck.timeout(Duration.ofSeconds(10))).until(() ->
                    writer[0].getState() == Thread.State.WAITING || writer[0].getState() == Thread.State.BLOCKED
                            || writer[0].getState() == Thread.State.TIMED_WAITING);
            seenInside.set(frozen.eventCount());
            assertThat(frozen.task("t1").orElseThrow().state()).isEqualTo(TaskState.RECEIVED);
            frozen.event(received("t2", "w1@h", T0 + 0.5, 3, 0, null)); // the freezing thread may apply
            return frozen.eventCount();
        });
        writer[0].join(TimeUnit.SECONDS.toMillis(10));
        assertThat(seenInside.get()).isEqualTo(1);
        assertThat(result).isEqualTo(2);
        assertThat(s.eventCount()).isEqualTo(3);
        assertThat(get(s, "t1").state()).isEqualTo(TaskState.STARTED);
    }

    @Test
    void required_readersSeeConsistentStatesWhileAWriterRuns() throws Exception {
        EventState s = state();
        int tasks = 1500;
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        Thread writer = new Thread(() -> {
            try {
                long c = 1;
                for (int i = 0; i < tasks; i++) {
                    String id = "t" + i;
                    s.event(received(id, "w" + (i % 4) + "@h", T0 + i, c++, 0, null));
                    s.event(task("task-started", id, "w" + (i % 4) + "@h", T0 + i + 0.1, c++));
                    s.event(task("task-succeeded", id, "w" + (i % 4) + "@h", T0 + i + 0.2, c++, "result",
                            "'" + id + "'", "runtime", 0.2));
                }
            } catch (RuntimeException e) {
                problems.add("writer: " + e);
            } finally {
                done.set(true);
            }
        }, "kit-writer");
        AtomicInteger snapshots = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            int reader = r;
            readers.add(new Thread(() -> {
                long deadline = System.nanoTime() + Tck.timeout(Duration.ofSeconds(60)).toNanos();
                for (int round = 0; round < 100_000 && System.nanoTime() < deadline; round++) {
                    boolean last = done.get();
                    EventStateSnapshot snap = s.snapshot();
                    snapshots.incrementAndGet();
                    long stages = 0;
                    for (TaskInfo t : snap.tasks().values()) {
                        stages += t.state().equals(TaskState.SUCCESS) ? 3 : t.state().equals(TaskState.STARTED) ? 2 : 1;
                        if (t.state().equals(TaskState.SUCCESS) && !("'" + t.uuid() + "'").equals(t.result())) {
                            problems.add("a SUCCESS task without its result: " + t);
                        }
                    }
                    if (stages != snap.eventCount()) {
                        problems.add("torn snapshot: " + stages + " task stages for " + snap.eventCount() + " events");
                    }
                    if (snap.taskCount() != snap.tasks().size()) {
                        problems.add("torn snapshot: task count " + snap.taskCount() + " for " + snap.tasks().size());
                    }
                    List<TaskInfo> newest = s.tasksByTime(5);
                    for (int i = 1; i < newest.size(); i++) {
                        if (newest.get(i - 1).clock() < newest.get(i).clock()) {
                            problems.add("tasksByTime out of order: " + ids(newest));
                        }
                    }
                    s.task("t" + (round * 7 + reader) % tasks).ifPresent(t -> {
                        if (t.state().equals(TaskState.SUCCESS) && t.succeeded() == null) {
                            problems.add("SUCCESS without its time: " + t);
                        }
                    });
                    if (last || !problems.isEmpty()) {
                        break;
                    }
                }
            }, "kit-reader-" + r));
        }
        writer.start();
        readers.forEach(Thread::start);
        writer.join(Tck.timeout(Duration.ofSeconds(60)).toMillis());
        for (Thread r : readers) {
            r.join(Tck.timeout(Duration.ofSeconds(60)).toMillis());
        }
        assertThat(writer.isAlive()).isFalse();
        assertThat(problems).isEmpty();
        assertThat(snapshots.get()).isPositive();
        assertThat(s.eventCount()).isEqualTo(3L * tasks);
        assertThat(s.tasks()).hasSize(tasks).allSatisfy(t -> assertThat(t.state()).isEqualTo(TaskState.SUCCESS));
    }

    // ------------------------------------------------------------------------------------------
    // closing

    @Test
    void required_aClosedStateRaisesAndClosingTwiceIsHarmless() {
        EventState s = fixture.open(EventStateOptions.defaults());
        s.event(received("t1", "w1@h", T0, 1, 0, null));
        s.close();
        s.close();
        assertThatThrownBy(() -> s.event(received("t2", "w1@h", T0, 2, 0, null)))
                .isInstanceOf(EventStateClosedException.class);
        assertThatThrownBy(s::tasks).isInstanceOf(EventStateClosedException.class);
        assertThatThrownBy(s::snapshot).isInstanceOf(EventStateClosedException.class);
    }
}
