package io.celeriac.client.control;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Which nodes a remote-control command goes to and how its replies are gathered: Celery's {@code destination},
 * {@code pattern} / {@code matcher}, {@code timeout}, {@code limit} and {@code reply} arguments of
 * {@code app.control.broadcast}. Immutable and thread-safe; start from {@link #all()} or {@link #nodes}.
 *
 * @param destination the node names, or {@code null} for every node (never an empty list)
 * @param pattern a node-name pattern used with {@code matcher} when no destination is given, or {@code null}
 * @param matcher {@code glob} or {@code pcre}, or {@code null}
 * @param timeout how long to wait for each next reply, and the request's expiry; positive
 * @param limit the most replies to wait for, 0 for no limit (the number of destinations when they are given)
 * @param reply whether a control command waits for replies (Celery's {@code reply}); inspect commands and
 *        {@code ping} always do
 */
public record Target(List<String> destination, String pattern, String matcher, Duration timeout, int limit,
                     boolean reply) {

    /** Celery's default timeout, 1 second. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException when the destination is empty, the timeout not positive or the limit
     *         negative, or only one of pattern and matcher is given
     */
    public Target {
        if (destination != null) {
            if (destination.isEmpty()) {
                throw new IllegalArgumentException("a destination names at least one node; use all() for every node");
            }
            destination = List.copyOf(destination);
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the timeout must be positive, not " + timeout);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("the limit cannot be negative: " + limit);
        }
        if ((pattern == null) != (matcher == null)) {
            throw new IllegalArgumentException("a pattern needs a matcher (glob or pcre) and the other way round");
        }
    }

    /**
     * Every node, Celery's defaults: 1 second, no limit, no reply for control commands.
     *
     * @return the target
     */
    public static Target all() {
        return new Target(null, null, null, DEFAULT_TIMEOUT, 0, false);
    }

    /**
     * The named nodes, Celery's defaults otherwise.
     *
     * @param nodes the node names, e.g. {@code worker1@host}; at least one
     * @return the target
     */
    public static Target nodes(String... nodes) {
        return nodes(Arrays.asList(nodes));
    }

    /**
     * The named nodes, Celery's defaults otherwise.
     *
     * @param nodes the node names; {@code null} or empty for every node
     * @return the target
     */
    public static Target nodes(List<String> nodes) {
        return new Target(nodes == null || nodes.isEmpty() ? null : nodes, null, null, DEFAULT_TIMEOUT, 0, false);
    }

    /**
     * The nodes whose name matches a pattern, as kombu's matchers decide.
     *
     * @param pattern the pattern, e.g. {@code worker*@host} or {@code ^worker[0-9]}
     * @param matcher {@code glob} or {@code pcre}
     * @return a target with the pattern and no destination
     */
    public Target matching(String pattern, String matcher) {
        return new Target(null, pattern, matcher, timeout, limit, reply);
    }

    /**
     * The same target with another timeout.
     *
     * @param v how long to wait for each next reply, positive
     * @return the target
     */
    public Target withTimeout(Duration v) {
        return new Target(destination, pattern, matcher, v, limit, reply);
    }

    /**
     * The same target with another limit.
     *
     * @param v the most replies to wait for, 0 for no limit
     * @return the target
     */
    public Target withLimit(int v) {
        return new Target(destination, pattern, matcher, timeout, v, reply);
    }

    /**
     * The same target, waiting for replies to control commands or not.
     *
     * @param v whether to wait for replies
     * @return the target
     */
    public Target withReply(boolean v) {
        return new Target(destination, pattern, matcher, timeout, limit, v);
    }
}
