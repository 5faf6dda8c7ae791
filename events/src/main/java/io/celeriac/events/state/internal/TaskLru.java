package io.celeriac.events.state.internal;

import java.util.HashMap;

/**
 * The kept tasks by id, in memory order, bounded (Celery's {@code State.tasks}, an {@code LRUCache} of
 * {@code max_tasks_in_memory}): a hash map for the look-ups and a doubly linked list through
 * {@code TaskNode.older}/{@code newer} for the order, so that adding, refreshing and dropping are
 * O(1) and walking the tasks oldest first allocates nothing.
 *
 * <p>Invariants: the map and the list hold the same tasks; {@link #oldest()} is the head of the list and
 * {@code newest} its tail; the list is in creation order except that {@link #touch} moves a task to the
 * fresh end (the model touches a task when it is looked up as a parent, as Celery's LRU getter does; a plain
 * {@link #get} does not refresh); after {@link #add} returns, at most {@code max} tasks are kept, the
 * excess having been dropped from the stale end. A task taken out (dropped or {@link #remove}d) has no
 * links left; what else refers to it (its parent and children, the time index) is the caller's business.
 *
 * <p>Not thread-safe. The model mutates it while applying an event, under {@code MemoryEventState}'s write
 * lock; readers ({@link #get}, {@link #size}, walking from {@link #oldest()}) run under the read lock,
 * possibly several at once, and change nothing.
 */
final class TaskLru {

    private final int max;
    private final HashMap<String, TaskNode> byId;
    private TaskNode oldest;
    private TaskNode newest;

    /**
     * @param max the most tasks kept, positive
     */
    TaskLru(int max) {
        this.max = max;
        this.byId = new HashMap<>((int) Math.min(max + 1L, 1 << 17) * 4 / 3 + 1);
    }

    /** The kept task with this id, or null; does not refresh it. */
    TaskNode get(String uuid) {
        return byId.get(uuid);
    }

    /** How many tasks are kept. */
    int size() {
        return byId.size();
    }

    /** The stalest kept task, or null; walk on with {@code TaskNode.newer}. */
    TaskNode oldest() {
        return oldest;
    }

    /**
     * Keeps a new task at the fresh end; when that makes one too many, drops the stalest task.
     *
     * @param t a task not kept yet
     * @return the task dropped (out of the map and the list, not yet released), or null
     */
    TaskNode add(TaskNode t) {
        byId.put(t.uuid, t);
        link(t);
        if (byId.size() > max) {
            TaskNode drop = oldest;
            remove(drop);
            return drop;
        }
        return null;
    }

    /** Moves a kept task to the fresh end (Celery's LRU getter). */
    void touch(TaskNode t) {
        if (newest != t) {
            unlink(t);
            link(t);
        }
    }

    /** Takes a kept task out of the map and the list. */
    void remove(TaskNode t) {
        byId.remove(t.uuid);
        unlink(t);
    }

    /** Forgets every task without touching them (the caller releases them first if it needs to). */
    void clear() {
        byId.clear();
        oldest = null;
        newest = null;
    }

    private void link(TaskNode t) {
        t.older = newest;
        t.newer = null;
        if (newest != null) {
            newest.newer = t;
        } else {
            oldest = t;
        }
        newest = t;
    }

    private void unlink(TaskNode t) {
        if (t.older != null) {
            t.older.newer = t.newer;
        } else {
            oldest = t.newer;
        }
        if (t.newer != null) {
            t.newer.older = t.older;
        } else {
            newest = t.older;
        }
        t.older = null;
        t.newer = null;
    }
}
