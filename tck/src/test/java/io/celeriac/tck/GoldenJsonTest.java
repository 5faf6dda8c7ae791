package io.celeriac.tck;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.json.CeleryJson;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON codec against bytes real Celery 5.2.6 wrote: decoding then encoding gives exactly the same
 * bytes, and values decode to the expected Java values.
 */
class GoldenJsonTest {

    @Test
    void everyGoldenMetaReencodesToTheSameBytes() {
        List<String> docs = GoldenCorpus.metaDocuments();
        assertThat(docs).hasSize(50);
        for (String doc : docs) {
            TaskMeta meta = CeleryJson.decodeMeta(doc);
            assertThat(new String(CeleryJson.encodeMeta(meta), StandardCharsets.US_ASCII)).isEqualTo(doc);
            byte[] generic = CeleryJson.encode(CeleryJson.decode(doc));
            assertThat(new String(generic, StandardCharsets.US_ASCII)).isEqualTo(doc);
        }
    }

    @Test
    void everyGoldenGroupReencodesToTheSameBytes() {
        for (String doc : GoldenCorpus.groupDocuments()) {
            GroupResult g = CeleryJson.decodeGroup(doc.getBytes(StandardCharsets.UTF_8));
            assertThat(new String(CeleryJson.encodeGroup(g), StandardCharsets.US_ASCII)).isEqualTo(doc);
        }
    }

    @Test
    void goldenValuesDecodeToTheirJavaValues() {
        Map<String, TaskMeta> byId = new java.util.HashMap<>();
        for (TaskMeta m : GoldenCorpus.metas()) {
            byId.put(m.taskId(), m);
        }
        assertThat(byId.get("59cdce4c-5103-4f81-bf7e-80b20d63d410").result()).isEqualTo(42L);
        assertThat(byId.get("57131a8a-ce78-41b4-a8ca-ce131c47543b").result()).isEqualTo(9007199254740993L);
        assertThat(byId.get("golden-big-negative").result()).isEqualTo(new BigInteger("-123456789012345678901234567890"));
        assertThat(byId.get("golden-int64-max").result()).isEqualTo(Long.MAX_VALUE);
        assertThat(byId.get("golden-int64-min-minus-1").result()).isEqualTo(new BigInteger("-9223372036854775809"));
        assertThat(byId.get("c6f37a98-177b-4754-8a4b-5acf988d2f46").result()).isEqualTo(1.5e-10);
        assertThat(byId.get("golden-nan").result()).isEqualTo(Double.NaN);
        assertThat(byId.get("golden-float-neg-zero").result()).isEqualTo(-0.0);
        assertThat(byId.get("golden-astral").result()).isEqualTo("\uD83D\uDE00\uD800\uDF48");
        assertThat(byId.get("fbc7c639-3f8b-4be3-b378-d2c83f5dfa99").result())
                .isEqualTo("h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \ud83d\ude80 \"quoted\" \\ back\nslash");
        TaskMeta failure = byId.get("a25ae1c1-9bb2-41d7-a04f-01db1b62f37f");
        assertThat(failure.status()).isEqualTo(TaskState.FAILURE);
        assertThat(failure.result()).isEqualTo(new ExceptionInfo("CustomError", List.of("quota exceeded \u2603", 429L), "interop_common"));
        assertThat(failure.dateDone()).isEqualTo(Instant.parse("2026-11-21T12:15:15.783456Z"));
        TaskMeta zero = byId.get("golden-zero-micros");
        assertThat(zero.dateDone()).isEqualTo(Instant.parse("2026-11-21T12:00:00Z"));
        TaskMeta ext = byId.get("golden-ext-group-parent");
        assertThat(ext.extended()).isTrue();
        assertThat(ext.groupId()).isEqualTo("golden-group");
        assertThat(ext.parentId()).isEqualTo("golden-parent");
        assertThat(ext.queue()).isEqualTo("high");
        assertThat(ext.retries()).isEqualTo(2);
        TaskMeta kids = byId.get("golden-children");
        assertThat(kids.children()).hasSize(3);
        assertThat(ResultTuple.fromList(kids.children().get(1))).isEqualTo(ResultTuple.of("golden-child-2", ResultTuple.of("golden-parent")));
        assertThat(ResultTuple.fromList(kids.children().get(2)).isGroup()).isTrue();
        TaskMeta nulls = byId.get("golden-ext-nulls");
        assertThat(nulls.extended()).isTrue();
        assertThat(nulls.queue()).isNull();
    }

    @Test
    void aMetaBuiltInJavaEncodesAsCeleryWould() {
        TaskMeta meta = TaskMeta.builder("t1", TaskState.SUCCESS).result(3L).children(List.of())
                .dateDone(Instant.parse("2026-11-21T12:14:54.518641Z")).groupId("g1").parentId("p0")
                .name("proj.add").args(List.of(1L, 2L)).kwargs(Map.of("x", 1L)).worker("celery@host").retries(0)
                .queue("celery").build();
        assertThat(CeleryJson.encodeMetaToString(meta)).isEqualTo(
                "{\"status\": \"SUCCESS\", \"result\": 3, \"traceback\": null, \"children\": [], \"date_done\": \"2026-11-21T12:14:54.518641\","
                        + " \"group_id\": \"g1\", \"parent_id\": \"p0\", \"name\": \"proj.add\", \"args\": [1, 2], \"kwargs\": {\"x\": 1},"
                        + " \"worker\": \"celery@host\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"t1\"}");
    }
}
