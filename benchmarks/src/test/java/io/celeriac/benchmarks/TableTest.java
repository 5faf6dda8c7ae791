package io.celeriac.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableTest {

    @Test
    void statsGiveMedianSpreadAndNearestRankPercentiles() {
        Stats odd = Stats.of(5, 1, 3);
        assertThat(odd.median()).isEqualTo(3);
        assertThat(odd.min()).isEqualTo(1);
        assertThat(odd.max()).isEqualTo(5);
        assertThat(Stats.of(4, 1, 3, 2).median()).isEqualTo(2.5);
        double[] hundred = new double[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = 100 - i; // 1..100, unsorted
        }
        Stats s = Stats.of(hundred);
        assertThat(s.percentile(50)).isEqualTo(50);
        assertThat(s.percentile(99)).isEqualTo(99);
        assertThat(s.percentile(100)).isEqualTo(100);
        assertThat(s.percentile(0)).isEqualTo(1);
        assertThatThrownBy(Stats::of).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rowsShowMedianSpreadRatiosAndTargets() {
        Row r = new Row("Redis store_result, 1 thread", "ops/s", Stats.of(900, 1000, 1100), "redis-benchmark -c 1 SET",
                Stats.of(1200, 1250, 1300), Stats.of(0.75, 0.8, 0.85), null, null, null)
                .withCelery(Stats.of(250))
                .withTarget("≥0.75× redis-benchmark -c 1", true);
        String md = new Table().add(r).add(Row.plain("heap", "MiB", Stats.of(14.04)).withTarget("≤20", false)).toMarkdown();
        List<String> lines = md.lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).matches("\\|[ |-]+\\|");
        assertThat(lines.get(2)).contains("| 1,000 ops/s ").contains("900–1,100 (3 runs)")
                .contains("redis-benchmark -c 1 SET: 1,250 ops/s").contains("0.80× (0.75×–0.85×)")
                .contains("| 250 ops/s ").contains("| 4.00× ").endsWith("| yes |");
        assertThat(lines.get(3)).contains("14.0 MiB").endsWith("| NO  |");
        assertThat(lines.stream().map(String::length).distinct()).hasSize(1); // aligned columns
    }

    @Test
    void numbersAreRoundedForReading() {
        assertThat(Table.number(123456.7)).isEqualTo("123,457");
        assertThat(Table.number(12.34)).isEqualTo("12.3");
        assertThat(Table.number(1.234)).isEqualTo("1.23");
        assertThat(Table.number(0.01234)).isEqualTo("0.012");
        assertThat(Table.ratio(31.6)).isEqualTo("32×");
        assertThat(Table.ratio(null)).isEmpty();
    }

    @Test
    void optionsCollectEveryProblem() {
        Options quick = Options.parse("--quick", "--only", "redis,events");
        assertThat(quick.runs()).isEqualTo(1);
        assertThat(quick.runs("events")).isTrue();
        assertThat(quick.runs("postgres")).isFalse();
        assertThat(Options.parse("--quick", "--runs", "5").runs()).isEqualTo(5);
        assertThatThrownBy(() -> Options.parse("--runs", "0", "--only", "mongo", "--bogus"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--runs must be 1 to 9")
                .hasMessageContaining("unknown section 'mongo'")
                .hasMessageContaining("unknown argument '--bogus'")
                .hasMessageContaining("usage:");
    }
}
