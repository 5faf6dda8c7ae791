package io.celeriac.broker.memory.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** AMQP topic patterns: {@code *} is one word, {@code #} zero or more. */
class TopicMatcherTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "#|worker.online|true",
        "#|''|true",
        "worker.#|worker.online|true",
        "worker.#|worker|true",
        "worker.#|worker.a.b|true",
        "worker.#|task.worker|false",
        "*.online|worker.online|true",
        "*.online|a.worker.online|false",
        "*|worker|true",
        "*|''|true",
        "*|a.b|false",
        "a.*.c|a.b.c|true",
        "a.*.c|a.c|false",
        "#.c|c|true",
        "#.c|a.b.c|true",
        "#.c|a.b.cd|false",
        "a.#.z|a.z|true",
        "a.#.z|a.b.c.z|true",
        "a.#.#.z|a.b.z|true",
        "task.multi|task.multi|true",
        "task.multi|task.multiple|false",
        "task|task.multi|false",
        "''|''|true",
        "''|a|false",
    })
    void matchesAsRabbitMq(String binding, String routing, boolean expected) {
        assertThat(TopicMatcher.matches(binding, routing)).isEqualTo(expected);
    }
}
