package io.celeriac.events.state.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounded task table: eviction order, refreshing, and links that stay consistent both ways. */
class TaskLruTest {

    /** The kept ids oldest first, checking the backward links and the map on the way. */
    private static List<String> order(TaskLru lru) {
        List<String> ids = new ArrayList<>();
        TaskNode prev = null;
        for (TaskNode t = lru.oldest(); t != null; t = t.newer) {
            assertThat(t.older).as("backward link of %s", t.uuid).isSameAs(prev);
            assertThat(lru.get(t.uuid)).isSameAs(t);
            ids.add(t.uuid);
            prev = t;
        }
        assertThat(ids).hasSize(lru.size());
        return ids;
    }

    private static TaskNode add(TaskLru lru, String id) {
        TaskNode t = new TaskNode(id);
        assertThat(lru.add(t)).isNull();
        return t;
    }

    @Test
    void theOldestCreatedIsDroppedFirstAndLeavesNoLinks() {
        TaskLru lru = new TaskLru(3);
        TaskNode a = add(lru, "a");
        add(lru, "b");
        add(lru, "c");
        assertThat(order(lru)).containsExactly("a", "b", "c");

        TaskNode dropped = lru.add(new TaskNode("d"));
        assertThat(dropped).isSameAs(a);
        assertThat(a.older).isNull();
        assertThat(a.newer).isNull();
        assertThat(lru.get("a")).isNull();
        assertThat(order(lru)).containsExactly("b", "c", "d");

        assertThat(lru.add(new TaskNode("e")).uuid).isEqualTo("b");
        assertThat(order(lru)).containsExactly("c", "d", "e");
    }

    @Test
    void aLookUpDoesNotRefreshButATouchDoes() {
        TaskLru lru = new TaskLru(3);
        TaskNode a = add(lru, "a");
        TaskNode b = add(lru, "b");
        add(lru, "c");

        assertThat(lru.get("a")).isSameAs(a);
        assertThat(order(lru)).containsExactly("a", "b", "c");

        lru.touch(a);
        assertThat(order(lru)).containsExactly("b", "c", "a");
        assertThat(lru.add(new TaskNode("d"))).isSameAs(b);
        assertThat(order(lru)).containsExactly("c", "a", "d");

        lru.touch(lru.get("d")); // already the freshest
        assertThat(order(lru)).containsExactly("c", "a", "d");
    }

    @Test
    void removingFromAnyPlaceKeepsTheOrder() {
        TaskLru lru = new TaskLru(10);
        TaskNode a = add(lru, "a");
        TaskNode b = add(lru, "b");
        add(lru, "c");
        TaskNode d = add(lru, "d");

        lru.remove(b);
        assertThat(b.older).isNull();
        assertThat(b.newer).isNull();
        assertThat(order(lru)).containsExactly("a", "c", "d");
        lru.remove(a);
        assertThat(order(lru)).containsExactly("c", "d");
        lru.remove(d);
        assertThat(order(lru)).containsExactly("c");
        lru.remove(lru.get("c"));
        assertThat(order(lru)).isEmpty();
        assertThat(lru.oldest()).isNull();

        add(lru, "e");
        assertThat(order(lru)).containsExactly("e");
    }

    @Test
    void aBoundOfOneKeepsTheNewest() {
        TaskLru lru = new TaskLru(1);
        TaskNode a = add(lru, "a");
        assertThat(lru.add(new TaskNode("b"))).isSameAs(a);
        assertThat(order(lru)).containsExactly("b");
    }

    @Test
    void clearForgetsEverything() {
        TaskLru lru = new TaskLru(3);
        add(lru, "a");
        add(lru, "b");
        lru.clear();
        assertThat(lru.size()).isZero();
        assertThat(lru.oldest()).isNull();
        assertThat(lru.get("a")).isNull();
        add(lru, "c");
        assertThat(order(lru)).containsExactly("c");
    }
}
