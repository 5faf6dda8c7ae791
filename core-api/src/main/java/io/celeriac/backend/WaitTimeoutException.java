package io.celeriac.backend;

import io.celeriac.CeleriacException;

import java.time.Duration;
import java.util.Optional;

/**
 * Raised when a result is not ready within the time a caller waited for it, as Celery's
 * {@code TimeoutError('The operation timed out.')}. The message names the last state the wait saw, when it saw one
 * ({@code last state PROGRESS {"current": 4}}).
 *
 * <p>A wait that ends because the store could not be reached raises a
 * {@link BackendUnavailableException} instead: a server that is down is not a slow task.
 */
public class WaitTimeoutException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final Duration timeout;
    private final transient TaskMeta lastSeen;
    private static final int MAX_SHOWN = 200;

    /**
     * Creates the exception.
     *
     * @param taskId the task waited for
     * @param timeout how long the caller waited
     */
    public WaitTimeoutException(String taskId, Duration timeout) {
        this(taskId, timeout, null);
    }

    /**
     * Creates the exception, naming the last state the wait saw.
     *
     * @param taskId the task waited for
     * @param timeout how long the caller waited
     * @param lastSeen the last (not ready) meta the wait read or was sent, or {@code null} when it saw none
     */
    public WaitTimeoutException(String taskId, Duration timeout, TaskMeta lastSeen) {
        super("The operation timed out: task " + taskId + " was not ready after " + describe(timeout)
                + (lastSeen == null ? "" : "; last state " + describeState(lastSeen)));
        this.taskId = taskId;
        this.timeout = timeout;
        this.lastSeen = lastSeen;
    }

    /**
     * The last state the wait saw, e.g. a {@code PROGRESS} meta with {@code {"current": 4}} as its result.
     *
     * @return the last meta read or sent before the timeout, or empty when the wait saw none
     */
    public Optional<TaskMeta> lastSeen() {
        return Optional.ofNullable(lastSeen);
    }

    /**
     * A state for a message: its name and its result, as JSON (an exception as Python's repr), cut at 200
     * characters: {@code PROGRESS {"current": 4}}.
     *
     * @param meta the meta
     * @return the text
     */
    static String describeState(TaskMeta meta) {
        Object r = meta.result();
        if (r == null) {
            return meta.status().name();
        }
        String text;
        if (r instanceof ExceptionInfo e) {
            text = e.pythonRepr();
        } else {
            try {
                text = io.celeriac.json.CeleryJson.encodeToString(r);
            } catch (RuntimeException notJson) {
                text = String.valueOf(r);
            }
        }
        if (text.length() > MAX_SHOWN) {
            text = text.substring(0, MAX_SHOWN) + "...";
        }
        return meta.status().name() + " " + text;
    }

    /**
     * The task waited for.
     *
     * @return the task id
     */
    public String taskId() {
        return taskId;
    }

    /**
     * How long the caller waited.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }

    private static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
