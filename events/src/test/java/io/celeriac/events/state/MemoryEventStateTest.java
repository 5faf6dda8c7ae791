package io.celeriac.events.state;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;
import io.celeriac.events.state.internal.MemoryEventState;
import io.celeriac.registry.ProviderInfo;
import io.celeriac.tck.MutableClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the kit does not check: memory:// URLs, view caching, bounds, listeners reading the state. */
class MemoryEventStateTest {

    private static final double T0 = 1_795_263_400.0;
    private static final Celeriac CELERIAC = Celeriac.discover();

    @Test
    void theUrlsQueryOverridesTheOptions() {
        try (EventState s = CELERIAC.openEventState(
                "memory://?max_tasks_in_memory=3&max_workers_in_memory=2&forget_offline_workers=yes",
                EventStateOptions.defaults())) {
            assertThat(s).isInstanceOf(MemoryEventState.class);
            assertThat(s.options().maxTasksInMemory()).isEqualTo(3);
            assertThat(s.options().maxWorkersInMemory()).isEqualTo(2);
            assertThat(s.options().forgetOfflineWorkers()).isTrue();
            for (int i = 0; i < 5; i++) {
                s.event(Ev.task("task-received", "t" + i, "w@h", T0 + i, i + 1).build());
            }
            assertThat(s.tasks()).hasSize(3);
        }
        assertThatThrownBy(() -> CELERIAC.openEventState("memory://?max_tasks=5&max_workers_in_memory=x&"
                + "max_tasks_in_memory=0", EventStateOptions.defaults()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("memory://")
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).problems()).hasSize(3))
                .hasMessageContaining("unknown query parameter 'max_tasks'")
                .hasMessageContaining("max_workers_in_memory must be an integer")
                .hasMessageContaining("max_tasks_in_memory must be an integer from 1 to 536870911, not '0'");
        assertThat(CELERIAC.eventStates().providers()).extracting(ProviderInfo::schemes)
                .anySatisfy(schemes -> assertThat(schemes).contains("memory"));
    }

    @Test
    void unchangedRecordsAreReadAsTheSameView() {
        MutableClock clock = MutableClock.atEpochSeconds(T0);
        try (MemoryEventState s = new MemoryEventState(EventStateOptions.builder().clock(clock).build())) {
            s.event(Ev.worker("worker-online", "w@h", 1, T0, 1).build());
            s.event(Ev.task("task-received", "t1", "w@h", T0, 2).build());
            s.event(Ev.task("task-received", "t2", "w@h", T0, 3).build());
            TaskInfo t1 = s.task("t1").orElseThrow();
            WorkerInfo w = s.worker("w@h").orElseThrow();
            s.event(Ev.task("task-started", "t2", "w@h", T0 + 1, 4).build());
            assertThat(s.task("t1").orElseThrow()).isSameAs(t1);
            assertThat(s.tasks().get(0)).isSameAs(t1);
            assertThat(s.task("t2").orElseThrow().started()).isEqualTo(T0 + 1);
            assertThat(s.worker("w@h").orElseThrow()).as("task events beat the worker's heart").isNotSameAs(w);
            WorkerInfo alive = s.worker("w@h").orElseThrow();
            assertThat(s.worker("w@h").orElseThrow()).isSameAs(alive);
            clock.advanceSeconds(100);
            assertThat(s.worker("w@h").orElseThrow().alive()).as("rebuilt when expiry flips").isFalse();
            assertThat(alive.alive()).as("an old view stays as it was").isTrue();
        }
    }

    @Test
    void childrenWaitingForParentsAndTheTimeIndexAreBounded() {
        try (MemoryEventState s = new MemoryEventState(EventStateOptions.builder().maxTasksInMemory(10).build())) {
            for (int i = 0; i < 500; i++) {
                s.event(Ev.task("task-received", "c" + i, "w@h", T0 + i, i + 1).put("parent_id", "ghost" + i).build());
                s.event(Ev.task("task-started", "c" + i, "w@h", T0 + i, i + 1).build());
                assertThat(s.pendingChildren()).isLessThanOrEqualTo(10);
                assertThat(s.timeIndexSize()).isLessThanOrEqualTo(40);
            }
            assertThat(s.pendingChildren()).isEqualTo(10);
            assertThat(s.timeIndexSize()).isEqualTo(40);
            s.event(Ev.task("task-sent", "ghost499", "gen@h", T0 + 600, 1000).build());
            assertThat(s.task("ghost499").orElseThrow().children()).containsExactly("c499");
            // creating ghost499 evicted the oldest waiting child (c490), and c499 found its parent
            assertThat(s.pendingChildren()).isEqualTo(8);
            s.clear(false);
            assertThat(s.pendingChildren()).isZero();
            assertThat(s.timeIndexSize()).isZero();
        }
    }

    @Test
    void listenersRunAfterTheEventOnTheApplyingThreadAndMayReadTheState() {
        try (MemoryEventState s = new MemoryEventState(EventStateOptions.defaults())) {
            List<String> seen = new CopyOnWriteArrayList<>();
            Thread caller = Thread.currentThread();
            s.onNodeJoin(w -> seen.add(w.hostname() + " " + (Thread.currentThread() == caller) + " "
                    + s.task("t1").map(t -> t.state().name()).orElse("-") + " " + s.eventCount()));
            s.event(Ev.task("task-started", "t1", "w@h", T0, 1).build());
            assertThat(seen).containsExactly("w@h true STARTED 1");
            s.freezeWhile(frozen -> {
                frozen.event(Ev.worker("worker-online", "w2@h", 2, T0, 1).build());
                assertThat(seen).as("not while the state is frozen").hasSize(1);
                return null;
            });
            assertThat(seen).containsExactly("w@h true STARTED 1", "w2@h true STARTED 2");
        }
    }

    @Test
    void foreignValuesAreKeptAsTextAndBadNumbersAreIgnored() {
        try (MemoryEventState s = new MemoryEventState(EventStateOptions.defaults())) {
            s.event(Ev.task("task-received", "t1", "w@h", T0, 1).put("args", List.of(2, 3))
                    .put("kwargs", Map.of("x", 1)).put("retries", "many").put("name", "proj.add").build());
            TaskInfo t = s.task("t1").orElseThrow();
            assertThat(t.args()).isEqualTo("[2, 3]");
            assertThat(t.kwargs()).isEqualTo("{\"x\": 1}");
            assertThat(t.retries()).isNull();
            TaskInfo evictedView = t;
            s.clear(false);
            assertThat(evictedView.name()).as("views outlive their task").isEqualTo("proj.add");
            assertThat(s.toString()).contains("memory://").contains("events=0");
        }
    }

    @Test
    void closingReleasesEverything() {
        MemoryEventState s = new MemoryEventState(EventStateOptions.defaults());
        List<Object> joins = new ArrayList<>();
        s.onNodeJoin(joins::add);
        s.event(Ev.task("task-started", "t1", "w@h", T0, 1).build());
        s.close();
        assertThat(s.toString()).contains("closed");
        assertThatThrownBy(s::pendingChildren).hasMessageContaining("closed");
        assertThat(joins).hasSize(1);
    }
}
