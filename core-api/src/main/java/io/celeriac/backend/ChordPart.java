package io.celeriac.backend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One chord header task that has finished, as a worker reports it to the backend (Celery's
 * {@code on_chord_part_return(request, state, result)}).
 *
 * @param groupId the chord's group id, never {@code null}
 * @param taskId the header task's id, never {@code null}
 * @param groupIndex the task's index in the header; results are ordered by it. {@code null} when unknown
 * @param state the task's final state
 * @param result the return value, or the {@link ExceptionInfo} of a failure
 * @param chordSize the header size when the part carries it ({@code request.chord['chord_size']}), else
 *                  {@code null} and the size set by {@link Backend#setChordSize} applies
 * @param body the chord body's signature ({@code request.chord}), handed to the
 *             {@link ChordCallback}; may be {@code null}
 */
public record ChordPart(String groupId, String taskId, Integer groupIndex, TaskState state, Object result,
                        Integer chordSize, Map<String, Object> body) {

    /**
     * Validates and freezes.
     *
     * @throws NullPointerException when {@code groupId}, {@code taskId} or {@code state} is null
     */
    public ChordPart {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(state, "state");
        body = body == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(body));
    }

    /**
     * The part a worker reports for this request: group, index, size and body come from the request.
     *
     * @param taskId the task id
     * @param request the task's request; its {@code group} must be set
     * @param state the final state
     * @param result the return value or exception
     * @return the part
     * @throws IllegalArgumentException when the request has no group
     */
    public static ChordPart of(String taskId, TaskRequest request, TaskState state, Object result) {
        if (request.group() == null) {
            throw new IllegalArgumentException("task " + taskId + " is not part of a group, so it cannot be a chord part");
        }
        return new ChordPart(request.group(), taskId, request.groupIndex(), state, result, request.chordSize(), request.chord());
    }
}
