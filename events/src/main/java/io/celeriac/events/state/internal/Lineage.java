package io.celeriac.events.state.internal;

import java.util.ArrayList;
import java.util.HashMap;

/**
 * The parent/child links between kept tasks: Celery's {@code Task.parent}/{@code children} and
 * {@code State._tasks_to_resolve}. A task whose {@code parent_id} names a kept task is linked to it (in the
 * parent's {@code children} and as the child's {@code linkedParent}); one whose parent is not kept yet is
 * parked under the parent's id until a task with that id arrives, which adopts it.
 *
 * <p>Invariants: a parked child is in exactly one parked list, the one under its {@code pendingParent};
 * an empty list is never kept, so the parked children are bounded by the kept tasks; a task
 * {@linkplain #forget forgotten} on eviction is in no parked list and in the children of no kept parent.
 * Linking a child refreshes its parent in the {@link TaskLru} (Celery reads the parent through the LRU
 * getter). The root id is a plain field of each task and needs no link.
 *
 * <p>Not thread-safe. The model calls {@link #update} and {@link #forget} while applying an event or
 * clearing, under {@code MemoryEventState}'s write lock; {@link #parkedSize} runs under the read lock and
 * changes nothing.
 */
final class Lineage {

    private final TaskLru tasks;
    /** Celery's {@code _tasks_to_resolve}: children seen before their parent, by parent id. */
    private final HashMap<String, ArrayList<TaskNode>> parked = new HashMap<>();

    /**
     * @param tasks the kept tasks, where parents are looked up
     */
    Lineage(TaskLru tasks) {
        this.tasks = tasks;
    }

    /**
     * Links a task an event just changed: to its parent when that is kept (refreshing the parent), else
     * parks it under the parent's id; then adopts the children parked waiting for this task.
     *
     * @param t a kept task
     */
    void update(TaskNode t) {
        String parentId = t.parentId;
        if (parentId != null && !parentId.isEmpty()) {
            TaskNode parent = tasks.get(parentId);
            if (parent == null) {
                park(t, parentId);
            } else {
                tasks.touch(parent); // Celery looks the parent up through the LRU getter, refreshing it
                if (t.linkedParent != parent) {
                    parent.addChild(t);
                    t.linkedParent = parent;
                    parent.view = null;
                }
            }
        }
        if (!parked.isEmpty()) {
            ArrayList<TaskNode> waiting = parked.remove(t.uuid);
            if (waiting != null) {
                for (TaskNode c : waiting) {
                    c.pendingParent = null;
                    t.addChild(c);
                    c.linkedParent = t;
                }
            }
        }
    }

    /**
     * Takes an evicted task out of its parent's children and out of the parked lists; call it before
     * {@link TaskNode#release()}, which drops the links this reads.
     *
     * @param t a task no longer kept
     */
    void forget(TaskNode t) {
        TaskNode parent = t.linkedParent;
        if (parent != null && !parent.evicted) {
            parent.removeChild(t);
            parent.view = null;
        }
        unpark(t);
    }

    /** How many children wait for their parent. */
    int parkedSize() {
        int n = 0;
        for (ArrayList<TaskNode> l : parked.values()) {
            n += l.size();
        }
        return n;
    }

    /** Forgets every parked child (for close). */
    void clear() {
        parked.clear();
    }

    private void park(TaskNode child, String parentId) {
        if (parentId.equals(child.pendingParent)) {
            return;
        }
        unpark(child);
        parked.computeIfAbsent(parentId, k -> new ArrayList<>(2)).add(child);
        child.pendingParent = parentId;
    }

    private void unpark(TaskNode child) {
        String p = child.pendingParent;
        if (p != null) {
            ArrayList<TaskNode> list = parked.get(p);
            if (list != null) {
                list.remove(child);
                if (list.isEmpty()) {
                    parked.remove(p);
                }
            }
            child.pendingParent = null;
        }
    }
}
