package io.celeriac.backend.spi;

import io.celeriac.backend.TaskMeta;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The rules of {@link AbstractBackend#getMany} around its hook: the ids each once in their first order, every id
 * in the result (PENDING when the store has nothing), and the hook's own map handed on when it is complete
 * already (no second map of 10,000 metas). Stateless.
 */
final class ManyReads {

    private ManyReads() {
    }

    /** The ids in their first order, each once; none may be {@code null}. */
    static List<String> distinct(Collection<String> taskIds) {
        List<String> unique = new ArrayList<>(taskIds.size());
        Set<String> seen = new HashSet<>(Math.max(16, (int) (taskIds.size() / 0.75f) + 1));
        for (String id : taskIds) {
            Objects.requireNonNull(id, "task id");
            if (seen.add(id)) {
                unique.add(id);
            }
        }
        return unique;
    }

    /**
     * Every id of {@code unique} in order, each to its meta or PENDING: {@code found} itself when it is a
     * {@link LinkedHashMap} of exactly those ids in that order, else a new map.
     */
    static Map<String, TaskMeta> complete(Map<String, TaskMeta> found, List<String> unique) {
        if (found instanceof LinkedHashMap<String, TaskMeta> complete && isComplete(complete, unique)) {
            return complete;
        }
        Map<String, TaskMeta> out = new LinkedHashMap<>(unique.size() * 2);
        for (String id : unique) {
            TaskMeta m = found.get(id);
            out.put(id, m != null ? m : TaskMeta.pending(id));
        }
        return out;
    }

    /** Whether {@code found} maps exactly {@code ids}, in their order, each to a meta. */
    private static boolean isComplete(Map<String, TaskMeta> found, List<String> ids) {
        if (found.size() != ids.size()) {
            return false;
        }
        int i = 0;
        for (Map.Entry<String, TaskMeta> e : found.entrySet()) {
            String id = ids.get(i++);
            if (e.getValue() == null || (e.getKey() != id && !e.getKey().equals(id))) {
                return false;
            }
        }
        return true;
    }
}
