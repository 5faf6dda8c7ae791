package io.celeriac.events.state.internal;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The kept workers by hostname, in creation order, bounded (Celery's {@code State.workers}, an
 * {@code LRUCache} of {@code max_workers_in_memory} that the dispatcher reads without refreshing).
 *
 * <p>Invariants: iteration is in creation order (looking a worker up does not reorder it); after
 * {@link #create} returns, at most {@code max} workers are kept, the earliest-created dropped first. A
 * dropped worker is not reported as having left (nor is it in Celery).
 *
 * <p>Not thread-safe. The model mutates it while applying an event or clearing, under
 * {@code MemoryEventState}'s write lock; readers ({@link #get}, {@link #all}) run under the read lock,
 * possibly several at once, and change nothing.
 */
final class WorkerTable {

    private final int max;
    private final LinkedHashMap<String, WorkerNode> byHostname = new LinkedHashMap<>();

    /**
     * @param max the most workers kept, positive
     */
    WorkerTable(int max) {
        this.max = max;
    }

    /** The kept worker of this hostname, or null. */
    WorkerNode get(String hostname) {
        return byHostname.get(hostname);
    }

    /**
     * Creates and keeps a worker; when that makes one too many, drops the earliest-created.
     *
     * @param hostname a hostname not kept yet
     * @return the new worker
     */
    WorkerNode create(String hostname) {
        WorkerNode w = new WorkerNode(hostname);
        byHostname.put(hostname, w);
        if (byHostname.size() > max) {
            Iterator<WorkerNode> it = byHostname.values().iterator();
            it.next();
            it.remove();
        }
        return w;
    }

    /** Forgets this worker, if it is still the one kept under its hostname. */
    void remove(WorkerNode w) {
        byHostname.remove(w.hostname, w);
    }

    /** The kept workers, earliest-created first; a live view, not to be changed. */
    Collection<WorkerNode> all() {
        return byHostname.values();
    }

    /** How many workers are kept. */
    int size() {
        return byHostname.size();
    }

    /** Forgets every worker. */
    void clear() {
        byHostname.clear();
    }
}
