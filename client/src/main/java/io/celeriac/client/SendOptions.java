package io.celeriac.client;

import io.celeriac.task.InvalidTaskMessageException;
import io.celeriac.task.Signature;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one task send, named as Celery's {@code apply_async} / {@code send_task} names them: task id,
 * countdown or eta, expires (a duration or an instant), priority, queue / exchange / routing key, extra headers,
 * time limits, ignore_result, shadow, retries, link / link_error, reply_to, parent and root ids, and the group and
 * chain fields a canvas sets. Immutable and thread-safe; build one with {@link #builder()}.
 */
public final class SendOptions {

    private static final SendOptions NONE = builder().build();

    private final String taskId;
    private final Duration countdown;
    private final Instant eta;
    private final Duration expiresIn;
    private final Instant expiresAt;
    private final Integer priority;
    private final String queue;
    private final String exchange;
    private final String routingKey;
    private final Map<String, Object> headers;
    private final Number timeLimit;
    private final Number softTimeLimit;
    private final boolean ignoreResult;
    private final String shadow;
    private final long retries;
    private final List<Signature> link;
    private final List<Signature> linkError;
    private final String replyTo;
    private final String parentId;
    private final String rootId;
    private final String groupId;
    private final Long groupIndex;
    private final List<Signature> chain;
    private final Signature chord;

    private SendOptions(Builder b) {
        this.taskId = b.taskId;
        this.countdown = b.countdown;
        this.eta = b.eta;
        this.expiresIn = b.expiresIn;
        this.expiresAt = b.expiresAt;
        this.priority = b.priority;
        this.queue = b.queue;
        this.exchange = b.exchange;
        this.routingKey = b.routingKey;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.timeLimit = b.timeLimit;
        this.softTimeLimit = b.softTimeLimit;
        this.ignoreResult = b.ignoreResult;
        this.shadow = b.shadow;
        this.retries = b.retries;
        this.link = List.copyOf(b.link);
        this.linkError = List.copyOf(b.linkError);
        this.replyTo = b.replyTo;
        this.parentId = b.parentId;
        this.rootId = b.rootId;
        this.groupId = b.groupId;
        this.groupIndex = b.groupIndex;
        this.chain = b.chain == null ? null : List.copyOf(b.chain);
        this.chord = b.chord;
    }

    /**
     * No options: Celery's defaults.
     *
     * @return the empty options
     */
    public static SendOptions none() {
        return NONE;
    }

    /**
     * A new builder with nothing set.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these options, to change some of them.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.taskId = taskId;
        b.countdown = countdown;
        b.eta = eta;
        b.expiresIn = expiresIn;
        b.expiresAt = expiresAt;
        b.priority = priority;
        b.queue = queue;
        b.exchange = exchange;
        b.routingKey = routingKey;
        b.headers = new LinkedHashMap<>(headers);
        b.timeLimit = timeLimit;
        b.softTimeLimit = softTimeLimit;
        b.ignoreResult = ignoreResult;
        b.shadow = shadow;
        b.retries = retries;
        b.link = new ArrayList<>(link);
        b.linkError = new ArrayList<>(linkError);
        b.replyTo = replyTo;
        b.parentId = parentId;
        b.rootId = rootId;
        b.groupId = groupId;
        b.groupIndex = groupIndex;
        b.chain = chain;
        b.chord = chord;
        return b;
    }

    /** @return the task id, or {@code null} for a new random one */
    public String taskId() {
        return taskId;
    }

    /** @return the delay before the task may run, or {@code null} */
    public Duration countdown() {
        return countdown;
    }

    /** @return the not-before time, or {@code null} */
    public Instant eta() {
        return eta;
    }

    /** @return how long the task may wait before it expires, or {@code null} */
    public Duration expiresIn() {
        return expiresIn;
    }

    /** @return when the task expires, or {@code null} */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** @return the message priority, or {@code null} for 0 */
    public Integer priority() {
        return priority;
    }

    /** @return the queue, or {@code null} for the route or the default queue */
    public String queue() {
        return queue;
    }

    /** @return the exchange, or {@code null} */
    public String exchange() {
        return exchange;
    }

    /** @return the routing key, or {@code null} */
    public String routingKey() {
        return routingKey;
    }

    /** @return headers merged at the top level of the task headers, never {@code null} */
    public Map<String, Object> headers() {
        return headers;
    }

    /** @return the hard time limit in seconds, or {@code null} */
    public Number timeLimit() {
        return timeLimit;
    }

    /** @return the soft time limit in seconds, or {@code null} */
    public Number softTimeLimit() {
        return softTimeLimit;
    }

    /** @return whether the worker must not store the result */
    public boolean ignoreResult() {
        return ignoreResult;
    }

    /** @return the alternative name for logs, or {@code null} */
    public String shadow() {
        return shadow;
    }

    /** @return the retry count sent, 0 unless set */
    public long retries() {
        return retries;
    }

    /** @return the callbacks run on success, never {@code null} */
    public List<Signature> link() {
        return link;
    }

    /** @return the errbacks run on failure, never {@code null} */
    public List<Signature> linkError() {
        return linkError;
    }

    /** @return the {@code reply_to} property, or {@code null} for the backend's reply queue or the client oid */
    public String replyTo() {
        return replyTo;
    }

    /** @return the id of the task that sends this one, or {@code null} */
    public String parentId() {
        return parentId;
    }

    /** @return the id of the first task of the workflow, or {@code null} for the task's own id */
    public String rootId() {
        return rootId;
    }

    /** @return the group id, or {@code null} */
    public String groupId() {
        return groupId;
    }

    /** @return the position in a chord header, or {@code null} */
    public Long groupIndex() {
        return groupIndex;
    }

    /** @return the rest of a chain in reverse order, or {@code null} */
    public List<Signature> chain() {
        return chain;
    }

    /** @return the chord body this task is a header part of, or {@code null} */
    public Signature chord() {
        return chord;
    }

    @Override
    public String toString() {
        return "SendOptions[" + (taskId == null ? "" : "taskId=" + taskId + " ")
                + (queue == null ? "" : "queue=" + queue + " ") + (priority == null ? "" : "priority=" + priority + " ")
                + (countdown == null ? "" : "countdown=" + countdown + " ") + (eta == null ? "" : "eta=" + eta + " ")
                + (expiresIn == null ? "" : "expires=" + expiresIn + " ")
                + (expiresAt == null ? "" : "expires=" + expiresAt + " ") + "]";
    }

    /**
     * Builds {@link SendOptions}. Every setting is optional. Not thread-safe.
     */
    public static final class Builder {
        private String taskId;
        private Duration countdown;
        private Instant eta;
        private Duration expiresIn;
        private Instant expiresAt;
        private Integer priority;
        private String queue;
        private String exchange;
        private String routingKey;
        private Map<String, Object> headers = new LinkedHashMap<>();
        private Number timeLimit;
        private Number softTimeLimit;
        private boolean ignoreResult;
        private String shadow;
        private long retries;
        private List<Signature> link = new ArrayList<>();
        private List<Signature> linkError = new ArrayList<>();
        private String replyTo;
        private String parentId;
        private String rootId;
        private String groupId;
        private Long groupIndex;
        private List<Signature> chain;
        private Signature chord;

        private Builder() {
        }

        /** @param v the task id (Celery's {@code task_id}) @return this */
        public Builder taskId(String v) {
            taskId = v;
            return this;
        }

        /**
         * Delays the task: {@code eta} = send time + the countdown (it wins over {@link #eta(Instant)}, as in
         * Celery).
         *
         * @param v the delay, not negative
         * @return this
         * @throws InvalidTaskMessageException when negative
         */
        public Builder countdown(Duration v) {
            if (v != null && v.isNegative()) {
                throw new InvalidTaskMessageException("countdown cannot be negative: " + v);
            }
            countdown = v;
            return this;
        }

        /** @param v the not-before time @return this */
        public Builder eta(Instant v) {
            eta = v;
            return this;
        }

        /**
         * Expires the task after a duration from its send time: header {@code expires} and property
         * {@code expiration} (whole milliseconds), as Celery's {@code expires=seconds}. Replaces
         * {@link #expires(Instant)}.
         *
         * @param v the duration
         * @return this
         */
        public Builder expires(Duration v) {
            expiresIn = v;
            expiresAt = null;
            return this;
        }

        /**
         * Expires the task at an instant: header {@code expires} and property {@code expiration} (the
         * milliseconds left at send time, 0 when already past), as Celery's {@code expires=datetime}. Replaces
         * {@link #expires(Duration)}.
         *
         * @param v the instant
         * @return this
         */
        public Builder expires(Instant v) {
            expiresAt = v;
            expiresIn = null;
            return this;
        }

        /**
         * The message priority (Celery's 0..9; 0..255 accepted). On Redis it picks the list key, a smaller number
         * served first; on RabbitMQ it needs a queue declared with {@code x-max-priority}.
         *
         * @param v the priority
         * @return this
         * @throws InvalidTaskMessageException outside 0..255
         */
        public Builder priority(Integer v) {
            if (v != null && (v < 0 || v > 255)) {
                throw new InvalidTaskMessageException("priority must be within 0..255, not " + v);
            }
            priority = v;
            return this;
        }

        /** @param v the queue (created when missing, as {@code task_create_missing_queues}) @return this */
        public Builder queue(String v) {
            queue = v;
            return this;
        }

        /** @param v the exchange; used only together with a routing key, as in Celery @return this */
        public Builder exchange(String v) {
            exchange = v;
            return this;
        }

        /** @param v the routing key; used only together with an exchange, as in Celery @return this */
        public Builder routingKey(String v) {
            routingKey = v;
            return this;
        }

        /**
         * Adds headers merged at the top level of the task headers, as Celery's {@code headers=}.
         *
         * @param v JSON-like values by name
         * @return this
         */
        public Builder headers(Map<String, ?> v) {
            headers.putAll(v);
            return this;
        }

        /**
         * Adds one header.
         *
         * @param name the name
         * @param value a JSON-like value
         * @return this
         */
        public Builder header(String name, Object value) {
            headers.put(name, value);
            return this;
        }

        /** @param v the hard time limit in seconds @return this */
        public Builder timeLimit(Number v) {
            timeLimit = v;
            return this;
        }

        /** @param v the soft time limit in seconds @return this */
        public Builder softTimeLimit(Number v) {
            softTimeLimit = v;
            return this;
        }

        /** @param v whether the worker must not store the result @return this */
        public Builder ignoreResult(boolean v) {
            ignoreResult = v;
            return this;
        }

        /** @param v the alternative name for logs @return this */
        public Builder shadow(String v) {
            shadow = v;
            return this;
        }

        /** @param v the retry count to send @return this */
        public Builder retries(long v) {
            if (v < 0) {
                throw new InvalidTaskMessageException("retries cannot be negative: " + v);
            }
            retries = v;
            return this;
        }

        /** @param v a callback run with the result on success (Celery's {@code link}) @return this */
        public Builder link(Signature v) {
            link.add(v);
            return this;
        }

        /** @param v an errback run on failure (Celery's {@code link_error}) @return this */
        public Builder linkError(Signature v) {
            linkError.add(v);
            return this;
        }

        /** @param v the {@code reply_to} property @return this */
        public Builder replyTo(String v) {
            replyTo = v;
            return this;
        }

        /** @param v the id of the task that sends this one @return this */
        public Builder parentId(String v) {
            parentId = v;
            return this;
        }

        /** @param v the id of the first task of the workflow @return this */
        public Builder rootId(String v) {
            rootId = v;
            return this;
        }

        /** @param v the group id (Celery's {@code group_id}) @return this */
        public Builder groupId(String v) {
            groupId = v;
            return this;
        }

        /** @param v the position in a chord header @return this */
        public Builder groupIndex(Long v) {
            groupIndex = v;
            return this;
        }

        /** @param v the rest of a chain, in reverse order (the next task last) @return this */
        public Builder chain(List<Signature> v) {
            chain = v;
            return this;
        }

        /** @param v the chord body of a header part @return this */
        public Builder chord(Signature v) {
            chord = v;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public SendOptions build() {
            return new SendOptions(this);
        }
    }
}
