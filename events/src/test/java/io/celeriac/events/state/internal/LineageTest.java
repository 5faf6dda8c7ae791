package io.celeriac.events.state.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Parent and child links between kept tasks, parked children, and what eviction leaves behind. */
class LineageTest {

    private final TaskLru tasks = new TaskLru(100);
    private final Lineage lineage = new Lineage(tasks);

    /** Keeps a task with this parent id and lets the lineage see it, as the model does after each event. */
    private TaskNode task(String id, String parentId) {
        TaskNode t = tasks.get(id);
        if (t == null) {
            t = new TaskNode(id);
            tasks.add(t);
        }
        t.parentId = parentId;
        lineage.update(t);
        return t;
    }

    private static List<String> children(TaskNode t) {
        List<String> ids = new ArrayList<>();
        if (t.children != null) {
            for (TaskNode c : t.children) {
                ids.add(c.uuid);
            }
        }
        return ids;
    }

    private List<String> order() {
        List<String> ids = new ArrayList<>();
        for (TaskNode t = tasks.oldest(); t != null; t = t.newer) {
            ids.add(t.uuid);
        }
        return ids;
    }

    /** Evicts a task as the model does: out of the table, out of the lineage, released. */
    private void evict(TaskNode t) {
        tasks.remove(t);
        lineage.forget(t);
        t.release();
    }

    @Test
    void aChildOfAKeptParentIsLinkedOnce() {
        TaskNode p = task("p", null);
        p.view();
        TaskNode c = task("c", "p");
        assertThat(c.linkedParent).isSameAs(p);
        assertThat(children(p)).containsExactly("c");
        assertThat(p.view).as("the parent's view lists its children").isNull();

        task("c", "p"); // another event of the child
        assertThat(children(p)).containsExactly("c");
        assertThat(lineage.parkedSize()).isZero();
    }

    @Test
    void aChildSeenBeforeItsParentIsParkedAndAdopted() {
        TaskNode c1 = task("c1", "p");
        TaskNode c2 = task("c2", "p");
        task("c1", "p"); // parked once, however many events
        assertThat(lineage.parkedSize()).isEqualTo(2);
        assertThat(c1.pendingParent).isEqualTo("p");
        assertThat(c1.linkedParent).isNull();

        TaskNode p = task("p", null);
        assertThat(children(p)).containsExactly("c1", "c2");
        assertThat(c1.linkedParent).isSameAs(p);
        assertThat(c2.linkedParent).isSameAs(p);
        assertThat(c1.pendingParent).isNull();
        assertThat(lineage.parkedSize()).isZero();
    }

    @Test
    void linkingAChildRefreshesItsParentInTheMemoryOrder() {
        task("p", null);
        task("x", null);
        task("c", "p");
        assertThat(order()).containsExactly("x", "c", "p");
    }

    @Test
    void adoptingParkedChildrenDoesNotReorderAnything() {
        task("c", "p");
        task("x", null);
        task("p", null);
        assertThat(order()).containsExactly("c", "x", "p");
    }

    @Test
    void aChildWhoseParentIdChangesIsParkedUnderTheNewIdOnly() {
        TaskNode c = task("c", "p1");
        task("c", "p2");
        assertThat(lineage.parkedSize()).isEqualTo(1);
        assertThat(c.pendingParent).isEqualTo("p2");

        TaskNode p1 = task("p1", null);
        assertThat(children(p1)).isEmpty();
        TaskNode p2 = task("p2", null);
        assertThat(children(p2)).containsExactly("c");
        assertThat(lineage.parkedSize()).isZero();
    }

    @Test
    void anEmptyParentIdIsNoParent() {
        TaskNode c = task("c", "");
        assertThat(lineage.parkedSize()).isZero();
        assertThat(c.pendingParent).isNull();
        task("", null); // a task whose id is empty adopts nobody
        assertThat(c.linkedParent).isNull();
    }

    @Test
    void anEvictedChildLeavesItsParentsChildren() {
        TaskNode p = task("p", null);
        TaskNode c1 = task("c1", "p");
        task("c2", "p");
        p.view();

        evict(c1);
        assertThat(children(p)).containsExactly("c2");
        assertThat(p.view).isNull();
    }

    @Test
    void anEvictedParkedChildLeavesTheParkedLists() {
        TaskNode c1 = task("c1", "p");
        task("c2", "p");
        TaskNode c3 = task("c3", "q");
        evict(c1);
        evict(c3);
        assertThat(lineage.parkedSize()).isEqualTo(1);

        TaskNode p = task("p", null);
        assertThat(children(p)).containsExactly("c2");
        TaskNode q = task("q", null);
        assertThat(children(q)).isEmpty();
        assertThat(lineage.parkedSize()).isZero();
    }

    @Test
    void aChildOfAnEvictedParentCanBeEvictedToo() {
        TaskNode p = task("p", null);
        TaskNode c = task("c", "p");
        evict(p);
        assertThat(p.evicted).isTrue();
        evict(c);
        assertThat(c.evicted).isTrue();
        assertThat(lineage.parkedSize()).isZero();
    }

    @Test
    void aChildOfAnEvictedParentIsParkedForTheParentsReturn() {
        TaskNode p = task("p", null);
        TaskNode c = task("c", "p");
        evict(p);
        task("c", "p");
        assertThat(c.pendingParent).isEqualTo("p");

        TaskNode back = task("p", null);
        assertThat(back).isNotSameAs(p);
        assertThat(c.linkedParent).isSameAs(back);
        assertThat(children(back)).containsExactly("c");
    }

    @Test
    void clearForgetsTheParkedChildren() {
        task("c", "p");
        lineage.clear();
        assertThat(lineage.parkedSize()).isZero();
    }
}
