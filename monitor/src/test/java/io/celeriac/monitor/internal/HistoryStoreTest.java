package io.celeriac.monitor.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The history store on a real SQLite file: merging partial views, the count and age bounds, searches. */
class HistoryStoreTest {

    static Map<String, Object> task(String uuid, String name, String state, double ts, String args) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uuid", uuid);
        m.put("name", name);
        m.put("state", state);
        m.put("received", name == null ? null : ts - 1);
        m.put("args", args);
        m.put("timestamp", ts);
        m.put("children", List.of());
        m.put("worker", "w1@host");
        return m;
    }

    static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aPartialViewKeepsWhatWasStoredAndAFinishedTaskStaysFinished(@TempDir Path dir) {
        try (HistoryStore h = new HistoryStore(dir.resolve("h.db"), 100, 1e9, 2)) {
            h.write(List.of(task("a", "proj.add", "SUCCESS", 100, "(1, 2)")));
            // after a restart the state knows only the latest event: no name, no args, a late state
            h.write(List.of(task("a", null, "STARTED", 90, null)));
            Map<String, Object> a = h.get("a").orElseThrow();
            assertThat(a).containsEntry("name", "proj.add").containsEntry("args", "(1, 2)")
                    .containsEntry("state", "SUCCESS").containsEntry("timestamp", 100.0);
            assertThat(h.search(TaskQuery.parse(params("state", "SUCCESS"), 10))).hasSize(1);
        }
    }

    @Test
    void theCountAndAgeBoundsDropTheOldest(@TempDir Path dir) {
        try (HistoryStore h = new HistoryStore(dir.resolve("h.db"), 5, 1000, 2)) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                batch.add(task("t" + i, "proj.t", "SUCCESS", 10_000 + i, "(" + i + ",)"));
            }
            batch.add(task("old", "proj.t", "SUCCESS", 100, "()"));
            h.write(batch);
            h.refreshCounts();
            assertThat(h.size()).isEqualTo(11);
            long dropped = h.prune(10_500);
            assertThat(dropped).isEqualTo(6);
            assertThat(h.size()).isEqualTo(5);
            List<Object> left = h.search(TaskQuery.parse(params(), 0)).stream().map(t -> t.get("uuid")).toList();
            assertThat(left).containsExactly("t9", "t8", "t7", "t6", "t5");
        }
    }

    @Test
    void searchesFilterSortAndEscape(@TempDir Path dir) {
        try (HistoryStore h = new HistoryStore(null, 100, 1e9, 2)) {
            h.write(List.of(task("x1", "proj.add", "SUCCESS", 1, "(100, 1)"),
                    task("x2", "proj.mul", "FAILURE", 2, "('50%_off',)"),
                    task("x3", "proj.add", "STARTED", 3, "(7, 7)")));
            assertThat(ids(h, "taskname", "proj.add")).containsExactly("x3", "x1");
            assertThat(ids(h, "state", "SUCCESS,FAILURE")).containsExactly("x2", "x1");
            assertThat(ids(h, "search", "50%_")).containsExactly("x2");
            assertThat(ids(h, "search", "0%")).containsExactly("x2");
            assertThat(ids(h, "search", "args:100")).containsExactly("x1");
            assertThat(ids(h, "search", "name:mul state:failure")).containsExactly("x2");
            assertThat(ids(h, "sort_by", "name")).containsExactly("x3", "x1", "x2");
            assertThat(ids(h, "limit", "1", "offset", "1")).containsExactly("x2");
            assertThat(h.count(TaskQuery.parse(params(), 0), 2)).isEqualTo(2);
            assertThat(h.names()).containsExactly("proj.add", "proj.mul");
            assertThat(h.file()).isNull();
        }
    }

    private static List<Object> ids(HistoryStore h, String... kv) {
        return h.search(TaskQuery.parse(params(kv), 0)).stream().map(t -> t.get("uuid")).toList();
    }
}
