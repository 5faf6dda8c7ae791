package io.celeriac.backend.spi;

import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendClosedException;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToReadResultException;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The retry rules subclasses of {@link AbstractBackend} rely on: transient failures retried within the policy,
 * a non-transient celeriac exception passed on as it is, anything else (or running out) wrapped naming the task,
 * no retry once closed.
 */
class AbstractBackendRetryTest {

    /** A store whose reads and writes fail with the queued exceptions first. */
    private static final class FlakyBackend extends AbstractBackend {
        final Deque<RuntimeException> failures = new ArrayDeque<>();
        final AtomicInteger attempts = new AtomicInteger();

        FlakyBackend(RetryPolicy policy) {
            super(BackendUrl.parse("flaky://host/0"), BackendOptions.builder().retryPolicy(policy).build(),
                    EnumSet.of(BackendCapability.READ));
        }

        private void maybeFail() {
            attempts.incrementAndGet();
            RuntimeException e = failures.poll();
            if (e != null) {
                throw e;
            }
        }

        @Override
        protected void doStore(TaskMeta meta) {
            retryingWrite(meta.taskId(), () -> {
                maybeFail();
                return null;
            });
        }

        @Override
        protected TaskMeta doGetTaskMeta(String taskId) {
            return retryingRead(taskId, () -> {
                maybeFail();
                return TaskMeta.pending(taskId);
            });
        }

        @Override
        protected boolean isTransient(RuntimeException e) {
            return e instanceof BackendUnavailableException || e instanceof IllegalStateException;
        }
    }

    private static final RetryPolicy TWO_QUICK = new RetryPolicy(2, Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1));

    private static BackendUnavailableException lost() {
        return new BackendUnavailableException("flaky://host/0", "connection lost", null);
    }

    @Test
    void transientFailuresAreRetriedWithinThePolicy() {
        FlakyBackend b = new FlakyBackend(TWO_QUICK);
        b.failures.add(lost());
        b.failures.add(new IllegalStateException("again"));
        b.storeResult("t1", 1, TaskState.SUCCESS);
        assertThat(b.attempts.get()).isEqualTo(3);

        b.attempts.set(0);
        b.failures.add(lost());
        assertThat(b.getTaskMeta("t2").status()).isEqualTo(TaskState.PENDING);
        assertThat(b.attempts.get()).isEqualTo(2);
    }

    @Test
    void runningOutOfRetriesWrapsTheLastFailureNamingTheTaskAndTheAttempts() {
        FlakyBackend b = new FlakyBackend(TWO_QUICK);
        for (int i = 0; i < 3; i++) {
            b.failures.add(lost());
        }
        assertThatThrownBy(() -> b.storeResult("t1", 1, TaskState.SUCCESS)).isInstanceOf(UnableToStoreResultException.class)
                .hasMessage("Could not store the result of task t1 in flaky://host/0 after 3 attempts: "
                        + "BackendUnavailableException (" + lost().getMessage() + ")")
                .hasCauseInstanceOf(BackendUnavailableException.class);
        assertThat(b.attempts.get()).isEqualTo(3);

        for (int i = 0; i < 3; i++) {
            b.failures.add(lost());
        }
        assertThatThrownBy(() -> b.getTaskMeta("t2")).isInstanceOf(UnableToReadResultException.class)
                .hasCauseInstanceOf(BackendUnavailableException.class);
    }

    @Test
    void aNonTransientCeleriacExceptionPassesAsItIsAndAnyOtherFailureIsWrappedAtOnce() {
        FlakyBackend b = new FlakyBackend(TWO_QUICK);
        BackendClosedException own = new BackendClosedException("flaky://other/0");
        b.failures.add(own);
        assertThatThrownBy(() -> b.storeResult("t1", 1, TaskState.SUCCESS)).isSameAs(own);
        assertThat(b.attempts.get()).isEqualTo(1);

        b.attempts.set(0);
        IllegalArgumentException bug = new IllegalArgumentException("not transient");
        b.failures.add(bug);
        assertThatThrownBy(() -> b.storeResult("t1", 1, TaskState.SUCCESS)).isInstanceOf(UnableToStoreResultException.class)
                .hasMessageContaining("after 1 attempt:").hasCause(bug);
        assertThat(b.attempts.get()).isEqualTo(1);

        b.failures.add(bug);
        assertThatThrownBy(() -> b.getTaskMeta("t2")).isInstanceOf(UnableToReadResultException.class).hasCause(bug);
    }

    @Test
    void aClosedBackendDoesNotRetry() {
        FlakyBackend b = new FlakyBackend(TWO_QUICK);
        b.close();
        b.failures.add(lost());
        assertThatThrownBy(() -> b.doStore(TaskMeta.pending("t1"))).isInstanceOf(UnableToStoreResultException.class)
                .hasMessageContaining("after 1 attempt:");
        assertThat(b.attempts.get()).isEqualTo(1);
    }
}
