package io.celeriac.events.state.internal;

import io.celeriac.backend.TaskState;

/**
 * The merge rules of one task event into its task: Celery's {@code Task.event}, with the fixes the README
 * lists under "Differences from Celery" (marked {@code FIX}).
 *
 * <p>An event is <em>late</em> when its state ranks below the task's (Celery's precedence, lower is
 * stronger), except that an event after a RETRY is never late, and a RETRY or REJECTED event is late only
 * when the task is already finished. Invariants: an in-order event sets the state, precedence, timestamp,
 * clock, worker and the time of its subject, and overwrites every field it carries (a null included); a
 * late event changes none of state, precedence, timestamp and clock, and only fills what is still empty
 * (the worker, the time of its subject, the fields it carries; a late {@code task-received} only Celery's
 * merge fields: name, args, kwargs, parent and root id, retries, eta, expires); a number field given
 * anything but a number or null is ignored either way.
 *
 * <p>Stateless, so thread-safe in itself; the model calls it on a {@link TaskNode} while applying an event,
 * under {@code MemoryEventState}'s write lock.
 */
final class TaskMerge {

    private TaskMerge() {
    }

    /**
     * Merges one parsed event into its task and drops the task's cached view.
     *
     * @param t the task
     * @param ev the event's fields
     * @param kind the event's {@link Subjects} kind
     * @param state the state the event means
     * @param precedence that state's precedence
     * @param timestamp the event's timestamp
     * @param clock the event's clock (0 when it had none)
     * @param worker the worker that sent it, or null for {@code task-sent}
     */
    static void merge(TaskNode t, TaskEvent ev, int kind, TaskState state, int precedence, double timestamp,
                      long clock, WorkerNode worker) {
        boolean late = isLate(t, state, precedence);
        if (kind != Subjects.CUSTOM) {
            setSubjectTime(t, kind, timestamp, late);
        }
        applyFields(t, ev, late, late && kind == Subjects.RECEIVED);
        if (!late) {
            t.state = state;
            t.precedence = precedence;
            t.timestamp = timestamp;
            t.clock = clock;
        }
        if (worker != null && (!late || t.worker == null)) {
            t.worker = worker; // FIX: a late event does not move the task to an older worker
        }
        t.view = null;
    }

    /**
     * Whether an event of this state is logically older than the task's state.
     *
     * @param t the task
     * @param state the event's state
     * @param precedence that state's precedence
     * @return {@code true} when late
     */
    static boolean isLate(TaskNode t, TaskState state, int precedence) {
        if (state == TaskState.RETRY || state == TaskState.REJECTED) {
            // Celery: a RETRY event is never late. FIX: unless the task is finished (a late RETRY moved a
            // SUCCESS task back). FIX: REJECTED ends an attempt like RETRY; Celery ranks it below RECEIVED
            // and STARTED, so task-rejected, always sent after them, never changed the state.
            return t.state.isReady();
        } else if (t.state == TaskState.RETRY) {
            return false;
        } else {
            return precedence > t.precedence;
        }
    }

    private static void setSubjectTime(TaskNode t, int kind, double ts, boolean late) {
        // FIX: a late event only fills the time of its subject when it is not known yet
        switch (kind) {
            case Subjects.SENT:
                if (!late || Double.isNaN(t.sent)) {
                    t.sent = ts;
                }
                break;
            case Subjects.RECEIVED:
                if (!late || Double.isNaN(t.received)) {
                    t.received = ts;
                }
                break;
            case Subjects.STARTED:
                if (!late || Double.isNaN(t.started)) {
                    t.started = ts;
                }
                break;
            case Subjects.SUCCEEDED:
                if (!late || Double.isNaN(t.succeeded)) {
                    t.succeeded = ts;
                }
                break;
            case Subjects.FAILED:
                if (!late || Double.isNaN(t.failed)) {
                    t.failed = ts;
                }
                break;
            case Subjects.RETRIED:
                if (!late || Double.isNaN(t.retried)) {
                    t.retried = ts;
                }
                break;
            case Subjects.REVOKED:
                if (!late || Double.isNaN(t.revoked)) {
                    t.revoked = ts;
                }
                break;
            case Subjects.REJECTED:
                if (!late || Double.isNaN(t.rejected)) {
                    t.rejected = ts;
                }
                break;
            default:
                break;
        }
    }

