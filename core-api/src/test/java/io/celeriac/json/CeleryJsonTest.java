package io.celeriac.json;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CeleryJsonTest {

    @Test
    void escapesExactlyAsEnsureAscii() {
        assertThat(CeleryJson.encodeToString("h\u00e9 \u2713 \ud83d\ude80 \"q\" \\ \n\t\r\b\f\u0000\u001f\u007f~"))
                .isEqualTo("\"h\\u00e9 \\u2713 \\ud83d\\ude80 \\\"q\\\" \\\\ \\n\\t\\r\\b\\f\\u0000\\u001f\\u007f~\"");
    }

    @Test
    void writesNumbersAsPython() {
        assertThat(CeleryJson.encodeToString(Arrays.asList(1, 2L, 3.0, 0.1, 1e16, 1e-5, 5e-324, -0.0,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, new BigInteger("123456789012345678901234567890"),
                0.1f, (short) 7)))
                .isEqualTo("[1, 2, 3.0, 0.1, 1e+16, 1e-05, 5e-324, -0.0, NaN, Infinity, -Infinity, 123456789012345678901234567890, 0.1, 7]");
    }

    @Test
    void writesSeparatorsKeysAndKombuTypes() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("a", null);
        m.put(1L, true);
        m.put(null, false);
        m.put(1.5, "f");
        m.put("when", Instant.parse("2026-11-21T12:00:00Z"));
        m.put("off", OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 123_000, ZoneOffset.ofHours(2)));
        m.put("day", LocalDate.of(2026, 1, 2));
        m.put("dec", new BigDecimal("1.10"));
        m.put("uuid", UUID.fromString("59cdce4c-5103-4f81-bf7e-80b20d63d410"));
        m.put("arr", new int[]{1, 2});
        m.put("exc", ExceptionInfo.builtin("ValueError", "x"));
        assertThat(CeleryJson.encodeToString(m)).isEqualTo("{\"a\": null, \"1\": true, \"null\": false, \"1.5\": \"f\","
                + " \"when\": \"2026-11-21T12:00:00Z\", \"off\": \"2026-01-02T03:04:05.000123+02:00\","
                + " \"day\": \"2026-01-02T00:00:00\", \"dec\": \"1.10\", \"uuid\": \"59cdce4c-5103-4f81-bf7e-80b20d63d410\","
                + " \"arr\": [1, 2], \"exc\": {\"exc_type\": \"ValueError\", \"exc_message\": [\"x\"], \"exc_module\": \"builtins\"}}");
    }

    @Test
    void refusesWhatJsonCannotHold() {
        assertThatThrownBy(() -> CeleryJson.encode(new Object())).isInstanceOf(JsonFormatException.class).hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> CeleryJson.encode(new byte[]{1})).isInstanceOf(JsonFormatException.class);
        List<Object> loop = new java.util.ArrayList<>();
        loop.add(loop);
        assertThatThrownBy(() -> CeleryJson.encode(loop)).isInstanceOf(JsonFormatException.class).hasMessageContaining("nested");
        assertThatThrownBy(() -> CeleryJson.encode(Map.of(List.of(), 1))).isInstanceOf(JsonFormatException.class);
    }

    @Test
    void decodesToPlainJavaValues() {
        Object v = CeleryJson.decode("{\"i\": 1, \"big\": 18446744073709551616, \"f\": 2.5, \"n\": NaN, \"s\": \"\\u00e9\", \"l\": [null, true]}");
        assertThat(v).isEqualTo(Map.of("i", 1L, "big", new BigInteger("18446744073709551616"), "f", 2.5, "n", Double.NaN,
                "s", "\u00e9", "l", Arrays.asList(null, true)));
        assertThatThrownBy(() -> ((Map<?, ?>) v).clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void equalKeysAreOneStringAsPythonsDecoderMemoizesThem() {
        List<?> rows = (List<?>) CeleryJson.decode("[{\"name\": 1}, {\"name\": 2}]".getBytes());
        String first = ((Map<?, ?>) rows.get(0)).keySet().iterator().next().toString();
        String second = ((Map<?, ?>) rows.get(1)).keySet().iterator().next().toString();
        assertThat(second).isSameAs(first);
    }

    @Test
    void badInputIsATypedError() {
        for (String bad : List.of("", "{", "{\"status\": \"SUCCESS\"} trailing", "nul", "[1,]", "{'a': 1}")) {
            assertThatThrownBy(() -> CeleryJson.decode(bad)).as(bad).isInstanceOf(JsonFormatException.class);
        }
        assertThatThrownBy(() -> CeleryJson.decodeMeta("[1, 2]")).isInstanceOf(JsonFormatException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> CeleryJson.decodeMeta("{\"result\": 1}")).isInstanceOf(JsonFormatException.class).hasMessageContaining("status");
        assertThatThrownBy(() -> CeleryJson.decodeMeta("{\"status\": \"SUCCESS\", \"children\": 5}")).hasMessageContaining("children");
        assertThatThrownBy(() -> CeleryJson.decodeMeta("{\"status\": \"SUCCESS\", \"date_done\": \"yesterday\"}")).hasMessageContaining("date_done");
        assertThatThrownBy(() -> CeleryJson.decodeMeta("{\"status\": \"SUCCESS\", \"retries\": \"two\"}")).hasMessageContaining("retries");
        assertThatThrownBy(() -> CeleryJson.decodeGroup("{\"result\": [[\"g\", null], null]}".getBytes())).isInstanceOf(JsonFormatException.class);
    }

    @Test
    void readsEveryDateDoneForm() {
        Instant t = Instant.parse("2026-11-21T12:15:15.771058Z");
        assertThat(CeleryJson.parseDateDone("2026-11-21T12:15:15.771058")).isEqualTo(t);
        assertThat(CeleryJson.parseDateDone("2026-11-21T12:15:15.771058+00:00")).isEqualTo(t);
        assertThat(CeleryJson.parseDateDone("2026-11-21T14:15:15.771058+02:00")).isEqualTo(t);
        assertThat(CeleryJson.parseDateDone("2026-11-21T12:15:15.771058Z")).isEqualTo(t);
        assertThat(CeleryJson.parseDateDone("2026-11-21 12:15:15.771058")).isEqualTo(t);
        assertThat(CeleryJson.parseDateDone("2026-11-21T12:15:15")).isEqualTo(Instant.parse("2026-11-21T12:15:15Z"));
        assertThat(CeleryJson.formatDateDone(Instant.parse("2026-11-21T12:15:15Z"))).isEqualTo("2026-11-21T12:15:15");
        assertThat(CeleryJson.formatDateDone(Instant.parse("2026-11-21T12:15:15.000600Z"))).isEqualTo("2026-11-21T12:15:15.000600");
    }

    @Test
    void exceptionResultsBecomeExceptionInfoOnlyInExceptionStates() {
        String exc = "{\"exc_type\": \"ValueError\", \"exc_message\": [\"x\"], \"exc_module\": \"builtins\"}";
        assertThat(CeleryJson.decodeMeta("{\"status\": \"FAILURE\", \"result\": " + exc + "}").result())
                .isEqualTo(ExceptionInfo.builtin("ValueError", "x"));
        assertThat(CeleryJson.decodeMeta("{\"status\": \"SUCCESS\", \"result\": " + exc + "}").result()).isInstanceOf(Map.class);
        TaskMeta odd = CeleryJson.decodeMeta("{\"status\": \"FAILURE\", \"result\": {\"exc_type\": \"E\", \"exc_message\": \"m\", \"exc_module\": null, \"extra\": 1}}");
        assertThat(odd.result()).isInstanceOf(Map.class);
        assertThat(odd.status()).isEqualTo(TaskState.FAILURE);
    }

    @Test
    void unknownKeysSurviveARoundTrip() {
        String doc = "{\"status\": \"SUCCESS\", \"result\": 1, \"traceback\": null, \"children\": [], \"date_done\": null,"
                + " \"stamped_headers\": [\"s\"], \"s\": \"v\", \"task_id\": \"t\"}";
        TaskMeta m = CeleryJson.decodeMeta(doc);
        assertThat(m.extras()).containsExactly(Map.entry("stamped_headers", List.of("s")), Map.entry("s", "v"));
        assertThat(CeleryJson.encodeMetaToString(m)).isEqualTo(doc);
    }
}
