package io.celeriac.events.state;

import io.celeriac.events.Event;
import io.celeriac.events.EventReceiverRules;
import io.celeriac.json.CeleryJson;
import io.celeriac.state.LamportClock;
import io.celeriac.tck.CeleryStateComparison;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EventReceiverRules} against Celery's own {@code EventReceiver} ({@code event_from_message} through
 * {@code _receive}, as kombu calls it): the same message bodies, received at the same instant in the same
 * time zone, must give the same events, field for field, and leave the same Lamport clock.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class EventReceiverRulesInteropTest {

    @Parameter
    CeleryVersion celery;

    @TempDir
    Path tmp;

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static List<Object> bodies() {
        double ts = 1_795_263_402.3010232;
        List<Object> b = new ArrayList<>();
        b.add(body("hostname", "gen9913@vm", "utcoffset", 0L, "pid", 9913L, "clock", 1L, "uuid", "t1",
                "name", "interop_tasks.add", "timestamp", ts, "type", "task-sent"));
        b.add(List.of(body("hostname", "interop1@vm", "utcoffset", -6L, "pid", 9822L, "clock", 7L, "uuid", "t1",
                "timestamp", ts + 0.002, "type", "task-received"),
                body("hostname", "interop1@vm", "utcoffset", -6L, "pid", 9822L, "clock", 8L, "uuid", "t1",
                        "timestamp", ts + 0.01, "type", "task-started")));
        b.add(List.of());
        b.add(body("hostname", "interop1@vm", "utcoffset", 5L, "pid", 9822L, "freq", 2.0, "timestamp", ts + 1,
                "type", "worker-heartbeat"));
        b.add(body("hostname", "gen9913@vm", "utcoffset", 0L, "pid", 9913L, "clock", 900L, "uuid", "t2",
                "timestamp", ts + 2, "type", "task-sent"));
        b.add(body("hostname", "interop1@vm", "pid", 9822L, "clock", 30L, "uuid", "t2", "timestamp", ts + 3,
                "type", "task-succeeded", "result", "5", "runtime", 0.0139));
        b.add(body("hostname", "interop1@vm", "utcoffset", -1L, "clock", 2L, "type", "worker-offline"));
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Asia/Kolkata", "America/New_York", "UTC"})
    void javaReceivesAsCeleryDoes(String zone) throws Exception {
        // The receiver computes local_received from this very instant, so both sides hold the same double.
        Instant now = Instant.now();
        double nowSeconds = now.getEpochSecond() + now.getNano() / 1e9;
        List<Object> bodies = bodies();
        Path input = tmp.resolve("bodies.json");
        Files.write(input, CeleryJson.encode(bodies));
        List<String> lines = PythonPeer.of(celery).run(PythonCelery.resource(getClass(), "receiver_rules.py"),
                Tck.timeout(Duration.ofSeconds(60)), Map.of("TZ", zone), input.toString(),
                String.valueOf(nowSeconds)).assertSuccess().lines();
        List<Object> python = new ArrayList<>();
        for (String line : lines) {
            python.add(CeleryJson.decode(line));
        }

        EventReceiverRules rules = new EventReceiverRules(new LamportClock(),
                Clock.fixed(now, ZoneOffset.UTC),
                ZoneId.of(zone), true);
        List<Object> java = new ArrayList<>();
        for (Object body : bodies) {
            EventReceiverRules.Batch batch = rules.receiveBody(body);
            assertThat(batch.problems()).isEmpty();
            for (Event e : batch.events()) {
                java.add(e.fields());
            }
        }
        java.add(Map.of("clock", rules.clock().value()));

        assertThat(CeleryStateComparison.normalise(java)).as("events and clock, receiver in %s", zone)
                .isEqualTo(CeleryStateComparison.normalise(python));
        assertThat(java).hasSize(8);
    }
}
