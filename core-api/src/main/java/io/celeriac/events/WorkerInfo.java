package io.celeriac.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A frozen view of one worker in an {@link EventState}, with the fields Celery's {@code Worker} keeps.
 *
 * <p>Immutable: a view never changes after it was read, however many events arrive later. {@link #alive()}
 * was decided with the state's clock when the view was made; {@link #isAliveAt(double)} decides it for
 * another instant.
 *
 * @param hostname the node name, e.g. {@code celery@host}; never {@code null}
 * @param pid the worker's process id, or {@code null} while only task events named the worker
 * @param freq the heartbeat interval in seconds (Celery's default 60 until a worker event says otherwise)
 * @param heartbeats up to the 4 latest heartbeat receive times ({@code local_received}, epoch seconds),
 *                   oldest first; empty after {@code worker-offline}
 * @param clock the Lamport clock of the worker's latest worker event (0 until one arrives)
 * @param active tasks executing, or {@code null}
 * @param processed tasks accepted in total, or {@code null}
 * @param loadavg the 1/5/15-minute load averages, or {@code null}
 * @param swIdent the software, e.g. {@code py-celery}, or {@code null}
 * @param swVer its version, or {@code null}
 * @param swSys the operating system, or {@code null}
 * @param heartbeatExpires when the worker is considered gone: the last heartbeat + 2 × {@code freq}, or
 *                         {@code null} without heartbeats (Celery raises {@code IndexError} there)
 * @param alive whether a heartbeat arrived and had not expired when the view was made
 * @param extra the other fields worker events carried (anything but Celery's worker fields and the
 *              envelope fields {@code type}, {@code timestamp}, {@code local_received}, {@code utcoffset}),
 *              in arrival order; empty for Celery's own workers
 */
public record WorkerInfo(String hostname, Integer pid, double freq, List<Double> heartbeats, long clock,
                         Integer active, Integer processed, List<Double> loadavg, String swIdent, String swVer,
                         String swSys, Double heartbeatExpires, boolean alive, Map<String, Object> extra) {

    /**
     * Validates and freezes the lists and the map.
     *
     * @throws NullPointerException when {@code hostname} or {@code heartbeats} is null
     */
    public WorkerInfo {
        Objects.requireNonNull(hostname, "hostname");
        heartbeats = List.copyOf(heartbeats);
        loadavg = loadavg == null ? null : Collections.unmodifiableList(new ArrayList<>(loadavg));
        extra = extra == null || extra.isEmpty() ? Map.of() : EventFields.of(extra);
    }

    /**
     * Celery's {@code status_string}.
     *
     * @return {@code ONLINE} when {@link #alive()}, else {@code OFFLINE}
     */
    public String statusString() {
        return alive ? "ONLINE" : "OFFLINE";
    }

    /**
     * Celery's worker id, {@code hostname.pid}, with Python's {@code None} for an unknown pid; task events
     * use it as the origin of their time-index entries.
     *
     * @return the id
     */
    public String id() {
        return hostname + "." + (pid == null ? "None" : pid.toString());
    }

    /**
     * Whether the worker counts as alive at another instant: it has heartbeats and {@code epochSeconds} is
     * before {@link #heartbeatExpires()}.
     *
     * @param epochSeconds the instant, in epoch seconds
     * @return {@code true} when alive then
     */
    public boolean isAliveAt(double epochSeconds) {
        return heartbeatExpires != null && epochSeconds < heartbeatExpires;
    }

    /**
     * This worker as a map with the keys and JSON types of Celery's {@code Worker} ({@code hostname, pid,
     * freq, heartbeats, clock, active, processed, loadavg, sw_ident, sw_ver, sw_sys}) plus {@code alive},
     * {@code status_string}, {@code heartbeat_expires} and {@code id}, then the {@link #extra()} fields. It is
     * what snapshots store and what interop tests compare with Python's {@code State}.
     *
     * @return a new, modifiable, insertion-ordered map
     */
    public Map<String, Object> toCeleryDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", hostname);
        m.put("pid", pid);
        m.put("freq", freq);
        m.put("heartbeats", heartbeats);
        m.put("clock", clock);
        m.put("active", active);
        m.put("processed", processed);
        m.put("loadavg", loadavg);
        m.put("sw_ident", swIdent);
        m.put("sw_ver", swVer);
        m.put("sw_sys", swSys);
        m.put("alive", alive);
        m.put("status_string", statusString());
        m.put("heartbeat_expires", heartbeatExpires);
        m.put("id", id());
        extra.forEach(m::putIfAbsent);
        return m;
    }
}
