package io.celeriac.backend;

import io.celeriac.Celeriac;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Waiting for many tasks: each id gets its own outcome (a value, a failure, still pending at the deadline with
 * its last state), and an as-completed stream yields them as they become ready. An unknown id loses nothing.
 */
class ManyWaitsTest {

    private final Celeriac celeriac = Celeriac.discover();

    @Test
    void eachIdGetsItsOwnOutcome() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Backend b = celeriac.openBackend("memory://")) {
            b.storeResult("ok", 42L, TaskState.SUCCESS);
            b.markAsFailure("bad", ExceptionInfo.builtin("ValueError", "no"), "Traceback ...", null);
            b.storeResult("slow", Map.of("current", 4L), TaskState.of("PROGRESS"));
            timer.schedule(() -> b.storeResult("later", "done", TaskState.SUCCESS), 50, TimeUnit.MILLISECONDS);

            Map<String, WaitOutcome> out = b.waitForEach(List.of("ok", "bad", "later", "slow", "unknown", "ok"),
                    Duration.ofSeconds(3));

            assertThat(out.keySet()).containsExactly("ok", "bad", "later", "slow", "unknown");
            assertThat(out.get("ok").kind()).isEqualTo(WaitOutcome.Kind.SUCCEEDED);
            assertThat(out.get("ok").value(int.class)).isEqualTo(42);
            assertThat(out.get("bad").kind()).isEqualTo(WaitOutcome.Kind.FAILED);
            assertThatThrownBy(() -> out.get("bad").value()).isInstanceOf(TaskFailureException.class)
                    .hasMessage("task bad failed: ValueError('no')");
            assertThat(out.get("later").value()).isEqualTo("done");
            assertThat(out.get("slow").kind()).isEqualTo(WaitOutcome.Kind.NOT_READY);
            assertThat(out.get("slow").meta().resultMap()).containsEntry("current", 4L);
            assertThat(out.get("unknown").kind()).isEqualTo(WaitOutcome.Kind.NOT_READY);
            assertThat(out.get("unknown").meta().status()).isEqualTo(TaskState.PENDING);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void theStreamYieldsOutcomesAsTheyCompleteThenWhatIsLeftAtTheDeadline() {
        try (Backend b = celeriac.openBackend("memory://")) {
            b.storeResult("first", 1L, TaskState.SUCCESS);
            List<String> order = new ArrayList<>();
            try (Stream<WaitOutcome> done = b.asCompleted(List.of("b", "first", "a", "never"), Duration.ofSeconds(2))) {
                done.forEach(o -> {
                    order.add(o.taskId() + " " + o.kind());
                    // each completion makes the next: "a" once "first" is seen, then "b"
                    if (o.taskId().equals("first")) {
                        CompletableFuture.runAsync(() -> b.storeResult("a", 2L, TaskState.SUCCESS));
                    } else if (o.taskId().equals("a")) {
                        CompletableFuture.runAsync(() -> b.markAsRevoked("b", "terminated", null));
                    }
                });
            }
            assertThat(order).containsExactly("first SUCCEEDED", "a SUCCEEDED", "b FAILED", "never NOT_READY");
        }
    }

    @Test
    void closingTheStreamStopsTheWaits() {
        try (Backend b = celeriac.openBackend("memory://")) {
            b.storeResult("x", 1L, TaskState.SUCCESS);
            List<WaitOutcome> first;
            try (Stream<WaitOutcome> s = b.asCompleted(List.of("x", "y", "z"), Duration.ofMinutes(10))) {
                first = s.limit(1).collect(Collectors.toList());
            }
            assertThat(first).extracting(WaitOutcome::taskId).containsExactly("x");
            Map<String, WaitOutcome> none = b.waitForEach(List.of(), Duration.ofSeconds(1));
            assertThat(none).isEmpty();
        }
    }

    @Test
    void aStoreThatCannotBeReadGivesEveryIdAWaitFailure() {
        Backend b = celeriac.openBackend("memory://");
        b.close();
        Map<String, WaitOutcome> out = b.waitForEach(List.of("a", "b"), Duration.ofSeconds(1));
        assertThat(out.values()).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(WaitOutcome.Kind.WAIT_FAILED);
            assertThat(o.error()).isInstanceOf(BackendClosedException.class);
        });
    }
}
