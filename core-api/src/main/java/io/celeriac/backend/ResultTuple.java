package io.celeriac.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Celery's result tuple: {@code [[id, parent], children]}, how results refer to each other in a stored
 * meta's {@code children} and in a saved group.
 *
 * <p>An {@code AsyncResult} is {@code [[id, parent_tuple_or_null], null]}; a {@code GroupResult} is
 * {@code [[group_id, parent_tuple_or_null], [child_tuple, ...]]}. A non-null {@code children} therefore
 * means a group.
 *
 * @param id the task or group id, never {@code null}
 * @param parent the parent result's tuple, or {@code null}
 * @param children the member tuples for a group, or {@code null} for a single result
 */
public record ResultTuple(String id, ResultTuple parent, List<ResultTuple> children) {

    /**
     * Validates and freezes.
     *
     * @throws NullPointerException when {@code id} is null
     */
    public ResultTuple {
        Objects.requireNonNull(id, "id");
        if (children != null) {
            children = Collections.unmodifiableList(new ArrayList<>(children));
        }
    }

    /**
     * The tuple of a single result with no parent.
     *
     * @param id the task id
     * @return the tuple
     */
    public static ResultTuple of(String id) {
        return new ResultTuple(id, null, null);
    }

    /**
     * The tuple of a single result with a parent.
     *
     * @param id the task id
     * @param parent the parent's tuple
     * @return the tuple
     */
    public static ResultTuple of(String id, ResultTuple parent) {
        return new ResultTuple(id, parent, null);
    }

    /**
     * Whether this tuple describes a group.
     *
     * @return {@code true} when {@code children} is not null
     */
    public boolean isGroup() {
        return children != null;
    }

    /**
     * Converts to the nested-list form Celery's JSON holds: {@code [[id, parent], children]}.
     *
     * @return nested lists of strings and nulls
     */
    public List<Object> toList() {
        List<Object> head = new ArrayList<>(2);
        head.add(id);
        head.add(parent == null ? null : parent.toList());
        List<Object> out = new ArrayList<>(2);
        out.add(head);
        if (children == null) {
            out.add(null);
        } else {
            List<Object> kids = new ArrayList<>(children.size());
            for (ResultTuple c : children) {
                kids.add(c.toList());
            }
            out.add(kids);
        }
        return out;
    }

    /**
     * Reads the nested-list form back, as Celery's {@code result_from_tuple} does.
     *
     * @param value a value decoded from JSON
     * @return the tuple
     * @throws IllegalArgumentException when the value does not have the tuple shape
     */
    public static ResultTuple fromList(Object value) {
        if (!(value instanceof List<?> outer) || outer.size() != 2 || !(outer.get(0) instanceof List<?> head)
                || head.size() != 2 || !(head.get(0) instanceof String id)) {
            throw new IllegalArgumentException("not a Celery result tuple [[id, parent], children]: " + abbreviate(value));
        }
        ResultTuple parent = head.get(1) == null ? null : fromList(head.get(1));
        Object kids = outer.get(1);
        if (kids == null) {
            return new ResultTuple(id, parent, null);
        }
        if (!(kids instanceof List<?> kidList)) {
            throw new IllegalArgumentException("the children of result tuple " + id + " are not a list: " + abbreviate(kids));
        }
        List<ResultTuple> children = new ArrayList<>(kidList.size());
        for (Object k : kidList) {
            children.add(fromList(k));
        }
        return new ResultTuple(id, parent, children);
    }

    private static String abbreviate(Object value) {
        String s = String.valueOf(value);
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
