package io.celeriac.events.state.internal;

import io.celeriac.events.WorkerInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The mutable record of one worker inside a {@link ClusterModel}: Celery's {@code Worker} fields and its
 * heartbeat list (at most {@value #HEARTBEAT_MAX} receive times, sorted), plus a cached frozen view. Not
 * thread-safe; only the model touches it.
 */
public final class WorkerNode {

    /** Celery's {@code Worker.heartbeat_max}. */
    public static final int HEARTBEAT_MAX = 4;
    /** Celery's {@code HEARTBEAT_EXPIRE_WINDOW} (percent of {@code freq}). */
    public static final double EXPIRE_WINDOW = 200;

    final String hostname;
    Integer pid;
    double freq = 60;
    final double[] heartbeats = new double[HEARTBEAT_MAX];
    int heartbeatCount;
    long clock;
    Integer active;
    Integer processed;
    List<Double> loadavg;
    String swIdent;
    String swVer;
    String swSys;
    SmallMap extra;

    private String id;
    WorkerInfo view;

    WorkerNode(String hostname) {
        this.hostname = hostname;
    }

    /**
     * The worker's hostname.
     *
     * @return the hostname
     */
    public String hostname() {
        return hostname;
    }

    String id() {
        String i = id;
        if (i == null) {
            i = hostname + "." + (pid == null ? "None" : pid.toString());
            id = i;
        }
        return i;
    }

    void setPid(Integer p) {
        if (p == null ? pid != null : !p.equals(pid)) {
            pid = p;
            id = null;
        }
    }

    /**
     * Records a heartbeat received at {@code localReceived} for an event sent at {@code timestamp}: Celery's
     * {@code Worker.event} with the arguments in their documented order. Nothing happens when either is
     * absent or zero. The list keeps the 4 latest times, sorted; a time older than all of a full list is
     * dropped (Celery drops the oldest and inserts it anyway).
     *
     * @return the drift {@code |int(local_received) - int(timestamp)|}, or -1 when nothing was recorded
     */
    long heartbeat(double localReceived, double timestamp) {
        if (localReceived == 0 || timestamp == 0 || Double.isNaN(localReceived) || Double.isNaN(timestamp)) {
            return -1;
        }
        long drift = Math.abs((long) localReceived - (long) timestamp);
        double[] hb = heartbeats;
        int n = heartbeatCount;
        if (n == HEARTBEAT_MAX) {
            if (localReceived < hb[0]) {
                return drift;
            }
            System.arraycopy(hb, 1, hb, 0, HEARTBEAT_MAX - 1);
            n--;
        }
        if (n > 0 && localReceived > hb[n - 1]) {
            hb[n] = localReceived;
        } else {
            int i = n;
            while (i > 0 && localReceived < hb[i - 1]) {
                hb[i] = hb[i - 1];
                i--;
            }
            hb[i] = localReceived;
        }
        heartbeatCount = n + 1;
        view = null;
        return drift;
    }

    void clearHeartbeats() {
        heartbeatCount = 0;
        view = null;
    }

    /**
     * Celery's {@code heartbeat_expires}: the last heartbeat + freq × 200 %.
     *
     * @return the expiry, or NaN without heartbeats
     */
    double heartbeatExpires() {
        if (heartbeatCount == 0) {
            return Double.NaN;
        }
        return heartbeats[heartbeatCount - 1] + freq * (EXPIRE_WINDOW / 1e2);
    }

    boolean aliveAt(double now) {
        return heartbeatCount > 0 && now < heartbeatExpires();
    }

    WorkerInfo view(double now) {
        boolean alive = aliveAt(now);
        WorkerInfo v = view;
        if (v == null || v.alive() != alive) {
            List<Double> hb = new ArrayList<>(heartbeatCount);
            for (int i = 0; i < heartbeatCount; i++) {
                hb.add(heartbeats[i]);
            }
            double exp = heartbeatExpires();
            Map<String, Object> x = extra == null ? Map.of() : extra.view();
            v = new WorkerInfo(hostname, pid, freq, hb, clock, active, processed, loadavg, swIdent, swVer, swSys,
                    Double.isNaN(exp) ? null : exp, alive, x);
            view = v;
        }
        return v;
    }
}
