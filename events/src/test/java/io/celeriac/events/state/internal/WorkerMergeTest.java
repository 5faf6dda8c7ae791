package io.celeriac.events.state.internal;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Celery's {@code Worker.event} field rule: every field carried is set, the envelope is skipped. */
class WorkerMergeTest {

    private final WorkerMerge merge = new WorkerMerge();

    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void everyFieldCarriedIsSetAndTheEnvelopeIsSkipped() {
        WorkerNode w = new WorkerNode("w1@h");
        merge.merge(w, fields("hostname", "other", "type", "worker-heartbeat", "timestamp", 1.0,
                "local_received", 2.0, "utcoffset", 0, "heartbeats", List.of(1.0),
                "pid", 42, "freq", 2.0, "clock", 7L, "active", 1, "processed", 10, "loadavg", List.of(0.5, 0.25, 0.0),
                "sw_ident", "py-celery", "sw_ver", "5.2.6", "sw_sys", "Linux", "custom", "x"));

        assertThat(w.hostname).isEqualTo("w1@h");
        assertThat(w.pid).isEqualTo(42);
        assertThat(w.id()).isEqualTo("w1@h.42");
        assertThat(w.freq).isEqualTo(2.0);
        assertThat(w.clock).isEqualTo(7L);
        assertThat(w.active).isEqualTo(1);
        assertThat(w.processed).isEqualTo(10);
        assertThat(w.loadavg).containsExactly(0.5, 0.25, 0.0);
        assertThat(w.swIdent).isEqualTo("py-celery");
        assertThat(w.swVer).isEqualTo("5.2.6");
        assertThat(w.swSys).isEqualTo("Linux");
        assertThat(w.heartbeatCount).as("the heartbeat list is the model's").isZero();
        assertThat(w.extra.view()).containsOnlyKeys("custom");
    }

    @Test
    void aValueOfTheWrongTypeIsIgnored() {
        WorkerNode w = new WorkerNode("w1@h");
        merge.merge(w, fields("pid", 42, "freq", 2.0, "clock", 7L, "active", 1, "processed", 10,
                "loadavg", List.of(0.5)));
        merge.merge(w, fields("pid", "42", "freq", null, "clock", "7", "active", "1", "processed", "10",
                "loadavg", List.of("high")));
        assertThat(w.pid).isEqualTo(42);
        assertThat(w.freq).isEqualTo(2.0);
        assertThat(w.clock).isEqualTo(7L);
        assertThat(w.active).isEqualTo(1);
        assertThat(w.processed).isEqualTo(10);
        assertThat(w.loadavg).containsExactly(0.5);
        assertThat(w.extra).isNull();
    }

    @Test
    void nullClearsTheFieldsThatMayBeNull() {
        WorkerNode w = new WorkerNode("w1@h");
        merge.merge(w, fields("pid", 42, "clock", 7L, "active", 1, "loadavg", List.of(0.5), "sw_ver", "5"));
        merge.merge(w, fields("pid", null, "clock", null, "active", null, "loadavg", null, "sw_ver", null));
        assertThat(w.pid).isNull();
        assertThat(w.id()).isEqualTo("w1@h.None");
        assertThat(w.clock).isZero();
        assertThat(w.active).isNull();
        assertThat(w.loadavg).isNull();
        assertThat(w.swVer).isNull();
    }

    @Test
    void extrasKeepTheOrderFirstSeenAndTheLatestValue() {
        WorkerNode w = new WorkerNode("w1@h");
        merge.merge(w, fields("b", 1, "a", 2));
        merge.merge(w, fields("a", 3, "c", null));
        Map<String, Object> extra = w.extra.view();
        assertThat(extra.keySet()).containsExactly("b", "a", "c");
        assertThat(extra).containsEntry("b", 1).containsEntry("a", 3).containsEntry("c", null);
    }

    @Test
    void mergingDropsTheCachedView() {
        WorkerNode w = new WorkerNode("w1@h");
        merge.merge(w, fields("pid", 1));
        assertThat(w.view(0).pid()).isEqualTo(1);
        merge.merge(w, fields());
        assertThat(w.view).isNull();
    }
}
