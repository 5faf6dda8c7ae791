package io.celeriac.events.state.internal;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The merge rule of a worker event's fields into its worker: Celery's {@code Worker.event}, which sets every
 * field the event carries. The envelope ({@code hostname}, {@code type}, {@code timestamp},
 * {@code local_received}, {@code utcoffset}) and {@code heartbeats} are not fields of the worker and are
 * skipped (the heartbeat list is the model's to keep); a known field given a value of the wrong type is
 * ignored (a {@code pid}, {@code clock}, {@code active} or {@code processed} that is neither a number nor
 * null, a {@code freq} that is not a number, a {@code loadavg} that is not a list of numbers or null); any
 * other field is kept as an extra (in the order first seen). The worker's cached view is dropped.
 *
 * <p>One instance is reused for every event, so that merging allocates nothing; it holds the worker being
 * merged for the duration of {@link #merge}. Not thread-safe: only the model calls it, while applying an
 * event under {@code MemoryEventState}'s write lock.
 */
final class WorkerMerge implements BiConsumer<String, Object> {

    private WorkerNode w;

    /**
     * Copies an event's fields onto a worker.
     *
     * @param worker the worker
     * @param fields the event's fields
     */
    void merge(WorkerNode worker, Map<String, Object> fields) {
        w = worker;
        fields.forEach(this);
        w = null;
        worker.view = null;
    }

    @Override
    public void accept(String k, Object v) {
        WorkerNode w = this.w;
        switch (k) {
            case "hostname": case "type": case "timestamp": case "local_received": case "utcoffset":
            case "heartbeats":
                return;
            case "pid":
                if (Values.numeric(v)) {
                    w.setPid(Values.integer(v));
                }
                return;
            case "freq":
                if (v instanceof Number n) {
                    w.freq = n.doubleValue();
                }
                return;
            case "clock":
                if (Values.numeric(v)) {
                    w.clock = v == null ? 0 : ((Number) v).longValue();
                }
                return;
            case "active":
                if (Values.numeric(v)) {
                    w.active = Values.integer(v);
                }
                return;
            case "processed":
                if (Values.numeric(v)) {
                    w.processed = Values.integer(v);
                }
                return;
            case "loadavg":
                if (v == null) {
                    w.loadavg = null;
                } else {
                    List<Double> l = Values.doubles(v);
                    if (l != null) {
                        w.loadavg = l;
                    }
                }
                return;
            case "sw_ident":
                w.swIdent = Values.text(v);
                return;
            case "sw_ver":
                w.swVer = Values.text(v);
                return;
            case "sw_sys":
                w.swSys = Values.text(v);
                return;
            default:
                if (w.extra == null) {
                    w.extra = new SmallMap();
                }
                w.extra.put(k, v);
        }
    }
}
