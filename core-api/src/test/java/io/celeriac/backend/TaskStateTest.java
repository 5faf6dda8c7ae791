package io.celeriac.backend;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskStateTest {

    @Test
    void precedenceIsCeleryOrder() {
        List<TaskState> states = new ArrayList<>(List.of(TaskState.PENDING, TaskState.RETRY, TaskState.REJECTED,
                TaskState.RECEIVED, TaskState.STARTED, TaskState.REVOKED, TaskState.of("PROGRESS"), TaskState.FAILURE,
                TaskState.SUCCESS));
        List<TaskState> shuffled = new ArrayList<>(states);
        Collections.shuffle(shuffled);
        Collections.sort(shuffled);
        assertThat(shuffled).isEqualTo(states);
        assertThat(TaskState.of("PROGRESS").precedence()).isEqualTo(2);
        assertThat(TaskState.SUCCESS.precedence()).isZero();
        assertThat(TaskState.PENDING.precedence()).isEqualTo(8);
        assertThat(TaskState.of("PROGRESS")).isGreaterThan(TaskState.STARTED).isLessThan(TaskState.FAILURE);
    }

    @Test
    void ofReturnsCanonicalInstancesEvenForCustomStatesAndDecodedOnes() {
        assertThat(TaskState.of("PROGRESS")).isSameAs(TaskState.of("PROGRESS"));
        assertThat(TaskState.of("SUCCESS")).isSameAs(TaskState.SUCCESS);
        TaskMeta decoded = io.celeriac.json.CeleryJson.decodeMeta("{\"status\": \"PROGRESS\", \"result\": {\"current\": 4},"
                + " \"traceback\": null, \"children\": [], \"date_done\": null, \"task_id\": \"t\"}");
        assertThat(decoded.status()).isSameAs(TaskState.of("PROGRESS"));
        assertThat(new TaskState("PROGRESS")).as("equal by name, everywhere").isEqualTo(TaskState.of("PROGRESS"))
                .hasSameHashCodeAs(TaskState.of("PROGRESS"));
    }

    @Test
    void builtinStatesCanBeSwitchedOn() {
        List<String> seen = new ArrayList<>();
        for (TaskState s : List.of(TaskState.SUCCESS, TaskState.REVOKED, TaskState.of("PROGRESS"), TaskState.PENDING)) {
            switch (s.builtin()) {
                case SUCCESS -> seen.add("done");
                case FAILURE, REVOKED -> seen.add("failed");
                case CUSTOM -> seen.add("custom " + s.name());
                default -> seen.add("waiting");
            }
        }
        assertThat(seen).containsExactly("done", "failed", "custom PROGRESS", "waiting");
        for (TaskState.Builtin b : TaskState.Builtin.values()) {
            if (b != TaskState.Builtin.CUSTOM) {
                assertThat(b.state().builtin()).isEqualTo(b);
                assertThat(b.state()).isSameAs(TaskState.of(b.name()));
            }
        }
        assertThatThrownBy(TaskState.Builtin.CUSTOM::state).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void setsAreCeleryS() {
        assertThat(TaskState.READY_STATES).containsExactlyInAnyOrder(TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED);
        assertThat(TaskState.UNREADY_STATES).containsExactlyInAnyOrder(TaskState.PENDING, TaskState.RECEIVED,
                TaskState.STARTED, TaskState.REJECTED, TaskState.RETRY);
        assertThat(TaskState.EXCEPTION_STATES).containsExactlyInAnyOrder(TaskState.RETRY, TaskState.FAILURE, TaskState.REVOKED);
        assertThat(TaskState.PROPAGATE_STATES).containsExactlyInAnyOrder(TaskState.FAILURE, TaskState.REVOKED);
        assertThat(TaskState.ALL_STATES).doesNotContain(TaskState.REJECTED, TaskState.IGNORED);
        assertThat(TaskState.IGNORED.isReady()).isFalse();
        assertThat(TaskState.of("SUCCESS")).isSameAs(TaskState.SUCCESS);
        assertThat(TaskState.of("PROGRESS").isStandard()).isFalse();
        assertThatThrownBy(() -> TaskState.of("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void exceptionReprIsPythons() {
        assertThat(ExceptionInfo.builtin("ValueError", "bad value: 42").pythonRepr()).isEqualTo("ValueError('bad value: 42')");
        assertThat(ExceptionInfo.of("KeyError", "builtins").pythonRepr()).isEqualTo("KeyError()");
        assertThat(ExceptionInfo.of("Outer.Inner", "m", "it's", 429L, 1.5, null, true).pythonRepr())
                .isEqualTo("Inner(\"it's\", 429, 1.5, None, True)");
        assertThat(new ExceptionInfo("E", "not a list", null).args()).containsExactly("not a list");
    }
}
