package io.celeriac.events.state.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Task names: recorded when they change, kept after eviction, rebuilt from the kept tasks. */
class TaskTypesTest {

    @Test
    void namesAreRecordedOnceAndOutliveTheirTasks() {
        TaskTypes types = new TaskTypes();
        TaskNode a = new TaskNode("a");
        types.record(a);
        assertThat(types.sorted()).isEmpty();

        a.name = "proj.mul";
        types.record(a);
        assertThat(a.recordedType).isEqualTo("proj.mul");
        TaskNode b = new TaskNode("b");
        b.name = "proj.add";
        types.record(b);
        b.name = "proj.sub";
        types.record(b);
        assertThat(types.sorted()).containsExactly("proj.add", "proj.mul", "proj.sub");
        assertThat(types.copy()).containsExactly("proj.add", "proj.mul", "proj.sub");
    }

    @Test
    void rebuildKeepsOnlyTheNamesOfTheKeptTasks() {
        TaskTypes types = new TaskTypes();
        TaskLru tasks = new TaskLru(10);
        TaskNode a = new TaskNode("a");
        a.name = "proj.add";
        tasks.add(a);
        types.record(a);
        TaskNode gone = new TaskNode("gone");
        gone.name = "proj.gone";
        types.record(gone);
        TaskNode unnamed = new TaskNode("unnamed");
        unnamed.recordedType = "stale";
        tasks.add(unnamed);

        types.rebuild(tasks);
        assertThat(types.sorted()).containsExactly("proj.add");
        assertThat(unnamed.recordedType).isNull();

        unnamed.name = "stale"; // recorded again after the rebuild
        types.record(unnamed);
        assertThat(types.sorted()).containsExactly("proj.add", "stale");
        types.clear();
        assertThat(types.sorted()).isEmpty();
    }
}
