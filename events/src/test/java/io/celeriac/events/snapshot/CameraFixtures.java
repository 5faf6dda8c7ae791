package io.celeriac.events.snapshot;

import io.celeriac.events.Event;
import io.celeriac.events.EventState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small cluster for the camera tests. */
final class CameraFixtures {

    static final double T0 = 1_795_263_400.0;

    private CameraFixtures() {
    }

    static Event event(String type, Object... kv) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            f.put((String) kv[i], kv[i + 1]);
        }
        f.put("type", type);
        return new Event(type, f);
    }

    static void fill(EventState s, int tasks) {
        s.event(event("worker-online", "hostname", "w1@h", "pid", 11L, "clock", 1L, "freq", 2.0, "active", 0L,
                "processed", 0L, "loadavg", List.of(0.1, 0.2, 0.3), "sw_ident", "py-celery", "sw_ver", "5.2.6",
                "sw_sys", "Linux", "timestamp", T0, "local_received", T0));
        long c = 2;
        for (int i = 0; i < tasks; i++) {
            String id = "t" + i;
            s.event(event("task-received", "uuid", id, "hostname", "w1@h", "clock", c++, "name", "proj.add",
                    "args", "(" + i + ", 1)", "kwargs", "{}", "retries", 0L, "timestamp", T0 + i,
                    "local_received", T0 + i));
            if (i % 2 == 0) {
                s.event(event("task-succeeded", "uuid", id, "hostname", "w1@h", "clock", c++, "result",
                        "'caf\u00e9 " + i + "'", "runtime", 0.5, "timestamp", T0 + i + 0.5,
                        "local_received", T0 + i + 0.5));
            }
        }
    }
}
