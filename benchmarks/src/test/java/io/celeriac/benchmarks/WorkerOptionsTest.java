package io.celeriac.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --only worker} stands for both worker sections; {@code --quick} is kept for the worker's task counts. */
class WorkerOptionsTest {

    @Test
    void workerStandsForBothWorkerSections() {
        Options both = Options.parse("--only", "worker");
        assertThat(both.sections()).containsExactlyInAnyOrder("worker-redis", "worker-amqp");
        Options one = Options.parse("--only", "worker-amqp,client-redis");
        assertThat(one.runs("worker-amqp")).isTrue();
        assertThat(one.runs("worker-redis")).isFalse();
        assertThat(one.runs("client-redis")).isTrue();
        assertThat(Options.parse().sections()).contains("worker-redis", "worker-amqp");
    }

    @Test
    void quickIsRememberedEvenWhenRunsAndSecondsAreGiven() {
        Options quick = Options.parse("--only", "worker", "--runs", "1", "--seconds", "2", "--quick");
        assertThat(quick.quick()).isTrue();
        assertThat(quick.runs()).isEqualTo(1);
        assertThat(quick.seconds()).isEqualTo(2.0);
        assertThat(Options.parse("--only", "worker").quick()).isFalse();
    }

    @Test
    void anUnknownWorkerSectionIsReported() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Options.parse("--only", "worker-sqs"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown section 'worker-sqs'")
                .hasMessageContaining("worker (both brokers)");
    }
}