    /**
     * Copies an event's fields onto a task: every field for an in-order event; for a late one only the
     * fields the task does not have yet (FIX: Celery overwrites them), and for a late {@code task-received}
     * only Celery's merge fields.
     */
    private static void applyFields(TaskNode t, TaskEvent ev, boolean late, boolean mergeOnly) {
        int m = mergeOnly ? ev.mask & TaskEvent.MERGE_MASK : ev.mask;
        Object[] vals = ev.values;
        while (m != 0) {
            int field = Integer.numberOfTrailingZeros(m);
            m &= m - 1;
            Object v = vals[field];
            switch (field) {
                case TaskEvent.NAME:
                    if (take(late, t.name, v)) {
                        t.name = Values.text(v);
                    }
                    break;
                case TaskEvent.ARGS:
                    if (take(late, t.args, v)) {
                        t.args = Values.text(v);
                    }
                    break;
                case TaskEvent.KWARGS:
                    if (take(late, t.kwargs, v)) {
                        t.kwargs = Values.text(v);
                    }
                    break;
                case TaskEvent.PARENT_ID:
                    if (take(late, t.parentId, v)) {
                        t.parentId = Values.text(v);
                    }
                    break;
                case TaskEvent.ROOT_ID:
                    if (take(late, t.rootId, v)) {
                        t.rootId = Values.text(v);
                    }
                    break;
                case TaskEvent.RETRIES:
                    if (Values.numeric(v) && take(late, t.retries, v)) {
                        t.retries = Values.integer(v);
                    }
                    break;
                case TaskEvent.ETA:
                    if (take(late, t.eta, v)) {
                        t.eta = Values.text(v);
                    }
                    break;
                case TaskEvent.EXPIRES:
                    if (take(late, t.expires, v)) {
                        t.expires = Values.text(v);
                    }
                    break;
                case TaskEvent.RESULT:
                    if (take(late, t.result, v)) {
                        t.result = Values.text(v);
                    }
                    break;
                case TaskEvent.EXCEPTION:
                    if (take(late, t.exception, v)) {
                        t.exception = Values.text(v);
                    }
                    break;
                case TaskEvent.TRACEBACK:
                    if (take(late, t.traceback, v)) {
                        t.traceback = Values.text(v);
                    }
                    break;
                case TaskEvent.EXCHANGE:
                    if (take(late, t.exchange, v)) {
                        t.exchange = Values.text(v);
                    }
                    break;
                case TaskEvent.ROUTING_KEY:
                    if (take(late, t.routingKey, v)) {
                        t.routingKey = Values.text(v);
                    }
                    break;
                case TaskEvent.RUNTIME:
                    if (takeTime(late, t.runtime, v)) {
                        t.runtime = Values.number(v);
                    }
                    break;
                case TaskEvent.RECEIVED:
                    if (takeTime(late, t.received, v)) {
                        t.received = Values.number(v);
                    }
                    break;
                case TaskEvent.SENT:
                    if (takeTime(late, t.sent, v)) {
                        t.sent = Values.number(v);
                    }
                    break;
                case TaskEvent.STARTED:
                    if (takeTime(late, t.started, v)) {
                        t.started = Values.number(v);
                    }
                    break;
                case TaskEvent.SUCCEEDED:
                    if (takeTime(late, t.succeeded, v)) {
                        t.succeeded = Values.number(v);
                    }
                    break;
                case TaskEvent.FAILED:
                    if (takeTime(late, t.failed, v)) {
                        t.failed = Values.number(v);
                    }
                    break;
                case TaskEvent.RETRIED:
                    if (takeTime(late, t.retried, v)) {
                        t.retried = Values.number(v);
                    }
                    break;
                case TaskEvent.REVOKED:
                    if (takeTime(late, t.revoked, v)) {
                        t.revoked = Values.number(v);
                    }
                    break;
                case TaskEvent.REJECTED:
                    if (takeTime(late, t.rejected, v)) {
                        t.rejected = Values.number(v);
                    }
                    break;
                default:
                    break;
            }
        }
        if (mergeOnly) {
            return;
        }
        for (int i = 0; i < ev.extraCount; i++) {
            String k = ev.extraKeys[i];
            Object v = ev.extraValues[i];
            SmallMap x = t.extra;
            if (x == null) {
                if (late && v == null) {
                    continue;
                }
                x = new SmallMap();
                t.extra = x;
            }
            if (!late) {
                x.put(k, v);
            } else if (v != null && x.get(k) == null) {
                x.put(k, v);
            }
        }
    }

    private static boolean take(boolean late, Object current, Object v) {
        return !late || (current == null && v != null);
    }

    private static boolean takeTime(boolean late, double current, Object v) {
        return Values.numeric(v) && (!late || (Double.isNaN(current) && v != null));
    }
}
