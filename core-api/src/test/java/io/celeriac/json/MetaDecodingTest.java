package io.celeriac.json;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.internal.KombuJsonReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The meta read path ({@link KombuJsonReader#readMeta}, {@link CeleryJson#decodeMeta(byte[], String)}) gives
 * exactly what the general reader and {@link CeleryJson#metaFromValue} give, for every shape of document.
 */
class MetaDecodingTest {

    private static final List<String> DOCS = List.of(
            "{\"status\": \"SUCCESS\", \"result\": \"xx\", \"traceback\": null, \"children\": [], "
                    + "\"date_done\": \"2026-11-21T12:14:54.518641\", \"task_id\": \"a\"}",
            "{\"status\": \"SUCCESS\", \"result\": {\"status\": 1, \"result\": [2]}, \"task_id\": \"nested keys\"}",
            // duplicates: first position, last value
            "{\"result\": 1, \"status\": \"SUCCESS\", \"result\": 2, \"zz\": 1, \"status\": \"FAILURE\", \"zz\": 3}",
            // an escaped known key is the same key
            "{\"st\\u0061tus\": \"SUCCESS\", \"status\": \"RETRY\", \"result\": null}",
            // non-ASCII and long keys, extras in order
            "{\"status\": \"PROGRESS\", \"r\u00e9sultat\": 1, \"a_very_long_key_name\": 2, \"statu\": 3, \"statuss\": 4, \"\": 5}",
            "{\"status\": \"FAILURE\", \"result\": {\"exc_type\": \"ValueError\", \"exc_message\": [\"bad\"], "
                    + "\"exc_module\": \"builtins\"}, \"traceback\": \"Traceback\", \"parent_id\": \"p\", \"group_id\": \"g\"}",
            "{\"status\": \"SUCCESS\", \"name\": \"t\", \"args\": [1], \"kwargs\": {\"k\": \"v\"}, \"worker\": \"w\", "
                    + "\"retries\": 2, \"queue\": \"q\", \"result\": 1}",
            "  {\"status\"  :  \"SUCCESS\" , \"result\":[ ] }  ");

    @Test
    void readMetaReadsTheSameValueAsRead() {
        List<String> docs = new ArrayList<>(DOCS);
        docs.add(manyKeys(15));
        docs.add(manyKeys(16));
        docs.add(manyKeys(17)); // past the small-object bound: a hash map from then on
        docs.add(manyKeys(40));
        docs.add("{}");
        docs.add("[1, {\"status\": 2}]");
        docs.add("\"status\"");
        for (String doc : docs) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            Object general = KombuJsonReader.read(bytes);
            Object meta = KombuJsonReader.readMeta(bytes);
            assertThat(meta).as(doc).isEqualTo(general);
            assertThat(meta.hashCode()).as(doc).isEqualTo(general.hashCode());
            if (general instanceof Map<?, ?> g) {
                assertThat(new ArrayList<>(((Map<?, ?>) meta).keySet())).as(doc).isEqualTo(new ArrayList<>(g.keySet()));
                assertThat(meta.toString()).isEqualTo(general.toString());
            }
        }
    }

    @Test
    void theTopLevelObjectIsUnmodifiable() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) KombuJsonReader.readMeta(DOCS.get(0).getBytes(StandardCharsets.UTF_8));
        assertThat(m.get("status")).isEqualTo("SUCCESS");
        assertThat(m.containsKey("traceback")).isTrue();
        assertThat(m.get("traceback")).isNull();
        assertThat(m.containsKey("missing")).isFalse();
        assertThat(m.get(42)).isNull();
        assertThatThrownBy(() -> m.put("status", "x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> m.remove("status")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> m.entrySet().iterator().next().setValue("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void decodeMetaGivesWhatMetaFromValueGives() {
        List<String> docs = new ArrayList<>(DOCS);
        docs.add(manyKeys(40));
        for (String doc : docs) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            TaskMeta expected = CeleryJson.metaFromValue(CeleryJson.decode(bytes), "default-id");
            TaskMeta got = CeleryJson.decodeMeta(bytes, "default-id");
            assertThat(got).as(doc).isEqualTo(expected);
            assertThat(got.extras()).as(doc).containsExactlyEntriesOf(expected.extras());
        }
        TaskMeta failure = CeleryJson.decodeMeta(DOCS.get(5).getBytes(StandardCharsets.UTF_8), "x");
        assertThat(failure.status()).isEqualTo(TaskState.FAILURE);
        assertThat(failure.result()).isEqualTo(new ExceptionInfo("ValueError", List.of("bad"), "builtins"));
        assertThat(CeleryJson.decodeMeta(DOCS.get(2).getBytes(StandardCharsets.UTF_8), "x").status()).isEqualTo(TaskState.FAILURE);
        assertThat(CeleryJson.decodeMeta(DOCS.get(3).getBytes(StandardCharsets.UTF_8), "x").status()).isEqualTo(TaskState.RETRY);
    }

    @Test
    void decodeMetaFailsAsTheGeneralPathFails() {
        for (String doc : List.of("[1]", "{\"status\": 1}", "{\"result\": 1}", "{\"status\": \"SUCCESS\", \"children\": 1}",
                "{\"status\": \"SUCCESS\"", "{\"status\": \"SUCCESS\",}", "{\"stat")) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            String expected = null;
            try {
                CeleryJson.metaFromValue(CeleryJson.decode(bytes), null);
            } catch (JsonFormatException e) {
                expected = e.getMessage();
            }
            assertThat(expected).as(doc).isNotNull();
            assertThatThrownBy(() -> CeleryJson.decodeMeta(bytes, null)).as(doc)
                    .isInstanceOf(JsonFormatException.class).hasMessage(expected);
        }
    }

    private static String manyKeys(int n) {
        StringBuilder sb = new StringBuilder("{\"status\": \"SUCCESS\"");
        for (int i = 0; i < n; i++) {
            sb.append(", \"k").append(i % (n - 2)).append("\": ").append(i); // a few duplicates at the end
        }
        return sb.append(", \"result\": 7}").toString();
    }
}
