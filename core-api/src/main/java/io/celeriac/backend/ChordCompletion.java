package io.celeriac.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chord whose header has completed: what the part that completed it receives, exactly once.
 *
 * <p>Either {@code results} holds the header's results ordered by group index, or {@code error} holds
 * Celery's {@code ChordError} ({@code Dependency <id> raised <repr>}) when a part failed or was revoked.
 *
 * @param groupId the chord's group id
 * @param body the chord body's signature from the part that completed it, or {@code null}
 * @param results the header results in order, or {@code null} when the chord failed
 * @param error the chord error, or {@code null} when it succeeded
 */
public record ChordCompletion(String groupId, Map<String, Object> body, List<Object> results, ExceptionInfo error) {

    /**
     * Validates and freezes.
     *
     * @throws NullPointerException when {@code groupId} is null
     * @throws IllegalArgumentException unless exactly one of {@code results} and {@code error} is set
     */
    public ChordCompletion {
        Objects.requireNonNull(groupId, "groupId");
        if ((results == null) == (error == null)) {
            throw new IllegalArgumentException("a chord completion holds either results or an error");
        }
        body = body == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(body));
        results = results == null ? null : Collections.unmodifiableList(new ArrayList<>(results));
    }

    /**
     * Whether the chord failed.
     *
     * @return {@code true} when {@code error} is set
     */
    public boolean failed() {
        return error != null;
    }

    /**
     * The body task's id, from {@code body.options.task_id}, when the body signature carries one.
     *
     * @return the id, or {@code null}
     */
    public String bodyTaskId() {
        if (body == null) {
            return null;
        }
        Object options = body.get("options");
        if (options instanceof Map<?, ?> m && m.get("task_id") instanceof String id) {
            return id;
        }
        return null;
    }
}
