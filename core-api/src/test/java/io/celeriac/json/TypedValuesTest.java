package io.celeriac.json;

import io.celeriac.backend.PeerVersion;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TypedValuesTest {

    private static final PeerVersion V5_3 = new PeerVersion(5, 3);

    @Test
    void kombu53TypedValuesAreReadAsJavaTypes() {
        Object v = CeleryJson.decode("[{\"__type__\": \"datetime\", \"__value__\": \"2026-12-07T01:02:03.456789+00:00\"}, "
                + "{\"__type__\": \"date\", \"__value__\": \"2026-12-07\"}, {\"__type__\": \"decimal\", \"__value__\": \"1.10\"}, "
                + "{\"__type__\": \"uuid\", \"__value__\": {\"hex\": \"12345678123456781234567812345678\"}}, "
                + "{\"__type__\": \"base64\", \"__value__\": \"/wA=\"}, {\"__type__\": \"other\", \"__value__\": 1}, "
                + "{\"__type__\": \"date\", \"__value__\": \"2026-12-07\", \"x\": 1}]");
        List<?> l = (List<?>) v;
        assertThat(l.get(0)).isEqualTo(OffsetDateTime.of(2026, 12, 7, 1, 2, 3, 456_789_000, ZoneOffset.UTC));
        assertThat(l.get(1)).isEqualTo(LocalDate.of(2026, 12, 7));
        assertThat(l.get(2)).isEqualTo(new BigDecimal("1.10"));
        assertThat(l.get(3)).isEqualTo(UUID.fromString("12345678-1234-5678-1234-567812345678"));
        assertThat((byte[]) l.get(4)).containsExactly((byte) 0xff, 0);
        assertThat(l.get(5)).as("an unknown type stays a map").isEqualTo(Map.of("__type__", "other", "__value__", 1L));
        assertThat(l.get(6)).as("a third key: a plain dict").isInstanceOf(Map.class);
        assertThatThrownBy(() -> CeleryJson.decode("{\"__type__\": \"decimal\", \"__value__\": \"one\"}"))
                .isInstanceOf(JsonFormatException.class).hasMessageContaining("decimal");
    }

    @Test
    void javaTypesAreWrittenAsTheVersionsKombuWritesThem() {
        List<Object> v = List.of(LocalDate.of(2026, 12, 7), new BigDecimal("1.10"), "x".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(CeleryJson.encode(v, V5_3), StandardCharsets.US_ASCII)).isEqualTo(
                "[{\"__type__\": \"date\", \"__value__\": \"2026-12-07\"}, {\"__type__\": \"decimal\", \"__value__\": "
                        + "\"1.10\"}, {\"__type__\": \"bytes\", \"__value__\": \"x\"}]");
        assertThat(new String(CeleryJson.encode(v.subList(0, 2), PeerVersion.V5_2), StandardCharsets.US_ASCII))
                .isEqualTo("[\"2026-12-07T00:00:00\", \"1.10\"]");
    }

    @Test
    void aMapThatWouldBeTakenForATypedValueIsRefusedForNewerCelery() {
        Map<String, Object> trap = Map.of("__type__", "date", "__value__", "2026-12-07");
        assertThatThrownBy(() -> CeleryJson.encode(Map.of("user", trap), V5_3))
                .isInstanceOf(JsonFormatException.class).hasMessageContaining("__type__ and __value__");
        // Celery 5.2 reads it as the dict it is
        assertThat(CeleryJson.encode(trap, PeerVersion.V5_2)).isNotEmpty();
    }
}
