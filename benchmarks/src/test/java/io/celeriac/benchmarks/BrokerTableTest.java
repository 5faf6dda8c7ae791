package io.celeriac.benchmarks;

import io.celeriac.broker.Message;
import io.celeriac.json.CeleryJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker group's parsing and table logic, without servers. */
class BrokerTableTest {

    @Test
    void brokerStandsForBothBrokerSections() {
        Options both = Options.parse("--only", "broker");
        assertThat(both.runs("broker-redis")).isTrue();
        assertThat(both.runs("broker-amqp")).isTrue();
        assertThat(both.runs("redis")).isFalse();
        Options one = Options.parse("--only", "broker-amqp,statedb");
        assertThat(one.runs("broker-amqp")).isTrue();
        assertThat(one.runs("broker-redis")).isFalse();
        assertThat(one.runs("statedb")).isTrue();
        assertThat(Options.parse().runs("broker-redis")).isTrue(); // a full run includes the brokers
        assertThatThrownBy(() -> Options.parse("--only", "broker-kafka"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown section 'broker-kafka'");
    }

    @Test
    void redisBenchmarkLpushFigureIsRead() {
        String out = "LPUSH: rps=9120.0 (overall: 9033.1) avg_msec=0.101 (overall: 0.103)\r"
                + "LPUSH: 9870.01 requests per second, p50=0.095 msec                    \n\n";
        assertThat(Yardsticks.lpushRate(out)).isEqualTo(9870.01);
        assertThatThrownBy(() -> Yardsticks.lpushRate("ERR unknown command")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void perfTestFigureLeavesTheFirstSecondOut() {
        String out = String.join("\n",
                "id: test-043248-812, starting producer #0",
                "id: test-043248-812, time 1.003 s, sent: 366 msg/s, confirmed: 365 msg/s, nacked: 0 msg/s, min/median/75th/95th/99th confirm latency: 534/2000/3855/5220/8365 µs",
                "id: test-043248-812, time 2.003 s, sent: 403 msg/s, confirmed: 400 msg/s, nacked: 0 msg/s, min/median/75th/95th/99th confirm latency: 448/1415/3718/6228/8798 µs",
                "id: test-043248-812, time 3.003 s, sent: 524 msg/s, confirmed: 500 msg/s, nacked: 0 msg/s, min/median/75th/95th/99th confirm latency: 467/760/2517/5874/9314 µs",
                "test stopped (Reached time limit)",
                "id: test-043248-812, sending rate avg: 429 msg/s",
                "id: test-043248-812, receiving rate avg: 0 msg/s");
        assertThat(Yardsticks.perfTestRate(out)).isEqualTo(450.0);
        assertThat(Yardsticks.perfTestRate("id: x, sending rate avg: 429 msg/s")).isEqualTo(429.0);
        assertThatThrownBy(() -> Yardsticks.perfTestRate("Main thread caught exception")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void perfTestConsumerFigureLeavesStartAndTheDrainedQueueOut() {
        String out = String.join("\n",
                "id: test-045137-080, starting consumer #0",
                "id: test-045137-080, time 1.001 s, received: 12150 msg/s, min/median/75th/95th/99th consumer latency: 0/0/0/0/0 µs",
                "id: test-045137-080, time 2.001 s, received: 9000 msg/s, min/median/75th/95th/99th consumer latency: 0/0/0/0/0 µs",
                "id: test-045137-080, time 3.001 s, received: 8000 msg/s, min/median/75th/95th/99th consumer latency: 0/0/0/0/0 µs",
                "id: test-045137-080, time 4.001 s, received: 1200 msg/s, min/median/75th/95th/99th consumer latency: 0/0/0/0/0 µs",
                "id: test-045137-080, time 5.001 s, received: 0 msg/s, min/median/75th/95th/99th consumer latency: 0/0/0/0/0 µs",
                "test stopped (Reached time limit)",
                "id: test-045137-080, receiving rate avg: 6069 msg/s");
        assertThat(Yardsticks.perfTestConsumeRate(out)).isEqualTo(8500.0);
        assertThat(Yardsticks.perfTestConsumeRate("id: x, time 1.001 s, received: 700 msg/s")).isEqualTo(700.0);
        assertThatThrownBy(() -> Yardsticks.perfTestConsumeRate("id: x, time 1.001 s, received: 0 msg/s\nid: x, time 2.001 s, received: 0 msg/s"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Yardsticks.perfTestConsumeRate("test stopped")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theTaskMessageIsCeleryProtocolTwoWithA200ByteBody() {
        assertThat(TaskMessages.BODY.getBytes(StandardCharsets.UTF_8)).hasSize(TaskMessages.BODY_BYTES);
        assertThat(CeleryJson.decode(TaskMessages.BODY)).isInstanceOf(List.class);
        TaskMessages source = new TaskMessages();
        Message a = source.next();
        Message b = source.next();
        assertThat(a.bodyLength()).isEqualTo(200);
        assertThat(a.headers().keySet()).containsExactly("lang", "task", "id", "shadow", "eta", "expires", "group",
                "group_index", "retries", "timelimit", "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin",
                "ignore_result");
        assertThat(a.header("id")).isEqualTo(a.header("root_id")).isEqualTo(a.correlationId());
        assertThat(b.correlationId()).isNotEqualTo(a.correlationId());
        assertThat(a.replyTo()).isNotNull();
        assertThat(a.deliveryMode()).isEqualTo(Message.PERSISTENT);
        assertThat(a.contentType()).isEqualTo("application/json");
        assertThat(a.contentEncoding()).isEqualTo("utf-8");
    }

    @Test
    void brokerRowsShowRatiosPerRunAndTargets() {
        BrokerBench.Yard yard = new BrokerBench.Yard("redis-benchmark -c 1 LPUSH", new double[] {10_000, 12_000, 8_000});
        double[] celeriac = {8_000, 9_000, 7_200};
        Row sync = BrokerBench.brokerRow(Stats.of(celeriac), celeriac, "Redis publish, 1 thread", yard, 0.7,
                Stats.of(1_000, 1_100, 900), null);
        assertThat(sync.yardstickRatio().median()).isEqualTo(0.8); // 0.8, 0.75, 0.9 per run
        assertThat(sync.met()).isTrue();
        assertThat(sync.celeryRatio()).isEqualTo(8.0);

        Row many = BrokerBench.brokerRow(Stats.of(celeriac), celeriac, "Redis consume+ack", null, null,
                Stats.of(500), "≥10× kombu");
        assertThat(many.target()).isEqualTo("≥10× kombu");
        assertThat(many.met()).isTrue(); // 8,000 / 500 = 16×

        Row missing = BrokerBench.brokerRow(null, celeriac, "Redis publish, 1 thread", yard, 0.7, Stats.of(1_000), "≥10× kombu");
        assertThat(missing.met()).isNull();
        Row noKombu = BrokerBench.brokerRow(Stats.of(celeriac), celeriac, "Redis publishAsync", null, null, null, "≥10× kombu, 1 thread");
        assertThat(noKombu.met()).isNull();

        List<String> lines = new Table().add(sync).add(missing).add(noKombu).toMarkdown().lines().toList();
        assertThat(lines.get(0)).contains("| Celery / kombu ").contains("| × Celery / kombu ");
        assertThat(lines.get(2)).contains("| 8,000 msgs/s ").contains("7,200–9,000 (3 runs)")
                .contains("redis-benchmark -c 1 LPUSH: 10,000 msgs/s").contains("0.80× (0.75×–0.90×)")
                .contains("| 1,000 msgs/s ").contains("| 8.00× ").endsWith("| yes |");
        assertThat(lines.get(3)).contains("| not installed ").contains("redis-benchmark -c 1 LPUSH: 10,000 msgs/s")
                .contains("≥0.7× redis-benchmark -c 1 LPUSH; ≥10× kombu").endsWith("| n/a |");
        assertThat(lines.get(4)).endsWith("| n/a |");
        assertThat(lines.stream().map(String::length).distinct()).hasSize(1);
    }
}
