package io.celeriac.events.spi;

import io.celeriac.events.EventReceiverRules;
import io.celeriac.state.LamportClock;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class AbstractEventDispatcherTest {

    private static final Instant NOW = Instant.ofEpochSecond(1_795_263_400L, 250_000_000);
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final String HOST = "java1@dispatcher-test";

    /** Records every published event in memory. */
    static final class Recording extends AbstractEventDispatcher {
        final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
        final List<String> types = new CopyOnWriteArrayList<>();
        final AtomicInteger transportCloses = new AtomicInteger();
        final AtomicBoolean failHeartbeats = new AtomicBoolean();
        final List<RuntimeException> heartbeatFailures = new CopyOnWriteArrayList<>();

        Recording(TestBuilder b) {
            super(b, "memory://test");
        }

        @Override
        protected void publish(String type, Map<String, Object> event) {
            if (failHeartbeats.get() && type.equals("worker-heartbeat")) {
                throw new IllegalStateException("no heartbeat today");
            }
            types.add(type);
            events.add(event);
        }

        @Override
        protected void closeTransport() {
            transportCloses.incrementAndGet();
        }

        @Override
        protected void heartbeatFailed(RuntimeException e) {
            heartbeatFailures.add(e);
        }

        long count(String type) {
            return types.stream().filter(type::equals).count();
        }
    }

    static final class TestBuilder extends AbstractEventDispatcher.BaseBuilder<TestBuilder> {
        Recording build() {
            return new Recording(this);
        }
    }

    private static TestBuilder builder() {
        return new TestBuilder().hostname(HOST).pid(4242).wallClock(Clock.fixed(NOW, ZoneOffset.UTC), PARIS);
    }

    private static List<String> keys(Map<String, Object> event) {
        return new ArrayList<>(event.keySet());
    }

    private static final List<String> HEAD = List.of("hostname", "utcoffset", "pid", "clock");

    private static List<String> expected(String... own) {
        List<String> out = new ArrayList<>(HEAD);
        out.addAll(List.of(own));
        out.add("timestamp");
        out.add("type");
        return out;
    }

    @Test
    void commonFieldsComeFirstThenOwnFieldsThenTimestampAndType() {
        LamportClock clock = new LamportClock(10);
        try (Recording d = builder().clock(clock).build()) {
            Map<String, Object> e = d.send("custom-event", Map.of("x", 1));
            assertThat(keys(e)).containsExactly("hostname", "utcoffset", "pid", "clock", "x", "timestamp", "type");
            assertThat(e).containsEntry("hostname", HOST)
                    .containsEntry("utcoffset", EventReceiverRules.utcoffset(PARIS, NOW))
                    .containsEntry("pid", 4242L)
                    .containsEntry("clock", 11L)
                    .containsEntry("x", 1)
                    .containsEntry("timestamp", 1_795_263_400.25)
                    .containsEntry("type", "custom-event");
            assertThat(e.get("utcoffset")).isEqualTo(-1);
            assertThat(d.events).containsExactly(e);
            assertThat(d.types).containsExactly("custom-event");
            assertThat(d.hostname()).isEqualTo(HOST);
            assertThat(d.clock()).isSameAs(clock);
            assertThat(d.location()).isEqualTo("memory://test");
        }
    }

    @Test
    void givenTimestampIsKeptAndTypeMovesToTheEnd() {
        try (Recording d = builder().build()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("type", "ignored");
            fields.put("timestamp", 12.5);
            fields.put("y", "z");
            Map<String, Object> e = d.send("task-custom", fields);
            assertThat(keys(e)).containsExactly("hostname", "utcoffset", "pid", "clock", "timestamp", "y", "type");
            assertThat(e).containsEntry("timestamp", 12.5).containsEntry("type", "task-custom");
        }
    }

    @Test
    void everyTaskEventHasCeleryFieldsInOrderAndTheClockAdvancesByOne() {
        LamportClock clock = new LamportClock();
        try (Recording d = builder().clock(clock).build()) {
            Map<String, Object> sent = d.taskSent("id1", "tasks.add", "(2, 3)", "{}", "celery");
            assertThat(keys(sent)).isEqualTo(expected("uuid", "root_id", "parent_id", "name", "args", "kwargs",
                    "retries", "eta", "expires", "queue", "exchange", "routing_key"));
            assertThat(sent).containsEntry("uuid", "id1").containsEntry("root_id", "id1")
                    .containsEntry("parent_id", null).containsEntry("name", "tasks.add")
                    .containsEntry("args", "(2, 3)").containsEntry("kwargs", "{}").containsEntry("retries", 0)
                    .containsEntry("eta", null).containsEntry("expires", null).containsEntry("queue", "celery")
                    .containsEntry("exchange", "").containsEntry("routing_key", "celery")
                    .containsEntry("type", "task-sent");

            Map<String, Object> received = d.taskReceived("id1", "tasks.add", "(2, 3)", "{}", 1);
            assertThat(keys(received)).isEqualTo(expected("uuid", "name", "args", "kwargs", "root_id", "parent_id",
                    "retries", "eta", "expires"));
            assertThat(received).containsEntry("retries", 1).containsEntry("type", "task-received");

            Map<String, Object> started = d.taskStarted("id1");
            assertThat(keys(started)).isEqualTo(expected("uuid"));
            assertThat(started).containsEntry("type", "task-started");

            Map<String, Object> succeeded = d.taskSucceeded("id1", "5", 0.25);
            assertThat(keys(succeeded)).isEqualTo(expected("uuid", "result", "runtime"));
            assertThat(succeeded).containsEntry("result", "5").containsEntry("runtime", 0.25)
                    .containsEntry("type", "task-succeeded");

            Map<String, Object> failed = d.taskFailed("id2", "ValueError('boom')", "Traceback...");
            assertThat(keys(failed)).isEqualTo(expected("uuid", "exception", "traceback"));
            assertThat(failed).containsEntry("exception", "ValueError('boom')")
                    .containsEntry("traceback", "Traceback...").containsEntry("type", "task-failed");

            Map<String, Object> retried = d.taskRetried("id3", "Retry('in 1s')", "tb");
            assertThat(keys(retried)).isEqualTo(expected("uuid", "exception", "traceback"));
            assertThat(retried).containsEntry("type", "task-retried");

            Map<String, Object> revoked = d.taskRevoked("id4", true, "SIGTERM", false);
            assertThat(keys(revoked)).isEqualTo(expected("uuid", "terminated", "signum", "expired"));
            assertThat(revoked).containsEntry("terminated", true).containsEntry("signum", "SIGTERM")
                    .containsEntry("expired", false).containsEntry("type", "task-revoked");

            assertThat(d.types).containsExactly("task-sent", "task-received", "task-started", "task-succeeded",
                    "task-failed", "task-retried", "task-revoked");
            assertThat(d.events).extracting(e -> e.get("clock")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(clock.value()).isEqualTo(7L);
        }
    }

    @Test
    void workerEventCarriesFreqActiveProcessedAndSoftware() {
        try (Recording d = builder().heartbeatInterval(Duration.ofMillis(1500)).build()) {
            d.taskReceived("a", "t", "()", "{}", 0);
            d.taskReceived("a", "t", "()", "{}", 0);
            d.taskReceived("b", "t", "()", "{}", 0);
            Map<String, Object> busy = d.workerEvent("worker-heartbeat");
            assertThat(keys(busy)).isEqualTo(expected("freq", "active", "processed", "loadavg", "sw_ident",
                    "sw_ver", "sw_sys"));
            assertThat(busy).containsEntry("freq", 1.5).containsEntry("active", 2).containsEntry("processed", 2L)
                    .containsEntry("sw_ident", AbstractEventDispatcher.SW_IDENT).containsEntry("sw_ident", "celeriac")
                    .containsEntry("sw_sys", System.getProperty("os.name", "unknown"))
                    .containsEntry("type", "worker-heartbeat");
            assertThat(busy.get("sw_ver")).isInstanceOf(String.class);
            assertThat((List<?>) busy.get("loadavg")).hasSize(3).allSatisfy(v -> assertThat(v).isInstanceOf(Double.class));

            d.taskSucceeded("a", "1", 0.1);
            d.taskRevoked("b", false, null, true);
            Map<String, Object> idle = d.workerEvent("worker-heartbeat");
            assertThat(idle).containsEntry("active", 0).containsEntry("processed", 2L);
        }
    }

    @Test
    void heartbeatSendsOnlineThenHeartbeatsAndCloseSendsOfflineAndStopsTheTimer() {
        Recording d = builder().heartbeatInterval(Duration.ofMillis(5)).build();
        d.startHeartbeat();
        assertThat(d.types.get(0)).isEqualTo("worker-online");
        await().atMost(Duration.ofSeconds(5)).until(() -> d.count("worker-heartbeat") >= 3);
        assertThatThrownBy(d::startHeartbeat).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");

        d.close();
        assertThat(d.types.get(d.types.size() - 1)).isEqualTo("worker-offline");
        assertThat(d.count("worker-online")).isEqualTo(1);
        assertThat(d.count("worker-offline")).isEqualTo(1);
        assertThat(d.transportCloses).hasValue(1);
        // the timer is shut down by close(); its thread ends once the scheduler lets it go
        await().atMost(Duration.ofSeconds(5)).until(() -> !heartbeatThreadAlive());
        int after = d.events.size();

        d.close();
        assertThat(d.events).hasSize(after);
        assertThat(d.transportCloses).hasValue(1);
        assertThatThrownBy(() -> d.taskStarted("x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("memory://test").hasMessageContaining("closed");
        assertThatThrownBy(d::startHeartbeat).isInstanceOf(IllegalStateException.class);
        assertThat(d.events).hasSize(after);
        // the clock values are strictly increasing across timer and caller threads
        assertThat(d.events).extracting(e -> (Long) e.get("clock")).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void closeWithoutHeartbeatSendsNothing() {
        Recording d = builder().build();
        d.close();
        d.close();
        assertThat(d.events).isEmpty();
        assertThat(d.transportCloses).hasValue(1);
    }

    @Test
    void aFailingHeartbeatIsReportedAndTheTimerGoesOn() {
        try (Recording d = builder().heartbeatInterval(Duration.ofMillis(5)).build()) {
            d.failHeartbeats.set(true);
            d.startHeartbeat();
            await().atMost(Duration.ofSeconds(5)).until(() -> d.heartbeatFailures.size() >= 2);
            d.failHeartbeats.set(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> d.count("worker-heartbeat") >= 1);
            assertThat(d.heartbeatFailures.get(0)).hasMessage("no heartbeat today");
        }
    }

    @Test
    void builderChecksItsArguments() {
        TestBuilder b = new TestBuilder();
        assertThatThrownBy(() -> b.heartbeatInterval(Duration.ofNanos(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> b.hostname(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.clock(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.wallClock(Clock.systemUTC(), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.options(null)).isInstanceOf(NullPointerException.class);
        assertThat(AbstractEventDispatcher.DEFAULT_FREQ).isEqualTo(Duration.ofSeconds(2));
        try (Recording d = b.build()) {
            assertThat(d.hostname()).startsWith("celeriac" + ProcessHandle.current().pid() + "@");
            assertThat(d.workerEvent("worker-online")).containsEntry("freq", 2.0)
                    .containsEntry("pid", ProcessHandle.current().pid());
            assertThatThrownBy(() -> d.send(null, Map.of())).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> d.send("x", null)).isInstanceOf(NullPointerException.class);
        }
    }

    private static boolean heartbeatThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("celeriac-heartbeat-" + HOST) && t.isAlive());
    }
}
