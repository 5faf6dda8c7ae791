package io.celeriac.client.control;

import io.celeriac.control.ControlReply;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The replies to one remote-control command, in arrival order, with Celery's by-node view ({@code flatten_reply}:
 * a later reply of the same node name replaces the earlier one) and small typed readers. Values are plain JSON-like
 * Java values. Immutable and thread-safe.
 */
public final class Replies {

    private static final Replies NONE = new Replies(List.of());

    private final List<ControlReply> replies;
    private final Map<String, Object> byNode;

    /**
     * Wraps replies.
     *
     * @param replies the replies in arrival order, not {@code null}
     */
    public Replies(List<ControlReply> replies) {
        this.replies = List.copyOf(replies);
        Map<String, Object> m = new LinkedHashMap<>();
        for (ControlReply r : this.replies) {
            m.put(r.node(), r.value());
        }
        this.byNode = Collections.unmodifiableMap(m);
    }

    /**
     * No replies (a command sent without waiting, or nobody answered).
     *
     * @return the empty replies
     */
    public static Replies none() {
        return NONE;
    }

    /**
     * Every reply in arrival order.
     *
     * @return the replies, unmodifiable
     */
    public List<ControlReply> list() {
        return replies;
    }

    /**
     * The value per node, in order of first arrival (Celery's {@code flatten_reply}).
     *
     * @return node name to value, unmodifiable (values may be {@code null})
     */
    public Map<String, Object> byNode() {
        return byNode;
    }

    /**
     * The nodes that answered.
     *
     * @return their names, in arrival order
     */
    public Set<String> nodes() {
        return byNode.keySet();
    }

    /**
     * Whether nobody answered.
     *
     * @return {@code true} when there are no replies
     */
    public boolean isEmpty() {
        return replies.isEmpty();
    }

    /**
     * One node's value.
     *
     * @param node the node name
     * @return its value, {@code null} when it did not answer (or answered {@code null})
     */
    public Object get(String node) {
        return byNode.get(node);
    }

    /**
     * The {@code ok} text per node of the nodes that answered {@code {"ok": ...}} (ping, revoke, rate_limit...).
     *
     * @return node name to the {@code ok} value as text
     */
    public Map<String, String> ok() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ControlReply r : replies) {
            if (r.value() instanceof Map<?, ?> v && v.containsKey("ok")) {
                Object ok = v.get("ok");
                m.put(r.node(), ok instanceof String s ? s : ControlReply.repr(ok));
            }
        }
        return m;
    }

    /**
     * The error text per node of the nodes that answered {@code {"error": ...}}.
     *
     * @return node name to error text
     */
    public Map<String, String> errors() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ControlReply r : replies) {
            if (r.isError()) {
                m.put(r.node(), r.error());
            }
        }
        return m;
    }

    /**
     * The list each node answered, for the commands that answer a list ({@code registered}, {@code revoked},
     * {@code active}, {@code reserved}, {@code scheduled}); nodes that answered something else are left out.
     *
     * @return node name to its list, unmodifiable lists
     */
    public Map<String, List<Object>> lists() {
        Map<String, List<Object>> m = new LinkedHashMap<>();
        byNode.forEach((node, v) -> {
            if (v instanceof List<?> l) {
                m.put(node, Collections.unmodifiableList(l));
            }
        });
        return m;
    }

    /**
     * The map each node answered, for the commands that answer one ({@code stats}, {@code conf},
     * {@code query_task}); nodes that answered something else are left out.
     *
     * @return node name to its map
     */
    @SuppressWarnings("unchecked")
    public Map<String, Map<String, Object>> maps() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        byNode.forEach((node, v) -> {
            if (v instanceof Map<?, ?> map) {
                m.put(node, (Map<String, Object>) map);
            }
        });
        return m;
    }

    @Override
    public String toString() {
        return "Replies" + byNode;
    }
}
