package io.celeriac.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A saved group: its id, its members' result tuples in order, and an optional parent, as Celery's
 * {@code GroupResult} stores it ({@code {"result": [[group_id, parent], [child_tuple, ...]]}}).
 *
 * @param id the group id, never {@code null}
 * @param results the members, in order; a member may itself be a group
 * @param parent the group's parent result, or {@code null}
 */
public record GroupResult(String id, List<ResultTuple> results, ResultTuple parent) {

    /**
     * Validates and freezes.
     *
     * @throws NullPointerException when {@code id} or {@code results} is null
     */
    public GroupResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(results, "results");
        results = Collections.unmodifiableList(new ArrayList<>(results));
    }

    /**
     * A group of single task results with no parent.
     *
     * @param id the group id
     * @param taskIds the member task ids, in order
     * @return the group
     */
    public static GroupResult ofTaskIds(String id, List<String> taskIds) {
        List<ResultTuple> members = new ArrayList<>(taskIds.size());
        for (String t : taskIds) {
            members.add(ResultTuple.of(t));
        }
        return new GroupResult(id, members, null);
    }

    /**
     * The ids of the members, in order.
     *
     * @return the member ids
     */
    public List<String> memberIds() {
        List<String> ids = new ArrayList<>(results.size());
        for (ResultTuple r : results) {
            ids.add(r.id());
        }
        return ids;
    }

    /**
     * This group as a result tuple, Celery's {@code GroupResult.as_tuple()}.
     *
     * @return the tuple
     */
    public ResultTuple asTuple() {
        return new ResultTuple(id, parent, results);
    }

    /**
     * The group of a group tuple.
     *
     * @param tuple a tuple whose {@code children} is not null
     * @return the group
     * @throws IllegalArgumentException when the tuple is not a group
     */
    public static GroupResult fromTuple(ResultTuple tuple) {
        if (!tuple.isGroup()) {
            throw new IllegalArgumentException("result tuple " + tuple.id() + " is not a group");
        }
        return new GroupResult(tuple.id(), tuple.children(), tuple.parent());
    }
}
