package io.celeriac.spi;

import io.celeriac.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsReaderTest {

    private enum Mode { CREATE, VALIDATE, NONE }

    @Test
    void everyKindReadsItsValuesAndFallsBackToItsDefaultWhenAbsent() {
        SettingsReader r = new SettingsReader(Map.of("n", " 7 ", "b", "On", "s", "0.25", "big", "1e3",
                "c", "FIFO", "e", "schema-mode", "id", "celery_taskmeta", "qid", "public.t1", "sz", "16 MiB",
                "k", "64k"));
        assertThat(r.integer("n", 1, 0, 10)).isEqualTo(7);
        assertThat(r.integer("absent", 3L, 0L, 10L)).isEqualTo(3L);
        assertThat(r.bool("b", false)).isTrue();
        assertThat(r.bool("absent", true)).isTrue();
        assertThat(r.seconds("s", Duration.ZERO, false)).isEqualTo(Duration.ofMillis(250));
        assertThat(r.seconds("big", Duration.ZERO, false)).isEqualTo(Duration.ofSeconds(1000));
        assertThat(r.seconds("absent", Duration.ofSeconds(9), false)).isEqualTo(Duration.ofSeconds(9));
        assertThat(r.choice("c", "priority", Set.of("round_robin", "fifo", "priority"))).isEqualTo("fifo");
        assertThat(r.choice("absent", Mode.CREATE, Mode.class)).isEqualTo(Mode.CREATE);
        assertThat(r.identifier("id", "x")).isEqualTo("celery_taskmeta");
        assertThat(r.identifier("qid", "x")).isEqualTo("public.t1");
        assertThat(r.size("sz", 0, 0, Long.MAX_VALUE)).isEqualTo(16L << 20);
        assertThat(r.size("k", 0, 0, Long.MAX_VALUE)).isEqualTo(64L << 10);
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void everyProblemIsCollectedWithOneWordingAndTheDefaultIsKept() {
        SettingsReader r = new SettingsReader(Map.of("n", "99", "w", "seven", "b", "maybe", "s", "-1",
                "z", "0", "nan", "nan", "c", "lifo", "e", "sometimes", "id", "1table; drop", "sz", "12 parsecs"));
        assertThat(r.integer("n", 5, 0, 10)).isEqualTo(5);
        assertThat(r.integer("w", 5, 0, 10)).isEqualTo(5);
        assertThat(r.bool("b", true)).isTrue();
        assertThat(r.seconds("s", Duration.ofSeconds(1), true)).isEqualTo(Duration.ofSeconds(1));
        assertThat(r.seconds("z", Duration.ofSeconds(1), false)).isEqualTo(Duration.ofSeconds(1));
        assertThat(r.seconds("nan", Duration.ofSeconds(1), true)).isEqualTo(Duration.ofSeconds(1));
        assertThat(r.choice("c", "fifo", Set.of("fifo", "priority"))).isEqualTo("fifo");
        assertThat(r.choice("e", Mode.NONE, Mode.class)).isEqualTo(Mode.NONE);
        assertThat(r.identifier("id", "t")).isEqualTo("t");
        assertThat(r.size("sz", 1, 0, 100)).isEqualTo(1);
        assertThat(r.problems()).containsExactly(
                "n must be an integer from 0 to 10, not '99'",
                "w must be an integer from 0 to 10, not 'seven'",
                "b must be true or false (also yes/no, on/off, 1/0), not 'maybe'",
                "s must be a number of seconds from 0 to 31536000, not '-1'",
                "z must be a number of seconds above 0 to 31536000, not '0'",
                "nan must be a number of seconds from 0 to 31536000, not 'nan'",
                "c must be one of fifo, priority, not 'lifo'",
                "e must be one of create, none, validate, not 'sometimes'",
                "id must be an identifier (a letter or _, then letters, digits or _, at most 63; one . may qualify it),"
                        + " not '1table; drop'",
                "sz must be a size from 0 to 100 bytes (units k, m, g), not '12 parsecs'");
        assertThatThrownBy(() -> r.validate("Invalid broker URL amqp://guest:**@h//"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("Invalid broker URL amqp://guest:**@h//: 10 problems:")
                .hasMessageContaining("  1) n must be an integer");
    }

    @Test
    void secondsHonourTheCallersUpperBoundAndTheYearCap() {
        SettingsReader r = new SettingsReader(Map.of("day", "86401", "year", "31536001", "ok", "86400"));
        assertThat(r.seconds("day", Duration.ZERO, true, Duration.ofDays(1))).isEqualTo(Duration.ZERO);
        assertThat(r.seconds("year", Duration.ZERO, true)).isEqualTo(Duration.ZERO);
        assertThat(r.seconds("ok", Duration.ZERO, true, Duration.ofDays(1))).isEqualTo(Duration.ofDays(1));
        assertThat(r.problems()).containsExactly("day must be a number of seconds from 0 to 86400, not '86401'",
                "year must be a number of seconds from 0 to 31536000, not '31536001'");
    }
}
