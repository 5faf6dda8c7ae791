package io.celeriac.events.state.internal;

import java.util.Collections;
import java.util.HashSet;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The task names seen (Celery's {@code State.task_types()}): every name a task has had since the last
 * {@code clear}, kept when the task is evicted, as in Celery.
 *
 * <p>Invariant: every kept task's current name is in the set, and its {@code recordedType} is the name it
 * was last recorded under, so that an event that does not change the name costs a string comparison, not a
 * hash look-up.
 *
 * <p>Not thread-safe. The model records names while applying an event or clearing, under
 * {@code MemoryEventState}'s write lock; {@link #sorted} runs under the read lock and changes nothing.
 */
final class TaskTypes {

    private final HashSet<String> names = new HashSet<>();

    /** Records the task's name if it changed since it was last recorded. */
    void record(TaskNode t) {
        String name = t.name;
        if (name != null && !name.equals(t.recordedType)) {
            names.add(name);
            t.recordedType = name;
        }
    }

    /**
     * Forgets every name but those of the kept tasks.
     *
     * @param tasks the kept tasks
     */
    void rebuild(TaskLru tasks) {
        names.clear();
        for (TaskNode t = tasks.oldest(); t != null; t = t.newer) {
            if (t.name != null) {
                names.add(t.name);
            }
            t.recordedType = t.name;
        }
    }

    /** The names, sorted, as a new unmodifiable set. */
    SortedSet<String> sorted() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(names));
    }

    /** The names, sorted, as a new set the caller owns. */
    TreeSet<String> copy() {
        return new TreeSet<>(names);
    }

    /** Forgets every name (for close). */
    void clear() {
        names.clear();
    }
}
