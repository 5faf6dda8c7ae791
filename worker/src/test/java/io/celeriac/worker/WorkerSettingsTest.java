package io.celeriac.worker;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.worker.internal.Failures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings, registry and failure text: what needs no server. */
class WorkerSettingsTest {

    @Test
    void rateLimitsReadAsCeleryReadsThem() {
        assertThat(TaskOptions.perSecond("10/s")).isEqualTo(10.0);
        assertThat(TaskOptions.perSecond("30/m")).isEqualTo(0.5);
        assertThat(TaskOptions.perSecond("3600/h")).isEqualTo(1.0);
        assertThat(TaskOptions.perSecond("4")).isEqualTo(4.0);
        assertThat(TaskOptions.perSecond(null)).isZero();
        assertThatThrownBy(() -> TaskOptions.perSecond("10/d")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use s, m or h");
        assertThatThrownBy(() -> TaskOptions.builder().rateLimit("fast").build())
                .hasMessageContaining("'fast' is not a rate limit");
        assertThatThrownBy(() -> TaskOptions.builder().timeLimit(Duration.ZERO).build())
                .hasMessageContaining("time_limit must be positive");
    }

    @Test
    void aNameIsRegisteredOnce() {
        TaskRegistry r = new TaskRegistry().register("a", ctx -> 1);
        assertThatThrownBy(() -> r.register("a", ctx -> 2)).hasMessage("the task name 'a' is registered twice");
        assertThatThrownBy(() -> r.register(" ", ctx -> 2)).hasMessageContaining("needs a name");
        assertThatThrownBy(() -> r.registerAll(new Object())).hasMessageContaining("has no public @CeleryTask method");
        assertThat(r.registerAll(new TestTasks())).contains("t.add", "t.tick");
        assertThat(r.get("t.tick").orElseThrow().options().rateLimit()).isEqualTo("5/s");
        assertThat(r.get("t.late").orElseThrow().options().acksLate()).isTrue();
        assertThat(r.get("t.add").orElseThrow().options().acksLate()).isNull();
        assertThat(r.unregister("a")).isTrue();
        assertThat(r.get("a")).isEmpty();
    }

    @Test
    void badSettingsAreListedTogether() {
        assertThatThrownBy(() -> Worker.builder().concurrency(0).prefetchMultiplier(-1).queues(List.of(" "))
                .timeLimit(Duration.ofSeconds(-1)).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.getMessage())
                        .contains("concurrency must be from 1 to 10000, not 0")
                        .contains("worker_prefetch_multiplier cannot be negative: -1")
                        .contains("a queue name cannot be blank")
                        .contains("task_time_limit must be positive")
                        .contains("no task is registered"));
    }

    @Test
    void nodeNamesExpandCeleryVariables() {
        assertThat(Worker.expand("java1@%h", null)).startsWith("java1@").doesNotContain("%");
        assertThat(Worker.expand("/var/run/%n.state", "w7@box")).isEqualTo("/var/run/w7.state");
        assertThat(Worker.expand("100%%", null)).isEqualTo("100%");
    }

    @Test
    void aTracebackReadsAsPythonsWithTheCauseFirst() {
        TaskError e = new TaskError("proj.errors", "Boom", new IllegalArgumentException("root cause"), "top");
        ExceptionInfo info = Failures.info(e, 0);
        assertThat(info).isEqualTo(ExceptionInfo.of("Boom", "proj.errors", "top"));
        String tb = Failures.traceback(e, info);
        assertThat(tb).startsWith("Traceback (most recent call last):\n  File \"")
                .contains("ValueError: root cause\n")
                .contains("The above exception was the direct cause of the following exception:")
                .endsWith("proj.errors.Boom: top\n");
        assertThat(tb.indexOf("root cause")).isLessThan(tb.indexOf("Boom"));
        assertThat(Failures.info(new ArithmeticException("/ by zero"), 0).excType()).isEqualTo("ZeroDivisionError");
        assertThat(Failures.info(new java.io.FileNotFoundException("x"), 0).excType()).isEqualTo("FileNotFoundError");
        assertThat(Failures.info(new SoftTimeLimitExceededException(Duration.ofSeconds(2)), 2.0))
                .isEqualTo(ExceptionInfo.of("SoftTimeLimitExceeded", "billiard.exceptions", 2.0));
    }
}
