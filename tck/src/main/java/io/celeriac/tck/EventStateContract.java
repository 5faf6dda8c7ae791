package io.celeriac.tck;

import io.celeriac.backend.TaskState;
import io.celeriac.events.Event;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.TaskInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance kit for event states: extend it and implement {@link #createState(EventStateOptions)}.
 *
 * <p>It checks Celery's {@code State} semantics on hand-built event streams.
 */
public abstract class EventStateContract {

    private final List<EventState> created = new ArrayList<>();

    /**
     * Creates a fresh, empty state.
     *
     * @param options limits and clock
     * @return the state; the kit closes it
     */
    protected abstract EventState createState(EventStateOptions options);

    /**
     * Creates a state with Celery's defaults, closed after the test.
     *
     * @return the state
     */
    protected final EventState state() {
        EventState s = createState(EventStateOptions.defaults());
        created.add(s);
        return s;
    }

    @AfterEach
    final void closeStates() {
        created.forEach(EventState::close);
        created.clear();
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
}
