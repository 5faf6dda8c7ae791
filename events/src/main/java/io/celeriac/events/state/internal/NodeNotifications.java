package io.celeriac.events.state.internal;

import io.celeriac.events.WorkerInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * The worker joins and leaves that applied events caused, queued until {@code MemoryEventState} tells its
 * node listeners: the model records the worker, the state drains them as views made at drain time.
 *
 * <p>Invariant: notifications drain in the order they were recorded, each once; a worker that joined and
 * left within one batch is reported both times.
 *
 * <p>Not thread-safe: recorded by the model while applying an event and drained by
 * {@code MemoryEventState} before it releases the write lock, both under that lock.
 */
final class NodeNotifications {

    /** The workers, and whether each joined (else left). */
    private final ArrayList<WorkerNode> nodes = new ArrayList<>(2);
    private final ArrayList<Boolean> joined = new ArrayList<>(2);

    /** Records that a worker joined. */
    void joined(WorkerNode w) {
        nodes.add(w);
        joined.add(Boolean.TRUE);
    }

    /** Records that a worker left. */
    void left(WorkerNode w) {
        nodes.add(w);
        joined.add(Boolean.FALSE);
    }

    /** Whether anything waits to be drained. */
    boolean isEmpty() {
        return nodes.isEmpty();
    }

    /**
     * Takes every recorded notification, as views made now.
     *
     * @param now the time the views are made at, epoch seconds
     * @param joins receives joined workers
     * @param leaves receives workers that left
     * @return whether there were any
     */
    boolean drain(double now, List<WorkerInfo> joins, List<WorkerInfo> leaves) {
        if (nodes.isEmpty()) {
            return false;
        }
        for (int i = 0; i < nodes.size(); i++) {
            WorkerInfo v = nodes.get(i).view(now);
            (joined.get(i) ? joins : leaves).add(v);
        }
        clear();
        return true;
    }

    /** Forgets what was recorded. */
    void clear() {
        nodes.clear();
        joined.clear();
    }
}
