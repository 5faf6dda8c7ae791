package io.celeriac.client.control;

import io.celeriac.control.ControlReply;
import io.celeriac.control.Mailbox;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Celery's {@code app.control.inspect()}: the read-only commands, each sent to this object's {@link Target} with
 * the arguments {@code celery.app.control.Inspect} sends, waiting for replies (always, whatever the target's
 * {@code reply} says). Obtain one from {@link Control#inspect()}. Immutable and thread-safe.
 */
public final class Inspect {

    private final Mailbox mailbox;
    private final Target target;

    Inspect(Mailbox mailbox, Target target) {
        this.mailbox = mailbox;
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * Where the commands go.
     *
     * @return the target
     */
    public Target target() {
        return target;
    }

    /**
     * Sends any inspect command and gathers the replies.
     *
     * @param method the command, e.g. {@code active_queues}
     * @param arguments its keyword arguments, {@code null} for none
     * @return the replies
     */
    public Replies request(String method, Map<String, ?> arguments) {
        List<ControlReply> r = mailbox.call(method, arguments, target.destination(), target.pattern(),
                target.matcher(), target.timeout(), target.limit(), null);
        return new Replies(r);
    }

    /**
     * {@code ping}: every node answers {@code {"ok": "pong"}}.
     *
     * @return the replies
     */
    public Replies ping() {
        return request("ping", Map.of());
    }

    /**
     * {@code active}: the tasks each node runs now ({@code {"safe": null}} as Celery sends it).
     *
     * @return node → list of task infos
     */
    public Replies active() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("safe", null);
        return request("active", args);
    }

    /**
     * {@code reserved}: the tasks each node holds and has not started.
     *
     * @return node → list of task infos
     */
    public Replies reserved() {
        return request("reserved", Map.of());
    }

    /**
     * {@code scheduled}: the tasks each node holds for a later time (ETA / countdown).
     *
     * @return node → list of {@code {eta, priority, request}}
     */
    public Replies scheduled() {
        return request("scheduled", Map.of());
    }

    /**
     * {@code revoked}: the ids each node keeps as revoked.
     *
     * @return node → list of task ids
     */
    public Replies revoked() {
        return request("revoked", Map.of());
    }

    /**
     * {@code registered}: the task names each node knows ({@code {"taskinfoitems": [...]}}).
     *
     * @param taskInfoItems task attributes to add to each name, e.g. {@code rate_limit}; none for the names only
     * @return node → list of task names
     */
    public Replies registered(String... taskInfoItems) {
        return request("registered", Map.of("taskinfoitems", Arrays.asList(taskInfoItems)));
    }

    /**
     * {@code stats}: each node's statistics (pid, pool, broker, clock, rusage, totals...).
     *
     * @return node → statistics map
     */
    public Replies stats() {
        return request("stats", Map.of());
    }

    /**
     * {@code query_task}: what each node knows of these tasks ({@code {"ids": [...]}}).
     *
     * @param ids the task ids
     * @return node → {@code {task_id: [state, task_info]}}
     */
    public Replies queryTask(Collection<String> ids) {
        return request("query_task", Map.of("ids", List.copyOf(ids)));
    }

    /**
     * {@code conf}: each node's configuration without the defaults ({@code {"with_defaults": false}}).
     *
     * @return node → configuration map
     */
    public Replies conf() {
        return conf(false);
    }

    /**
     * {@code conf}: each node's configuration.
     *
     * @param withDefaults whether the settings left at their default are included
     * @return node → configuration map
     */
    public Replies conf(boolean withDefaults) {
        return request("conf", Map.of("with_defaults", withDefaults));
    }

    /**
     * {@code report}: each node's bug-report text.
     *
     * @return node → {@code {"ok": text}}
     */
    public Replies report() {
        return request("report", Map.of());
    }
}
