package io.celeriac.events.state.internal;

import io.celeriac.backend.TaskState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Event types split as Celery's {@code type.partition('-')} does, cached within a bound. */
class EventTypesTest {

    private final EventTypes types = new EventTypes();

    @Test
    void taskSubjectsHaveTheirKindAndCustomOnesTheirState() {
        EventTypes.TypeInfo started = types.of("task-started");
        assertThat(started.group()).isEqualTo(EventTypes.GROUP_TASK);
        assertThat(started.kind()).isEqualTo(Subjects.STARTED);
        assertThat(started.custom()).isNull();

        EventTypes.TypeInfo progress = types.of("task-progress");
        assertThat(progress.group()).isEqualTo(EventTypes.GROUP_TASK);
        assertThat(progress.subject()).isEqualTo("progress");
        assertThat(progress.kind()).isEqualTo(Subjects.CUSTOM);
        assertThat(progress.custom().state()).isEqualTo(TaskState.of("PROGRESS"));
        assertThat(progress.custom().precedence()).isEqualTo(TaskState.of("PROGRESS").precedence());

        EventTypes.TypeInfo dashed = types.of("task-my-state");
        assertThat(dashed.subject()).isEqualTo("my-state");
        assertThat(dashed.custom().state()).isEqualTo(TaskState.of("MY-STATE"));

        EventTypes.TypeInfo empty = types.of("task-");
        assertThat(empty.group()).isEqualTo(EventTypes.GROUP_TASK);
        assertThat(empty.subject()).isEmpty();
        assertThat(empty.custom()).isNull();
    }

    @Test
    void workerSubjectsAndOtherGroups() {
        assertThat(types.of("worker-online").kind()).isEqualTo(Subjects.W_ONLINE);
        assertThat(types.of("worker-offline").kind()).isEqualTo(Subjects.W_OFFLINE);
        assertThat(types.of("worker-heartbeat").kind()).isEqualTo(Subjects.W_OTHER);
        assertThat(types.of("worker-custom").group()).isEqualTo(EventTypes.GROUP_WORKER);
        assertThat(types.of("worker").group()).isEqualTo(EventTypes.GROUP_WORKER);
        assertThat(types.of("worker").subject()).isEmpty();
        assertThat(types.of("task").group()).isEqualTo(EventTypes.GROUP_TASK);
        assertThat(types.of("heartbeat").group()).isEqualTo(EventTypes.GROUP_OTHER);
        assertThat(types.of("tasks-sent").group()).isEqualTo(EventTypes.GROUP_OTHER);
        assertThat(types.of("Task-sent").group()).isEqualTo(EventTypes.GROUP_OTHER);
    }

    @Test
    void theCacheIsBoundedAndAnUncachedTypeMeansTheSame() {
        EventTypes.TypeInfo first = types.of("task-s0");
        for (int i = 1; i < EventTypes.MAX_CACHED * 2; i++) {
            types.of("task-s" + i);
        }
        assertThat(types.cachedSize()).isEqualTo(EventTypes.MAX_CACHED);
        assertThat(types.of("task-s0")).isSameAs(first);
        String late = "task-s" + (EventTypes.MAX_CACHED + 5);
        EventTypes.TypeInfo uncached = types.of(late);
        assertThat(uncached).isEqualTo(new EventTypes().of(late));
        assertThat(types.of(late)).as("the last type answers at once").isSameAs(uncached);
        assertThat(types.cachedSize()).isEqualTo(EventTypes.MAX_CACHED);
    }
}
