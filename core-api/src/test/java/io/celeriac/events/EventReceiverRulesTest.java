package io.celeriac.events;

import io.celeriac.state.LamportClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventReceiverRulesTest {

    private static final Instant NOW = Instant.ofEpochSecond(1_795_263_400L, 250_000_000);

    private static EventReceiverRules rules(ZoneId zone, boolean localize) {
        return new EventReceiverRules(new LamportClock(), Clock.fixed(NOW, ZoneOffset.UTC), zone, localize);
    }

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void taskSentGetsTheReceiversClockMinusOne() {
        EventReceiverRules r = rules(ZoneOffset.UTC, true);
        Event first = r.receive(body("type", "task-sent", "clock", 500L));
        assertThat(first.clock()).as("(0 or 1) - 1").isZero();
        assertThat(r.clock().value()).isEqualTo(1);
        r.receive(body("type", "task-started", "clock", 41L));
        assertThat(r.clock().value()).as("adjusted: max(1, 41) + 1").isEqualTo(42);
        Event sent = r.receive(body("type", "task-sent", "clock", 3L));
        assertThat(sent.clock()).isEqualTo(41);
        assertThat(r.clock().value()).isEqualTo(43);
    }

    @Test
    void aMissingClockIsForwardedAndAPresentOneAdjusts() {
        EventReceiverRules r = rules(ZoneOffset.UTC, true);
        Event e = r.receive(body("type", "worker-heartbeat", "hostname", "w@h"));
        assertThat(e.clock()).isEqualTo(1);
        Event bad = r.receive(body("type", "worker-heartbeat", "clock", "soon"));
        assertThat(bad.clock()).as("a clock that is not a number is replaced").isEqualTo(2);
        r.receive(body("type", "task-succeeded", "clock", 10L));
        assertThat(r.clock().value()).isEqualTo(11);
        assertThat(r.receive(body("type", "task-succeeded", "clock", 5L)).clock()).as("kept as sent").isEqualTo(5);
        assertThat(r.clock().value()).isEqualTo(12);
    }

    @Test
    void localReceivedIsTheWallClock() {
        Event e = rules(ZoneOffset.UTC, true).receive(body("type", "task-started", "clock", 1L));
        assertThat(e.localReceived()).isEqualTo(1_795_263_400.25);
        assertThat(e.fields().keySet()).containsExactly("type", "clock", "local_received");
    }

    @Test
    void timestampsAreLocalisedAsCeleryDoes() {
        // receiver in UTC+2: its utcoffset is -2; a sender in UTC has 0
        EventReceiverRules r = rules(ZoneOffset.ofHours(2), true);
        Event e = r.receive(body("type", "task-started", "clock", 1L, "utcoffset", 0L, "timestamp", 1000.5));
        assertThat(e.timestamp()).isEqualTo(1000.5 - 2 * 3600);
        Event same = r.receive(body("type", "task-started", "clock", 1L, "utcoffset", -2L, "timestamp", 1000.5));
        assertThat(same.timestamp()).isEqualTo(1000.5);
        Event noOffset = r.receive(body("type", "task-started", "clock", 1L, "timestamp", 1000.5));
        assertThat(noOffset.timestamp()).isEqualTo(1000.5);
        Event off = rules(ZoneOffset.ofHours(2), false)
                .receive(body("type", "task-started", "clock", 1L, "utcoffset", 0L, "timestamp", 1000.5));
        assertThat(off.timestamp()).as("localisation turned off").isEqualTo(1000.5);
    }

    @Test
    void utcoffsetIsHoursWestFlooredWithDaylightSavingTime() {
        Instant january = Instant.parse("2026-01-15T12:00:00Z");
        Instant july = Instant.parse("2026-07-15T12:00:00Z");
        assertThat(EventReceiverRules.utcoffset(ZoneOffset.UTC, january)).isZero();
        assertThat(EventReceiverRules.utcoffset(ZoneId.of("Europe/Berlin"), january)).isEqualTo(-1);
        assertThat(EventReceiverRules.utcoffset(ZoneId.of("Europe/Berlin"), july)).isEqualTo(-2);
        assertThat(EventReceiverRules.utcoffset(ZoneId.of("America/New_York"), january)).isEqualTo(5);
        assertThat(EventReceiverRules.utcoffset(ZoneId.of("America/New_York"), july)).isEqualTo(4);
        assertThat(EventReceiverRules.utcoffset(ZoneId.of("Asia/Kolkata"), july)).as("-5.5 floored").isEqualTo(-6);
        assertThat(EventReceiverRules.adjustTimestamp(100.0, 0, -6)).isEqualTo(100.0 - 21600);
    }

    @Test
    void bodiesAreSingleEventsOrBatches() {
        EventReceiverRules r = rules(ZoneOffset.UTC, true);
        EventReceiverRules.Batch one = r.receiveBody(body("type", "task-started", "clock", 1L));
        assertThat(one.events()).hasSize(1);
        assertThat(one.problems()).isEmpty();
        EventReceiverRules.Batch empty = r.receiveBody(List.of());
        assertThat(empty.events()).isEmpty();
        assertThat(empty.problems()).isEmpty();
        EventReceiverRules.Batch mixed = r.receiveBody(List.of(body("type", "task-received", "clock", 2L),
                "not an event", body("clock", 3L), body("type", "task-started", "clock", 4L)));
        assertThat(mixed.events()).extracting(Event::type).containsExactly("task-received", "task-started");
        assertThat(mixed.problems()).containsExactly("batch element 1 is not a JSON object",
                "batch element 2 it has no \"type\"");
        assertThat(r.receiveBody(42L).problems()).singleElement().asString().contains("not an event object");
        EventReceiverRules.Batch json = r.receiveJson(
                "[{\"type\": \"task-started\", \"clock\": 9, \"uuid\": \"x\"}]".getBytes(StandardCharsets.UTF_8));
        assertThat(json.events()).singleElement().satisfies(e -> assertThat(e.uuid()).isEqualTo("x"));
        assertThat(r.receiveJson("{oops".getBytes(StandardCharsets.UTF_8)).problems()).singleElement().asString()
                .startsWith("the body is not JSON");
    }

    @Test
    void theCallersMapIsNotModifiedAndATypeIsRequired() {
        EventReceiverRules r = rules(ZoneOffset.UTC, true);
        Map<String, Object> b = new HashMap<>(body("type", "task-sent", "clock", 9L));
        r.receive(b);
        assertThat(b).containsOnlyKeys("type", "clock").containsEntry("clock", 9L);
        assertThatThrownBy(() -> r.receive(body("clock", 1L))).isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("no \"type\"");
        assertThatThrownBy(() -> r.receive(body("type", 5L))).isInstanceOf(MalformedEventException.class);
    }
}
