package io.celeriac.client.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Celery's {@code task_routes} for queue names: a task name or a glob ({@code proj.*}) to a queue, the first
 * match in the order given winning, as Celery's {@code MapRoute} does (exact names before globs). Immutable and
 * thread-safe.
 */
public final class TaskRouter {

    private final Map<String, String> exact = new LinkedHashMap<>();
    private final Map<Pattern, String> globs = new LinkedHashMap<>();
    private final String defaultQueue;

    /**
     * A router.
     *
     * @param routes task name or glob to queue, in order
     * @param defaultQueue {@code task_default_queue}
     */
    public TaskRouter(Map<String, String> routes, String defaultQueue) {
        this.defaultQueue = Objects.requireNonNull(defaultQueue, "defaultQueue");
        for (Map.Entry<String, String> e : routes.entrySet()) {
            if (e.getKey().contains("*") || e.getKey().contains("?")) {
                globs.put(glob(e.getKey()), e.getValue());
            } else {
                exact.put(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * The queue of a task.
     *
     * @param taskName the task name
     * @return the routed queue, or the default queue
     */
    public String queueFor(String taskName) {
        String q = exact.get(taskName);
        if (q != null) {
            return q;
        }
        for (Map.Entry<Pattern, String> e : globs.entrySet()) {
            if (e.getKey().matcher(taskName).matches()) {
                return e.getValue();
            }
        }
        return defaultQueue;
    }

    /** @return {@code task_default_queue} */
    public String defaultQueue() {
        return defaultQueue;
    }

    private static Pattern glob(String g) {
        StringBuilder sb = new StringBuilder();
        for (char c : g.toCharArray()) {
            switch (c) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb.toString());
    }
}
