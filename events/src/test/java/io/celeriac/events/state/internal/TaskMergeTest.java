package io.celeriac.events.state.internal;

import io.celeriac.backend.TaskState;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Celery's {@code Task.event} merge precedence, with the fixes, on one task at a time. */
class TaskMergeTest {

    private static final double T0 = 1_795_263_400.0;

    private final WorkerNode w1 = new WorkerNode("w1@h");
    private final WorkerNode w2 = new WorkerNode("w2@h");

    /** A parsed task event carrying these fields (key, value, key, value ...). */
    private static TaskEvent fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        TaskEvent ev = new TaskEvent();
        ev.parse(m);
        return ev;
    }

    private static void merge(TaskNode t, int kind, double ts, long clock, WorkerNode w, Object... kv) {
        TaskMerge.merge(t, fields(kv), kind, Subjects.STATE[kind], Subjects.PRECEDENCE[kind], ts, clock, w);
    }

    @Test
    void anInOrderEventSetsTheStateAndOverwritesWhatItCarriesNullIncluded() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.RECEIVED, T0, 1, w1, "name", "proj.add", "args", "(1,)", "retries", 0, "x", "a");
        merge(t, Subjects.STARTED, T0 + 1, 2, w2, "args", null, "retries", 1, "x", "b");

        assertThat(t.state).isEqualTo(TaskState.STARTED);
        assertThat(t.precedence).isEqualTo(TaskState.STARTED.precedence());
        assertThat(t.timestamp).isEqualTo(T0 + 1);
        assertThat(t.clock).isEqualTo(2);
        assertThat(t.worker).isSameAs(w2);
        assertThat(t.received).isEqualTo(T0);
        assertThat(t.started).isEqualTo(T0 + 1);
        assertThat(t.name).isEqualTo("proj.add"); // not carried: kept
        assertThat(t.args).isNull();              // carried as null: overwritten
        assertThat(t.retries).isEqualTo(1);
        assertThat(t.extra.get("x")).isEqualTo("b");
    }

    @Test
    void aLateEventOnlyFillsWhatIsStillEmpty() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.SUCCEEDED, T0 + 2, 3, w1, "result", "5", "runtime", 0.5, "x", "kept");
        merge(t, Subjects.STARTED, T0 + 1, 2, w2, "result", "stale", "exception", "E", "runtime", 9.0,
                "x", "stale", "y", "new", "z", null);

        assertThat(t.state).isEqualTo(TaskState.SUCCESS);
        assertThat(t.timestamp).isEqualTo(T0 + 2);
        assertThat(t.clock).isEqualTo(3);
        assertThat(t.worker).isSameAs(w1);        // FIX: a late event does not move the task to another worker
        assertThat(t.started).isEqualTo(T0 + 1);  // its subject's time was unknown: filled
        assertThat(t.result).isEqualTo("5");
        assertThat(t.exception).isEqualTo("E");
        assertThat(t.runtime).isEqualTo(0.5);
        assertThat(t.extra.view()).containsExactly(Map.entry("x", "kept"), Map.entry("y", "new"));
    }

    @Test
    void aLateEventKeepsAKnownSubjectTimeAndFillsAMissingWorker() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.STARTED, T0 + 1, 2, null);
        merge(t, Subjects.STARTED, T0 + 3, 4, null);
        merge(t, Subjects.RECEIVED, T0, 1, w2);
        assertThat(t.started).isEqualTo(T0 + 3);
        assertThat(t.received).isEqualTo(T0);
        assertThat(t.worker).isSameAs(w2);
        assertThat(t.state).isEqualTo(TaskState.STARTED);

        merge(t, Subjects.RECEIVED, T0 + 9, 9, w1); // late again: the receive time is known now
        assertThat(t.received).isEqualTo(T0);
        assertThat(t.worker).isSameAs(w2);
    }

    @Test
    void aLateReceivedEventOnlyMergesCelerysMergeFields() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.STARTED, T0 + 1, 2, w1);
        merge(t, Subjects.RECEIVED, T0, 1, w1, "name", "proj.add", "args", "(1,)", "kwargs", "{}",
                "parent_id", "p", "root_id", "r", "retries", 2, "eta", "e", "expires", "x",
                "result", "not merged", "routing_key", "not merged", "extra", "not merged");

        assertThat(t.name).isEqualTo("proj.add");
        assertThat(t.args).isEqualTo("(1,)");
        assertThat(t.kwargs).isEqualTo("{}");
        assertThat(t.parentId).isEqualTo("p");
        assertThat(t.rootId).isEqualTo("r");
        assertThat(t.retries).isEqualTo(2);
        assertThat(t.eta).isEqualTo("e");
        assertThat(t.expires).isEqualTo("x");
        assertThat(t.result).isNull();
        assertThat(t.routingKey).isNull();
        assertThat(t.extra).isNull();
    }

    @Test
    void precedenceDecidesWhatIsLate() {
        TaskNode t = new TaskNode("t1");
        assertThat(TaskMerge.isLate(t, TaskState.RECEIVED, TaskState.RECEIVED.precedence())).isFalse();
        t.state = TaskState.STARTED;
        t.precedence = TaskState.STARTED.precedence();
        assertThat(TaskMerge.isLate(t, TaskState.RECEIVED, TaskState.RECEIVED.precedence())).isTrue();
        assertThat(TaskMerge.isLate(t, TaskState.STARTED, TaskState.STARTED.precedence())).isFalse();
        assertThat(TaskMerge.isLate(t, TaskState.SUCCESS, TaskState.SUCCESS.precedence())).isFalse();
        TaskState progress = TaskState.of("PROGRESS");
        assertThat(TaskMerge.isLate(t, progress, progress.precedence())).isFalse(); // custom ranks above STARTED
        t.state = TaskState.SUCCESS;
        t.precedence = TaskState.SUCCESS.precedence();
        assertThat(TaskMerge.isLate(t, progress, progress.precedence())).isTrue();
        assertThat(TaskMerge.isLate(t, TaskState.FAILURE, TaskState.FAILURE.precedence())).isTrue();
    }

    @Test
    void retryAndRejectedAreLateOnlyOnAFinishedTask() {
        for (TaskState ending : List.of(TaskState.RETRY, TaskState.REJECTED)) {
            TaskNode t = new TaskNode("t1");
            t.state = TaskState.STARTED;
            t.precedence = TaskState.STARTED.precedence();
            assertThat(TaskMerge.isLate(t, ending, ending.precedence())).as("%s after STARTED", ending).isFalse();
            for (TaskState done : List.of(TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED)) {
                t.state = done;
                t.precedence = done.precedence();
                assertThat(TaskMerge.isLate(t, ending, ending.precedence())).as("%s after %s", ending, done).isTrue();
            }
        }
    }

    @Test
    void nothingIsLateAfterARetry() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.STARTED, T0 + 1, 2, w1);
        merge(t, Subjects.RETRIED, T0 + 2, 3, w1);
        assertThat(t.state).isEqualTo(TaskState.RETRY);
        merge(t, Subjects.RECEIVED, T0 + 3, 4, w2); // the next attempt
        assertThat(t.state).isEqualTo(TaskState.RECEIVED);
        assertThat(t.worker).isSameAs(w2);
        assertThat(t.received).isEqualTo(T0 + 3);
    }

    @Test
    void aLateRetryDoesNotMoveASuccessBack() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.SUCCEEDED, T0 + 3, 4, w1);
        merge(t, Subjects.RETRIED, T0 + 2, 3, w1, "exception", "Retry");
        assertThat(t.state).isEqualTo(TaskState.SUCCESS);
        assertThat(t.timestamp).isEqualTo(T0 + 3);
        assertThat(t.retried).isEqualTo(T0 + 2);
        assertThat(t.exception).isEqualTo("Retry");
    }

    @Test
    void rejectedShowsAfterStarted() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.RECEIVED, T0, 1, w1);
        merge(t, Subjects.STARTED, T0 + 1, 2, w1);
        merge(t, Subjects.REJECTED, T0 + 2, 3, w1);
        assertThat(t.state).isEqualTo(TaskState.REJECTED);
        assertThat(t.rejected).isEqualTo(T0 + 2);
    }

    @Test
    void aCustomEventSetsItsStateButNoSubjectTime() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.STARTED, T0 + 1, 2, w1);
        TaskState progress = TaskState.of("PROGRESS");
        TaskMerge.merge(t, fields("progress", 0.5), Subjects.CUSTOM, progress, progress.precedence(), T0 + 2, 3, w1);
        assertThat(t.state).isEqualTo(progress);
        assertThat(t.timestamp).isEqualTo(T0 + 2);
        assertThat(t.started).isEqualTo(T0 + 1);
        assertThat(t.extra.get("progress")).isEqualTo(0.5);
    }

    @Test
    void numberFieldsIgnoreAnythingButNumbersAndNull() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.RECEIVED, T0, 1, w1, "retries", 3, "runtime", 1.5);
        merge(t, Subjects.STARTED, T0 + 1, 2, w1, "retries", "three", "runtime", "slow", "received", "soon");
        assertThat(t.retries).isEqualTo(3);
        assertThat(t.runtime).isEqualTo(1.5);
        assertThat(t.received).isEqualTo(T0);
        merge(t, Subjects.SUCCEEDED, T0 + 2, 3, w1, "retries", null, "runtime", null);
        assertThat(t.retries).isNull();
        assertThat(t.runtime).isNaN();
    }

    @Test
    void textFieldsKeepTextAndEncodeOtherValuesAsJson() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.SUCCEEDED, T0, 1, w1, "result", List.of(1, 2), "name", "proj.add");
        assertThat(t.result).isEqualTo("[1, 2]");
        assertThat(t.name).isEqualTo("proj.add");
    }

    @Test
    void mergingDropsTheCachedView() {
        TaskNode t = new TaskNode("t1");
        merge(t, Subjects.RECEIVED, T0, 1, w1, "name", "proj.add");
        assertThat(t.view().name()).isEqualTo("proj.add");
        merge(t, Subjects.STARTED, T0 + 1, 2, w1); // carrying no field: still dropped
        assertThat(t.view).isNull();
        assertThat(t.view().state()).isEqualTo(TaskState.STARTED);
    }
}
