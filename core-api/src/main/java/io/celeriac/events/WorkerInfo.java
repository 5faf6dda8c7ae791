package io.celeriac.events;

import java.util.List;

/**
 * A frozen view of one worker in an {@link EventState}, with Celery's {@code Worker} fields.
 *
 * @param hostname the node name, e.g. {@code celery@host}
 * @param pid the worker's process id, or {@code null}
 * @param freq the heartbeat interval in seconds (Celery's default 60 until an event says otherwise)
 * @param heartbeats up to the 4 latest heartbeat receive times, oldest first
 * @param clock the worker's last Lamport clock value
 * @param active tasks executing, or {@code null}
 * @param processed tasks accepted in total, or {@code null}
 * @param loadavg the 1/5/15-minute load averages, or {@code null}
 * @param swIdent the software, e.g. {@code py-celery}
 * @param swVer its version
 * @param swSys the operating system
 * @param heartbeatExpires when the worker is considered gone (last heartbeat + 2 × freq), or {@code null}
 * @param alive whether a heartbeat arrived and has not expired
 */
public record WorkerInfo(String hostname, Integer pid, double freq, List<Double> heartbeats, long clock,
                         Integer active, Integer processed, List<Double> loadavg, String swIdent, String swVer,
                         String swSys, Double heartbeatExpires, boolean alive) {

    /** @return Celery's {@code status_string}: {@code ONLINE} or {@code OFFLINE} */
    public String statusString() {
        return alive ? "ONLINE" : "OFFLINE";
    }

    /** @return Celery's worker id: {@code hostname.pid} */
    public String id() {
        return hostname + "." + pid;
    }
}
