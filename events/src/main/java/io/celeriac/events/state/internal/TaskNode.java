package io.celeriac.events.state.internal;

import io.celeriac.backend.TaskState;
import io.celeriac.events.TaskInfo;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The mutable record of one task inside a {@link ClusterModel}: Celery's {@code Task} fields, unboxed where
 * possible ({@code NaN} is an absent time), plus the links the model's parts maintain (memory order:
 * {@link TaskLru}; parent, children, pending parent: {@link Lineage}) and a cached frozen view. Not
 * thread-safe; only the model and its parts touch it, under the state's lock.
 */
public final class TaskNode {

    final String uuid;
    String name;
    TaskState state = TaskState.PENDING;
    int precedence = Subjects.PENDING_PRECEDENCE;
    double received = Double.NaN;
    double sent = Double.NaN;
    double started = Double.NaN;
    double rejected = Double.NaN;
    double succeeded = Double.NaN;
    double failed = Double.NaN;
    double retried = Double.NaN;
    double revoked = Double.NaN;
    String args;
    String kwargs;
    String eta;
    String expires;
    Integer retries;
    WorkerNode worker;
    String result;
    String exception;
    double timestamp = Double.NaN;
    double runtime = Double.NaN;
    String traceback;
    String exchange;
    String routingKey;
    long clock;
    String client;
    String rootId;
    String parentId;
    LinkedHashSet<TaskNode> children;
    SmallMap extra;

    // model bookkeeping
    TaskNode older;
    TaskNode newer;
    boolean evicted;
    TaskNode linkedParent;
    String pendingParent;
    String recordedType;
    TaskInfo view;

    TaskNode(String uuid) {
        this.uuid = uuid;
    }

    /**
     * The task's id.
     *
     * @return the uuid
     */
    public String uuid() {
        return uuid;
    }

    /**
     * Whether the task was evicted or cleared: the time index may still point at it, but it is gone.
     *
     * @return {@code true} when gone
     */
    public boolean evicted() {
        return evicted;
    }

    String origin() {
        return worker == null ? client : worker.id();
    }

    void addChild(TaskNode child) {
        if (children == null) {
            children = new LinkedHashSet<>(4);
        }
        children.add(child);
    }

    void removeChild(TaskNode child) {
        if (children != null) {
            children.remove(child);
        }
    }

    /** Drops what an evicted task holds, so the time index's stale entries stay small. */
    void release() {
        evicted = true;
        args = null;
        kwargs = null;
        result = null;
        exception = null;
        traceback = null;
        extra = null;
        children = null;
        linkedParent = null;
        older = null;
        newer = null;
        view = null;
    }

    TaskInfo view() {
        TaskInfo v = view;
        if (v == null) {
            v = build();
            view = v;
        }
        return v;
    }

    private static Double boxed(double d) {
        return Double.isNaN(d) ? null : d;
    }

    private TaskInfo build() {
        List<String> kids;
        if (children == null || children.isEmpty()) {
            kids = List.of();
        } else {
            kids = new ArrayList<>(children.size());
            for (TaskNode c : children) {
                kids.add(c.uuid);
            }
        }
        Map<String, Object> x = extra == null ? Map.of() : extra.view();
        return new TaskInfo(uuid, name, state, boxed(received), boxed(sent), boxed(started), boxed(rejected),
                boxed(succeeded), boxed(failed), boxed(retried), boxed(revoked), args, kwargs, eta, expires, retries,
                worker == null ? null : worker.hostname, result, exception, boxed(timestamp), boxed(runtime),
                traceback, exchange, routingKey, clock, client, rootId, parentId, kids, x);
    }
}
