package io.celeriac.testing;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers of a protocol-2 task message as Celery 5.2's {@code as_task_v2} builds them for a plain
 * {@code send_task} (no eta, expiry, group or time limit), in Celery's order, for tests that hand-build a task
 * message before a client exists to send one. Values are the JSON-like types the broker SPI carries.
 */
public final class ProtocolTwoHeaders {

    private ProtocolTwoHeaders() {
    }

    /**
     * The headers of one task message.
     *
     * @param task the registered task name
     * @param id the task id (also the root id)
     * @param argsrepr Python's repr of the positional arguments, e.g. {@code (2, 3)}
     * @param kwargsrepr Python's repr of the keyword arguments, e.g. {@code {}}
     * @param origin the sender, {@code gen<pid>@<host>}
     * @return a new, mutable map in Celery's order; put custom headers after
     */
    public static Map<String, Object> of(String task, String id, String argsrepr, String kwargsrepr, String origin) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("lang", "py");
        h.put("task", task);
        h.put("id", id);
        h.put("shadow", null);
        h.put("eta", null);
        h.put("expires", null);
        h.put("group", null);
        h.put("group_index", null);
        h.put("retries", 0L);
        h.put("timelimit", Arrays.asList(null, null));
        h.put("root_id", id);
        h.put("parent_id", null);
        h.put("argsrepr", argsrepr);
        h.put("kwargsrepr", kwargsrepr);
        h.put("origin", origin);
        h.put("ignore_result", false);
        return h;
    }
}
