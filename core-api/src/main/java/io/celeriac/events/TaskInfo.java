package io.celeriac.events;

import io.celeriac.backend.TaskState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A frozen view of one task in an {@link EventState}, with every field Celery's {@code Task} keeps.
 *
 * <p>Immutable: a view never changes after it was read. Timestamps are epoch seconds as the events carried
 * them (after the receiver's utcoffset localisation); {@code args}, {@code kwargs}, {@code result} and
 * {@code exception} are the repr strings Celery's events carry (a non-string value a foreign sender put
 * there is kept as its JSON text). Any field may be {@code null} when no event carried it yet, except
 * {@code uuid}, {@code state} and {@code children}.
 *
 * @param uuid the task id
 * @param name the task name
 * @param state the state of the latest event by Celery's precedence (PENDING until an event says otherwise;
 *              a custom event {@code task-progress} gives the custom state {@code PROGRESS})
 * @param received when {@code task-received} was sent
 * @param sent when {@code task-sent} was sent
 * @param started when {@code task-started} was sent
 * @param rejected when {@code task-rejected} was sent
 * @param succeeded when {@code task-succeeded} was sent
 * @param failed when {@code task-failed} was sent
 * @param retried when {@code task-retried} was sent
 * @param revoked when {@code task-revoked} was sent
 * @param args the positional arguments' repr
 * @param kwargs the keyword arguments' repr
 * @param eta the ETA (ISO 8601 text)
 * @param expires the expiry (ISO 8601 text)
 * @param retries how many times it was retried
 * @param worker the hostname of the worker of its latest worker-side event
 * @param result the result's repr
 * @param exception the exception's repr
 * @param timestamp the timestamp of the latest in-order event
 * @param runtime how long it ran, in seconds
 * @param traceback the traceback of a failure or retry
 * @param exchange the exchange it was sent to
 * @param routingKey the routing key it was sent with
 * @param clock the Lamport clock of the latest in-order event
 * @param client the hostname that sent it ({@code task-sent})
 * @param rootId the root task's id
 * @param parentId the parent task's id
 * @param children the ids of its children still in memory, in the order they were linked
 * @param extra the other fields its events carried, such as {@code queue} of {@code task-sent},
 *              {@code terminated}/{@code signum}/{@code expired} of {@code task-revoked}, {@code requeue} of
 *              {@code task-rejected}, or the fields of a custom event; in arrival order
 */
public record TaskInfo(String uuid, String name, TaskState state, Double received, Double sent, Double started,
                       Double rejected, Double succeeded, Double failed, Double retried, Double revoked,
                       String args, String kwargs, String eta, String expires, Integer retries, String worker,
                       String result, String exception, Double timestamp, Double runtime, String traceback,
                       String exchange, String routingKey, long clock, String client, String rootId,
                       String parentId, List<String> children, Map<String, Object> extra) {

    /** Celery's {@code Task._info_fields}, the fields {@link #info()} shows. */
    private static final List<String> INFO_FIELDS = List.of("args", "kwargs", "retries", "result", "eta", "runtime",
            "expires", "exception", "exchange", "routing_key", "root_id", "parent_id");

    /**
     * Validates and freezes the list and the map.
     *
     * @throws NullPointerException when {@code uuid}, {@code state} or {@code children} is null
     */
    public TaskInfo {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(state, "state");
        children = List.copyOf(children);
        extra = extra == null || extra.isEmpty() ? Map.of() : EventFields.of(extra);
    }

    /**
     * Whether the task is finished.
     *
     * @return {@code true} for SUCCESS, FAILURE and REVOKED
     */
    public boolean ready() {
        return state.isReady();
    }

    /**
     * The task's id (Celery's {@code Task.id}).
     *
     * @return the uuid
     */
    public String id() {
        return uuid;
    }

    /**
     * What Celery's {@code Task.info()} shows: the fields among {@code args, kwargs, retries, result, eta,
     * runtime, expires, exception, exchange, routing_key, root_id, parent_id} that are not {@code null}.
     *
     * @return a new, modifiable, ordered map
     */
    public Map<String, Object> info() {
        Map<String, Object> all = toCeleryDict();
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : INFO_FIELDS) {
            Object v = all.get(k);
            if (v != null) {
                m.put(k, v);
            }
        }
        return m;
    }

    /**
     * This task as Celery's {@code Task.as_dict()} builds it: the keys of {@code Task._fields} in order
     * ({@code uuid, name, state, received, sent, started, rejected, succeeded, failed, retried, revoked, args,
     * kwargs, eta, expires, retries, worker, result, exception, timestamp, runtime, traceback, exchange,
     * routing_key, clock, client, root, root_id, parent, parent_id, children}), with {@code worker} as the
     * worker's hostname, {@code root} and {@code parent} as ids and {@code children} as a list of ids; then
     * the {@link #extra()} fields. It is what snapshots store and what interop tests compare with Python.
     *
     * @return a new, modifiable, insertion-ordered map
     */
    public Map<String, Object> toCeleryDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uuid", uuid);
        m.put("name", name);
        m.put("state", state.name());
        m.put("received", received);
        m.put("sent", sent);
        m.put("started", started);
        m.put("rejected", rejected);
        m.put("succeeded", succeeded);
        m.put("failed", failed);
        m.put("retried", retried);
        m.put("revoked", revoked);
        m.put("args", args);
        m.put("kwargs", kwargs);
        m.put("eta", eta);
        m.put("expires", expires);
        m.put("retries", retries);
        m.put("worker", worker);
        m.put("result", result);
        m.put("exception", exception);
        m.put("timestamp", timestamp);
        m.put("runtime", runtime);
        m.put("traceback", traceback);
        m.put("exchange", exchange);
        m.put("routing_key", routingKey);
        m.put("clock", clock);
        m.put("client", client);
        m.put("root", rootId);
        m.put("root_id", rootId);
        m.put("parent", parentId);
        m.put("parent_id", parentId);
        m.put("children", children);
        extra.forEach(m::putIfAbsent);
        return m;
    }
}
