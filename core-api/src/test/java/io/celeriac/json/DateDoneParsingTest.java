package io.celeriac.json;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link CeleryJson#parseDateDone}'s fast path for Celery's naive form agrees with the general parser. */
class DateDoneParsingTest {

    @Test
    void everyNaiveFormReadsAsTheSameInstant() {
        Random random = new Random(42);
        for (int i = 0; i < 1_500; i++) {
            long seconds = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond() + (long) (random.nextDouble() * 4_102_444_800L);
            int nanos = random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000);
            Instant t = Instant.ofEpochSecond(seconds, nanos);
            LocalDateTime local = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
            String base = local.format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss"));
            String fraction = String.format("%09d", nanos);
            for (int digits = 0; digits <= 9; digits++) {
                String text = digits == 0 ? base : base + "." + fraction.substring(0, digits);
                Instant expected = Instant.ofEpochSecond(seconds, digits == 0 ? 0
                        : Integer.parseInt(fraction.substring(0, digits)) * (int) Math.pow(10, 9 - digits));
                assertThat(CeleryJson.parseDateDone(text)).as(text).isEqualTo(expected);
                assertThat(CeleryJson.parseDateDone(text.replace('T', ' '))).as(text).isEqualTo(expected);
            }
            String celery = CeleryJson.formatDateDone(t.minusNanos(t.getNano() % 1000));
            assertThat(CeleryJson.parseDateDone(celery)).isEqualTo(t.minusNanos(t.getNano() % 1000));
        }
    }

    @Test
    void otherFormsStillGoThroughTheGeneralParser() {
        assertThat(CeleryJson.parseDateDone("2024-02-29T23:59:59.5+01:00")).isEqualTo(Instant.parse("2024-02-29T22:59:59.5Z"));
        assertThat(CeleryJson.parseDateDone("2024-02-29T23:59:59Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59Z"));
        for (String bad : new String[]{"2026-13-01T00:00:00", "2026-11-21T12:15:15.", "2026-11-21T12:15:15.1234567890",
                "2026-11-21X12:15:15", "2026-1l-21T12:15:15", "not a date", "2026-11-21T25:00:00"}) {
            assertThatThrownBy(() -> CeleryJson.parseDateDone(bad)).as(bad).isInstanceOf(JsonFormatException.class);
        }
        // the general parser's smart resolution of an impossible day, kept as it was
        assertThat(CeleryJson.parseDateDone("2026-02-30T00:00:00")).isEqualTo(Instant.parse("2026-02-28T00:00:00Z"));
    }
}
