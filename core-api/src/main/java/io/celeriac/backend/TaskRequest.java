package io.celeriac.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker knows about the task it is running, Celery's {@code request} context: the parts that
 * shape a stored result (group and parent ids, children, the extended fields) and chord membership.
 *
 * <p>Pass one to {@link Backend#storeResult(String, Object, TaskState, String, TaskRequest)} and the
 * {@code markAs*} methods to store a result as a Celery worker does. Without a request, a result is stored
 * as Celery's direct {@code backend.store_result(...)} call stores it ({@code children} null, no group,
 * no extended block). Build one with {@link #builder()}.
 *
 * @param task the task's name ({@code request.task})
 * @param args the positional arguments
 * @param kwargs the keyword arguments
 * @param hostname the worker's node name, e.g. {@code celery@host}
 * @param retries how many times the task was retried
 * @param queue the routing key it was delivered with ({@code request.delivery_info['routing_key']})
 * @param group the group the task belongs to, or {@code null}
 * @param groupIndex the task's index in its group (chord results are ordered by it), or {@code null}
 * @param parentId the parent task's id, or {@code null}
 * @param rootId the root task's id, or {@code null}
 * @param children the tuples of the children the task started
 * @param chord the chord body's signature when the task is a chord header part ({@code request.chord}),
 *              or {@code null}; its {@code chord_size} entry, when present, is the header size
 * @param ignoreResult whether the task's result is not stored ({@code request.ignore_result})
 * @param replyTo the task message's {@code reply_to} property ({@code request.reply_to}): where a result backend
 *                that sends results as messages ({@code rpc://}) sends this task's states, or {@code null}
 * @param correlationId the task message's {@code correlation_id} property ({@code request.correlation_id}, the
 *                      task id as Celery sends it), or {@code null} to use the task id
 */
public record TaskRequest(
        String task,
        List<Object> args,
        Map<String, Object> kwargs,
        String hostname,
        Integer retries,
        String queue,
        String group,
        Integer groupIndex,
        String parentId,
        String rootId,
        List<ResultTuple> children,
        Map<String, Object> chord,
        boolean ignoreResult,
        String replyTo,
        String correlationId) {

    /** Freezes the collections. */
    public TaskRequest {
        args = args == null ? null : Collections.unmodifiableList(new ArrayList<>(args));
        kwargs = kwargs == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
        children = children == null ? List.of() : List.copyOf(children);
        chord = chord == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(chord));
    }

    /**
     * A request without {@code reply_to} and {@code correlation_id}, as before those were known.
     *
     * @param task the task's name
     * @param args the positional arguments
     * @param kwargs the keyword arguments
     * @param hostname the worker's node name
     * @param retries the retry count
     * @param queue the routing key
     * @param group the group id, or {@code null}
     * @param groupIndex the index in the group, or {@code null}
     * @param parentId the parent task's id, or {@code null}
     * @param rootId the root task's id, or {@code null}
     * @param children the children's tuples
     * @param chord the chord body's signature, or {@code null}
     * @param ignoreResult whether the result is not stored
     */
    public TaskRequest(String task, List<Object> args, Map<String, Object> kwargs, String hostname, Integer retries,
                       String queue, String group, Integer groupIndex, String parentId, String rootId,
                       List<ResultTuple> children, Map<String, Object> chord, boolean ignoreResult) {
        this(task, args, kwargs, hostname, retries, queue, group, groupIndex, parentId, rootId, children, chord,
                ignoreResult, null, null);
    }

    /**
     * Starts a builder.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The chord header size from {@code chord['chord_size']}, when the task is a chord part and the size is given.
     *
     * @return the size, or {@code null}
     */
    public Integer chordSize() {
        if (chord == null) {
            return null;
        }
        Object size = chord.get("chord_size");
        return size instanceof Number n ? n.intValue() : null;
    }

    /** A mutable builder of {@link TaskRequest}; not thread-safe. */
    public static final class Builder {
        private String task;
        private List<Object> args;
        private Map<String, Object> kwargs;
        private String hostname;
        private Integer retries;
        private String queue;
        private String group;
        private Integer groupIndex;
        private String parentId;
        private String rootId;
        private List<ResultTuple> children = List.of();
        private Map<String, Object> chord;
        private boolean ignoreResult;
        private String replyTo;
        private String correlationId;

        private Builder() {
        }

        /** @param v the task name @return this builder */
        public Builder task(String v) {
            task = v;
            return this;
        }

        /** @param v the positional arguments @return this builder */
        public Builder args(List<Object> v) {
            args = v;
            return this;
        }

        /** @param v the keyword arguments @return this builder */
        public Builder kwargs(Map<String, Object> v) {
            kwargs = v;
            return this;
        }

        /** @param v the worker's node name @return this builder */
        public Builder hostname(String v) {
            hostname = v;
            return this;
        }

        /** @param v the retry count @return this builder */
        public Builder retries(Integer v) {
            retries = v;
            return this;
        }

        /** @param v the routing key @return this builder */
        public Builder queue(String v) {
            queue = v;
            return this;
        }

        /** @param v the group id @return this builder */
        public Builder group(String v) {
            group = v;
            return this;
        }

        /** @param v the index in the group @return this builder */
        public Builder groupIndex(Integer v) {
            groupIndex = v;
            return this;
        }

        /** @param v the parent id @return this builder */
        public Builder parentId(String v) {
            parentId = v;
            return this;
        }

        /** @param v the root id @return this builder */
        public Builder rootId(String v) {
            rootId = v;
            return this;
        }

        /** @param v the children's tuples @return this builder */
        public Builder children(List<ResultTuple> v) {
            children = v;
            return this;
        }

        /** @param v the chord body signature @return this builder */
        public Builder chord(Map<String, Object> v) {
            chord = v;
            return this;
        }

        /** @param v whether the result is not stored @return this builder */
        public Builder ignoreResult(boolean v) {
            ignoreResult = v;
            return this;
        }

        /** @param v the message's {@code reply_to} @return this builder */
        public Builder replyTo(String v) {
            replyTo = v;
            return this;
        }

        /** @param v the message's {@code correlation_id} @return this builder */
        public Builder correlationId(String v) {
            correlationId = v;
            return this;
        }

        /**
         * Builds the request.
         *
         * @return the request
         */
        public TaskRequest build() {
            return new TaskRequest(task, args, kwargs, hostname, retries, queue, group, groupIndex, parentId,
                    rootId, children, chord, ignoreResult, replyTo, correlationId);
        }
    }
}
