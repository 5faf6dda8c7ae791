package io.celeriac.events.state.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounded worker table: creation order, the earliest-created dropped first. */
class WorkerTableTest {

    private static List<String> hostnames(WorkerTable table) {
        List<String> out = new ArrayList<>();
        for (WorkerNode w : table.all()) {
            out.add(w.hostname);
        }
        return out;
    }

    @Test
    void theEarliestCreatedIsDroppedFirstAndLookUpsDoNotReorder() {
        WorkerTable table = new WorkerTable(2);
        WorkerNode a = table.create("a");
        table.create("b");
        assertThat(table.get("a")).isSameAs(a);
        table.create("c");
        assertThat(table.get("a")).isNull();
        assertThat(hostnames(table)).containsExactly("b", "c");
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void removeForgetsOnlyTheWorkerKept() {
        WorkerTable table = new WorkerTable(5);
        WorkerNode a = table.create("a");
        table.remove(new WorkerNode("a")); // a transient node of the same name
        assertThat(table.get("a")).isSameAs(a);
        table.remove(a);
        assertThat(table.get("a")).isNull();
        WorkerNode again = table.create("a");
        assertThat(again).isNotSameAs(a);
        assertThat(hostnames(table)).containsExactly("a");
    }

    @Test
    void clearForgetsEveryWorker() {
        WorkerTable table = new WorkerTable(5);
        table.create("a");
        table.create("b");
        table.clear();
        assertThat(table.size()).isZero();
        assertThat(table.all()).isEmpty();
    }
}
