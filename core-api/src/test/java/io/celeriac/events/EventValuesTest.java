package io.celeriac.events;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.TaskState;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The event value types: options, views, snapshots, exceptions. */
class EventValuesTest {

    @Test
    void optionsHaveCeleryDefaultsAndListEveryProblem() {
        EventStateOptions d = EventStateOptions.defaults();
        assertThat(d.maxWorkersInMemory()).isEqualTo(5000);
        assertThat(d.maxTasksInMemory()).isEqualTo(10_000);
        assertThat(d.forgetOfflineWorkers()).isFalse();
        Clock c = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        EventStateOptions o = EventStateOptions.builder().maxTasksInMemory(7).maxWorkersInMemory(3).clock(c)
                .forgetOfflineWorkers(true).build();
        assertThat(o).isEqualTo(new EventStateOptions(3, 7, c, true));
        assertThat(new EventStateOptions(3, 7, c)).isEqualTo(new EventStateOptions(3, 7, c, false));
        assertThat(o.withClock(Clock.systemUTC()).maxTasksInMemory()).isEqualTo(7);
        assertThatThrownBy(() -> new EventStateOptions(0, -1, c)).isInstanceOf(InvalidConfigurationException.class)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).problems()).hasSize(2))
                .hasMessageContaining("max_workers_in_memory").hasMessageContaining("max_tasks_in_memory");
        assertThatThrownBy(() -> EventStateOptions.builder().maxTasksInMemory(Integer.MAX_VALUE).build())
                .isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void workerViewsComputeCeleryFields() {
        WorkerInfo w = new WorkerInfo("w@h", 42, 2.0, List.of(10.0, 12.0), 7, 1, 5, List.of(0.5, 0.2, 0.1),
                "py-celery", "5.2.6", "Linux", 16.0, true, Map.of("custom", "x"));
        assertThat(w.id()).isEqualTo("w@h.42");
        assertThat(w.statusString()).isEqualTo("ONLINE");
        assertThat(w.isAliveAt(15.9)).isTrue();
        assertThat(w.isAliveAt(16.0)).isFalse();
        assertThat(w.toCeleryDict()).containsEntry("sw_ident", "py-celery").containsEntry("status_string", "ONLINE")
                .containsEntry("heartbeat_expires", 16.0).containsEntry("id", "w@h.42").containsEntry("custom", "x");
        WorkerInfo unknown = new WorkerInfo("w@h", null, 60, List.of(), 0, null, null, null, null, null, null,
                null, false, null);
        assertThat(unknown.id()).isEqualTo("w@h.None");
        assertThat(unknown.isAliveAt(0)).isFalse();
        assertThat(unknown.extra()).isEmpty();
        List<Double> beats = new ArrayList<>(List.of(1.0));
        WorkerInfo copy = new WorkerInfo("w@h", 1, 2, beats, 0, null, null, null, null, null, null, 5.0, true, null);
        beats.add(2.0);
        assertThat(copy.heartbeats()).as("frozen").containsExactly(1.0);
    }

    @Test
    void taskViewsGiveCeleryDictsAndInfo() {
        TaskInfo t = new TaskInfo("t1", "proj.add", TaskState.SUCCESS, 1.0, 0.5, 2.0, null, 3.0, null, null, null,
                "(2, 3)", "{}", null, null, 0, "w@h", "5", null, 3.0, 1.0, null, "", "celery", 9, "gen@h", "r1",
                "p1", List.of("c1"), Map.of("queue", "celery"));
        assertThat(t.ready()).isTrue();
        assertThat(t.id()).isEqualTo("t1");
        Map<String, Object> d = t.toCeleryDict();
        assertThat(new ArrayList<>(d.keySet())).startsWith("uuid", "name", "state", "received", "sent", "started",
                "rejected", "succeeded", "failed", "retried", "revoked", "args", "kwargs", "eta", "expires", "retries",
                "worker", "result", "exception", "timestamp", "runtime", "traceback", "exchange", "routing_key",
                "clock", "client", "root", "root_id", "parent", "parent_id", "children").endsWith("queue");
        assertThat(d).containsEntry("state", "SUCCESS").containsEntry("root", "r1").containsEntry("parent", "p1");
        assertThat(t.info()).containsOnlyKeys("args", "kwargs", "retries", "result", "runtime", "exchange",
                "routing_key", "root_id", "parent_id");
    }

    @Test
    void snapshotsAreFrozenAndOrderTheirDocument() {
        TaskInfo older = new TaskInfo("a", "x", TaskState.STARTED, null, null, 1.0, null, null, null, null, null,
                null, null, null, null, null, null, null, null, 1.0, null, null, null, null, 1, null, null, null,
                List.of(), null);
        TaskInfo newer = new TaskInfo("b", "x", TaskState.PENDING, null, 2.0, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, 2.0, null, null, null, null, 2, "gen@h", null, null,
                List.of(), null);
        Map<String, TaskInfo> tasks = new java.util.LinkedHashMap<>();
        tasks.put("a", older);
        tasks.put("b", newer);
        tasks.put("c", older);
        SortedSet<String> types = new TreeSet<>(List.of("x"));
        EventStateSnapshot s = new EventStateSnapshot(Instant.ofEpochSecond(10, 500_000_000), 3, 1, Map.of(), tasks,
                List.of("b", "a"), types);
        tasks.clear();
        types.add("y");
        assertThat(s.tasks()).containsOnlyKeys("a", "b", "c");
        assertThat(s.taskTypes()).containsExactly("x");
        assertThat(s.tasksByTime(1)).containsExactly(newer);
        Map<String, Object> doc = s.toCeleryDict();
        assertThat(doc).containsEntry("timestamp", 10.5).containsEntry("event_count", 3L);
        assertThat(new ArrayList<Object>(((Map<?, ?>) doc.get("tasks")).keySet())).as("newest first, then the rest")
                .containsExactly((Object) "b", "a", "c");
        assertThat(new ArrayList<Object>(((Map<?, ?>) s.toCeleryDict(1).get("tasks")).keySet())).containsExactly((Object) "b");
        assertThatThrownBy(() -> s.tasks().put("d", older)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void eventFieldsAreAFrozenOrderedCopy() {
        Map<String, Object> source = new java.util.LinkedHashMap<>();
        source.put("hostname", "w@h");
        source.put("uuid", "t1");
        source.put("eta", null);
        source.put("clock", 7L);
        source.put("timestamp", 1.5);
        source.put("type", "task-started");
        Event e = Event.of(source);
        source.put("uuid", "changed");
        assertThat(e.uuid()).isEqualTo("t1");
        assertThat(new ArrayList<>(e.fields().keySet())).containsExactly("hostname", "uuid", "eta", "clock",
                "timestamp", "type");
        assertThat(e.fields()).containsEntry("eta", null).hasSize(6).containsKey("eta").doesNotContainKey("nope");
        assertThat(e.get(new String("clock"))).as("keys that are equal but not the same").isEqualTo(7L);
        assertThat(e.clock()).isEqualTo(7L);
        assertThat(e.timestamp()).isEqualTo(1.5);
        assertThat(e.hostname()).isEqualTo("w@h");
        assertThat(e.group()).isEqualTo("task");
        assertThat(e.subject()).isEqualTo("started");
        source.put("uuid", "t1");
        assertThat(e.fields()).isEqualTo(source).hasSameHashCodeAs(source);
        assertThat(new Event(e.type(), e.fields()).fields()).as("no second copy").isSameAs(e.fields());
        assertThat(e).isEqualTo(Event.of(source));
        List<String> walked = new ArrayList<>();
        e.fields().forEach((k, v) -> walked.add(k + "=" + v));
        assertThat(walked).containsExactly("hostname=w@h", "uuid=t1", "eta=null", "clock=7", "timestamp=1.5",
                "type=task-started");
        assertThatThrownBy(() -> e.fields().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> e.fields().remove("uuid")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> e.fields().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> e.fields().entrySet().iterator().next().setValue("x"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> e.fields().replaceAll((k, v) -> v)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Event.of(Map.of("clock", 1L))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedEventsSayWhatIsWrong() {
        MalformedEventException e = new MalformedEventException("task-started", List.of("\"clock\" is missing"));
        assertThat(e).hasMessage("Malformed 'task-started' event: \"clock\" is missing");
        assertThat(e.eventType()).isEqualTo("task-started");
        assertThat(new MalformedEventException(null, List.of("a", "b"))).hasMessage("Malformed event: a; b");
        assertThat(new EventStateClosedException("memory://")).hasMessageContaining("memory://").hasMessageContaining("closed");
    }
}
