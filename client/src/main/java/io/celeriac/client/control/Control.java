package io.celeriac.client.control;

import io.celeriac.broker.Broker;
import io.celeriac.control.ControlReply;
import io.celeriac.control.Mailbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Celery's {@code app.control} for Java: remote control of the workers on a broker (Python Celery workers and Java
 * ones alike), with the commands and argument shapes of {@code celery.app.control.Control}.
 *
 * <p>Every command goes to a {@link Target} (every node by default), waits at most its timeout (Celery's 1 second)
 * for each next reply, and returns the {@link Replies}. {@link #inspect()} and {@link #ping()} always wait for
 * replies; the other commands wait only when the target says {@link Target#withReply(boolean) reply}, as Celery's
 * {@code reply=False} default, and otherwise return {@link Replies#none()} at once.
 *
 * <p>Create one with {@link #create(Broker)}; it opens a {@link Mailbox} (a reply queue of its own) that
 * {@link #close()} deletes. The broker is not owned: close it yourself. Thread-safe; concurrent commands each get
 * their own replies. Broker failures surface as the broker's exceptions.
 */
public final class Control implements AutoCloseable {

    /** Celery's default signal for terminating a task, {@code SIGTERM} (billiard's {@code TERM_SIGNAME}). */
    public static final String DEFAULT_SIGNAL = "SIGTERM";

    private final Mailbox mailbox;

    private Control(Mailbox mailbox) {
        this.mailbox = mailbox;
    }

    /**
     * Remote control on a broker.
     *
     * @param broker an open broker, not {@code null}; it stays open after {@link #close()}
     * @return the control
     */
    public static Control create(Broker broker) {
        return new Control(new Mailbox(Objects.requireNonNull(broker, "broker")));
    }

    /**
     * The mailbox the commands go through (for commands this class has no method for).
     *
     * @return the mailbox
     */
    public Mailbox mailbox() {
        return mailbox;
    }

    /**
     * The inspect commands for every node, Celery's 1 second timeout.
     *
     * @return the inspector
     */
    public Inspect inspect() {
        return inspect(Target.all());
    }

    /**
     * The inspect commands for a target.
     *
     * @param target the nodes and timeout
     * @return the inspector
     */
    public Inspect inspect(Target target) {
        return new Inspect(mailbox, target);
    }

    /**
     * Sends any command to a target ({@code app.control.broadcast}).
     *
     * @param method the command
     * @param arguments its keyword arguments, {@code null} for none
     * @param target the nodes, timeout and whether to wait for replies
     * @return the replies, or {@link Replies#none()} when the target does not wait for them
     */
    public Replies broadcast(String method, Map<String, ?> arguments, Target target) {
        Objects.requireNonNull(target, "target");
        if (!target.reply()) {
            mailbox.cast(method, arguments, target.destination(), target.pattern(), target.matcher(),
                    target.timeout());
            return Replies.none();
        }
        List<ControlReply> r = mailbox.call(method, arguments, target.destination(), target.pattern(),
                target.matcher(), target.timeout(), target.limit(), null);
        return new Replies(r);
    }

    /**
     * {@code ping} to every node, waiting 1 second.
     *
     * @return node → {@code {"ok": "pong"}}
     */
    public Replies ping() {
        return ping(Target.all());
    }

    /**
     * {@code ping} to a target, always waiting for replies.
     *
     * @param target the nodes and timeout
     * @return node → {@code {"ok": "pong"}}
     */
    public Replies ping(Target target) {
        return broadcast("ping", Map.of(), target.withReply(true));
    }

    /**
     * {@code revoke} on every node, without waiting: the workers will not run these tasks.
     *
     * @param taskIds the task ids, at least one
     * @return {@link Replies#none()}
     */
    public Replies revoke(Collection<String> taskIds) {
        return revoke(taskIds, false, DEFAULT_SIGNAL, Target.all());
    }

    /**
     * {@code revoke} as {@code app.control.revoke} sends it: {@code {"task_id": id-or-ids, "terminate": ...,
     * "signal": ...}}, one id as a string and several as a list.
     *
     * @param taskIds the task ids, at least one
     * @param terminate whether to also terminate the process running a task
     * @param signal the signal name for {@code terminate}, e.g. {@code SIGTERM}; {@code null} for SIGTERM
     * @param target the nodes, timeout and whether to wait for replies
     * @return node → {@code {"ok": "tasks ... flagged as revoked"}}, or none
     */
    public Replies revoke(Collection<String> taskIds, boolean terminate, String signal, Target target) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("task_id", ids(taskIds));
        args.put("terminate", terminate);
        args.put("signal", signal == null ? DEFAULT_SIGNAL : signal);
        return broadcast("revoke", args, target);
    }

    /**
     * {@code terminate} on every node, without waiting.
     *
     * @param signal the signal name, e.g. {@code SIGTERM} or {@code SIGKILL}
     * @param taskIds the task ids, at least one
     * @return {@link Replies#none()}
     */
    public Replies terminate(String signal, Collection<String> taskIds) {
        return terminate(signal, taskIds, Target.all());
    }

    /**
     * {@code terminate} as {@code celery control terminate SIGNAL ID...} sends it: {@code {"signal": ...,
     * "task_id": [ids]}} (the worker revokes the tasks and signals the processes running them).
     *
     * @param signal the signal name, e.g. {@code SIGTERM}; {@code null} for SIGTERM
     * @param taskIds the task ids, at least one
     * @param target the nodes, timeout and whether to wait for replies
     * @return node → {@code {"ok": "terminate: ..."}}, or none
     */
    public Replies terminate(String signal, Collection<String> taskIds, Target target) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("signal", signal == null ? DEFAULT_SIGNAL : signal);
        args.put("task_id", List.copyOf(nonEmpty(taskIds)));
        return broadcast("terminate", args, target);
    }

    /**
     * {@code rate_limit} on every node, without waiting.
     *
     * @param taskName the task name
     * @param rateLimit the rate, e.g. {@code 10/m}, {@code 100}; {@code null} for none
     * @return {@link Replies#none()}
     */
    public Replies rateLimit(String taskName, String rateLimit) {
        return rateLimit(taskName, rateLimit, Target.all());
    }

    /**
     * {@code rate_limit}: {@code {"task_name": ..., "rate_limit": ...}}.
     *
     * @param taskName the task name
     * @param rateLimit the rate, e.g. {@code 10/m}; {@code null} for none
     * @param target the nodes, timeout and whether to wait for replies
     * @return node → {@code {"ok": ...}}, or none
     */
    public Replies rateLimit(String taskName, String rateLimit, Target target) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("task_name", Objects.requireNonNull(taskName, "taskName"));
        args.put("rate_limit", rateLimit);
        return broadcast("rate_limit", args, target);
    }

    /**
     * {@code time_limit} on every node, without waiting.
     *
     * @param taskName the task name
     * @param soft the soft limit in seconds, {@code null} for none
     * @param hard the hard limit in seconds, {@code null} for none
     * @return {@link Replies#none()}
     */
    public Replies timeLimit(String taskName, Double soft, Double hard) {
        return timeLimit(taskName, soft, hard, Target.all());
    }

    /**
     * {@code time_limit}: {@code {"task_name": ..., "hard": ..., "soft": ...}}.
     *
     * @param taskName the task name
     * @param soft the soft limit in seconds, {@code null} for none
     * @param hard the hard limit in seconds, {@code null} for none
     * @param target the nodes, timeout and whether to wait for replies
     * @return node → {@code {"ok": ...}}, or none
     */
    public Replies timeLimit(String taskName, Double soft, Double hard, Target target) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("task_name", Objects.requireNonNull(taskName, "taskName"));
        args.put("hard", hard);
        args.put("soft", soft);
        return broadcast("time_limit", args, target);
    }

    /**
     * {@code shutdown} of every node, without waiting.
     *
     * @return {@link Replies#none()}
     */
    public Replies shutdown() {
        return shutdown(Target.all());
    }

    /**
     * {@code shutdown}: the workers stop (warm shutdown).
     *
     * @param target the nodes, timeout and whether to wait for replies
     * @return node → {@code {"ok": "shutting down"}} when the worker answers first, or none
     */
    public Replies shutdown(Target target) {
        return broadcast("shutdown", Map.of(), target);
    }

    /**
     * {@code enable_events} on every node, without waiting.
     *
     * @return {@link Replies#none()}
     */
    public Replies enableEvents() {
        return enableEvents(Target.all());
    }

    /**
     * {@code enable_events}: the workers start sending task events.
     *
     * @param target the nodes, timeout and whether to wait for replies
     * @return node → {@code {"ok": "task events enabled"}}, or none
     */
    public Replies enableEvents(Target target) {
        return broadcast("enable_events", Map.of(), target);
    }

    /**
     * {@code disable_events} on every node, without waiting.
     *
     * @return {@link Replies#none()}
     */
    public Replies disableEvents() {
        return disableEvents(Target.all());
    }

    /**
     * {@code disable_events}: the workers stop sending task events.
     *
     * @param target the nodes, timeout and whether to wait for replies
     * @return node → {@code {"ok": "task events disabled"}}, or none
     */
    public Replies disableEvents(Target target) {
        return broadcast("disable_events", Map.of(), target);
    }

    /**
     * {@code heartbeat} to every node, without waiting.
     *
     * @return {@link Replies#none()}
     */
    public Replies heartbeat() {
        return heartbeat(Target.all());
    }

    /**
     * {@code heartbeat}: the workers send a {@code worker-heartbeat} event now.
     *
     * @param target the nodes, timeout and whether to wait for replies
     * @return node → {@code null} per answering node (Celery's handler returns nothing), or none
     */
    public Replies heartbeat(Target target) {
        return broadcast("heartbeat", Map.of(), target);
    }

    /** One id as a string, several as a list, as callers of {@code app.control.revoke} send them. */
    private static Object ids(Collection<String> taskIds) {
        List<String> ids = new ArrayList<>(nonEmpty(taskIds));
        return ids.size() == 1 ? ids.get(0) : ids;
    }

    private static Collection<String> nonEmpty(Collection<String> taskIds) {
        Objects.requireNonNull(taskIds, "taskIds");
        if (taskIds.isEmpty() || taskIds.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("name at least one task id, and no null: " + taskIds);
        }
        return taskIds;
    }

    /**
     * Deletes the reply queue; the broker stays open. Closing twice does nothing.
     */
    @Override
    public void close() {
        mailbox.close();
    }
}
