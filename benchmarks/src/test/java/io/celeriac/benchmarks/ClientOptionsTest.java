package io.celeriac.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --only client} stands for both client sections; each can be chosen alone. */
class ClientOptionsTest {

    @Test
    void clientStandsForBothClientSections() {
        Options both = Options.parse("--only", "client");
        assertThat(both.sections()).containsExactlyInAnyOrder("client-redis", "client-amqp");
        Options one = Options.parse("--only", "client-amqp");
        assertThat(one.runs("client-amqp")).isTrue();
        assertThat(one.runs("client-redis")).isFalse();
        assertThat(Options.parse().sections()).contains("client-redis", "client-amqp");
    }
}
