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
