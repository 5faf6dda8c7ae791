package io.celeriac.events.state;

import io.celeriac.events.Event;

import java.util.LinkedHashMap;
import java.util.Map;

/** A small builder of events as a receiver delivers them, for tests. */
final class Ev {
    private final Map<String, Object> f = new LinkedHashMap<>();
    private final String type;

    private Ev(String type) {
        this.type = type;
    }

    static Ev of(String type) {
        return new Ev(type);
    }

    /** A task event: uuid, hostname, timestamp = local_received = at, clock. */
    static Ev task(String type, String uuid, String host, double at, long clock) {
        return of(type).put("hostname", host).put("utcoffset", 0L).put("pid", 1000L).put("clock", clock)
                .put("uuid", uuid).put("timestamp", at).put("local_received", at);
    }

    /** A worker event with Celery's heartbeat fields. */
    static Ev worker(String type, String host, long pid, double at, long clock) {
        return of(type).put("hostname", host).put("utcoffset", 0L).put("pid", pid).put("clock", clock)
                .put("freq", 2.0).put("active", 0L).put("processed", 3L)
                .put("loadavg", java.util.List.of(0.5, 0.25, 0.1)).put("sw_ident", "py-celery")
                .put("sw_ver", "5.2.6").put("sw_sys", "Linux").put("timestamp", at).put("local_received", at);
    }

    Ev put(String k, Object v) {
        f.put(k, v);
        return this;
    }

    Ev remove(String k) {
        f.remove(k);
        return this;
    }

    Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>(f);
        m.put("type", type);
        return m;
    }

    Event build() {
        return new Event(type, fields());
    }
}
