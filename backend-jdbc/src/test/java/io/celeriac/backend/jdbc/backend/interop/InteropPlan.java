package io.celeriac.backend.jdbc.backend.interop;

import io.celeriac.backend.Backend;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.GoldenCorpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an interop test writes on one side and checks on the other: every state (SUCCESS, FAILURE with a
 * built-in and a custom exception, RETRY, REVOKED, STARTED, a custom state), every value of the golden
 * corpus, extended fields from a worker-like request, and groups (nested, with parents). It is written as
 * the JSON plan {@code celery_db.py} executes, and as the same operations through a Java backend.
 */
final class InteropPlan {

    /** One task the plan stores. */
    record Task(String taskId, TaskState state, Object result, String traceback, TaskRequest request, String reason) {
    }

    final String prefix;
    final boolean extended;
    final List<Task> tasks = new ArrayList<>();
    final List<GroupResult> groups = new ArrayList<>();
    final Map<String, Object> tableNames = new LinkedHashMap<>();
    final Map<String, Object> tableSchemas = new LinkedHashMap<>();
    /** The Python app's {@code timezone} setting, or {@code null} for Celery's default (UTC). */
    String timezone;

    InteropPlan(String prefix, boolean extended) {
        this.prefix = prefix;
        this.extended = extended;
    }

    /** The full plan: every golden value, every state, two groups. */
    static InteropPlan everything(String prefix, boolean extended) {
        InteropPlan p = new InteropPlan(prefix, extended);
        TaskRequest req = TaskRequest.builder().task("interop.corpus.task").args(List.of(1L, "two", Map.of("three", 3L)))
                .kwargs(orderedKwargs()).hostname("worker1@interop").retries(0).queue("celery").build();
        int i = 0;
        for (TaskMeta g : GoldenCorpus.metas()) {
            if (g.status().equals(TaskState.SUCCESS)) {
                p.tasks.add(new Task(prefix + "-value-" + i++, TaskState.SUCCESS, g.result(), null, req, null));
            }
        }
        String tb = "Traceback (most recent call last):\n  File \"proj/tasks.py\", line 2, in inner\n    raise exc\nValueError: bad value: 42\n";
        p.tasks.add(new Task(prefix + "-failure-builtin", TaskState.FAILURE, ExceptionInfo.builtin("ValueError", "bad value: 42"), tb, req, null));
        p.tasks.add(new Task(prefix + "-failure-custom", TaskState.FAILURE,
                ExceptionInfo.of("CustomError", "interop_common", "quota exceeded \u2603", 429L), tb, req, null));
        p.tasks.add(new Task(prefix + "-failure-noargs", TaskState.FAILURE, ExceptionInfo.of("KeyError", "builtins"), null, null, null));
        p.tasks.add(new Task(prefix + "-retry", TaskState.RETRY, ExceptionInfo.builtin("RuntimeError", "transient, will retry"), tb, req, null));
        p.tasks.add(new Task(prefix + "-revoked", TaskState.REVOKED, ExceptionInfo.taskRevoked("revoked by interop test"), null, req,
                "revoked by interop test"));
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("pid", 4242L);
        started.put("hostname", "worker1@interop");
        p.tasks.add(new Task(prefix + "-started", TaskState.STARTED, started, null, req, null));
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("current", 3L);
        progress.put("total", 10L);
        progress.put("note", "custom state");
        p.tasks.add(new Task(prefix + "-progress", TaskState.of("PROGRESS"), progress, null, req, null));
        p.tasks.add(new Task(prefix + "-none", TaskState.SUCCESS, null, null, null, null));
        p.tasks.add(new Task(prefix + "-noreq", TaskState.SUCCESS, Map.of("plain", true), null, null, null));

        ResultTuple parent = ResultTuple.of(prefix + "-parent");
        p.groups.add(new GroupResult(prefix + "-group", List.of(
                ResultTuple.of(prefix + "-value-0"), ResultTuple.of(prefix + "-value-1", parent),
                new ResultTuple(prefix + "-inner", null, List.of(ResultTuple.of(prefix + "-value-2")))), null));
        p.groups.add(GroupResult.ofTaskIds(prefix + "-flat", List.of(prefix + "-failure-builtin", prefix + "-revoked")));
        return p;
    }

    private static Map<String, Object> orderedKwargs() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k", "v");
        m.put("n", null);
        return m;
    }

    /** The task with an id. */
    Task task(String id) {
        return tasks.stream().filter(t -> t.taskId().equals(id)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------
    // the Python side

    /** Writes the plan as {@code celery_db.py} reads it. */
    Path writeJson(Path dir, String name) {
        List<Object> ops = new ArrayList<>();
        for (Task t : tasks) {
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("task_id", t.taskId());
            if (t.state().equals(TaskState.REVOKED)) {
                op.put("op", "revoke");
                op.put("reason", t.reason());
            } else if (t.result() instanceof ExceptionInfo e) {
                op.put("op", "fail");
                op.put("state", t.state().name());
                op.put("exc_type", e.excType());
                op.put("exc_module", e.excModule());
                op.put("args", e.args());
            } else {
                op.put("op", "store");
                op.put("state", t.state().name());
                op.put("result", t.result());
            }
            op.put("traceback", t.traceback());
            if (t.request() != null) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("task", t.request().task());
                r.put("args", t.request().args());
                r.put("kwargs", t.request().kwargs());
                r.put("hostname", t.request().hostname());
                r.put("retries", (long) t.request().retries());
                r.put("queue", t.request().queue());
                op.put("request", r);
            }
            ops.add(op);
        }
        for (GroupResult g : groups) {
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("op", "group");
            op.put("group_id", g.id());
            op.put("tuple", g.asTuple().toList());
            ops.add(op);
        }
        return writeJson(dir, name, ops);
    }

    Path writeJson(Path dir, String name, List<Object> ops) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("extended", extended);
        doc.put("table_names", tableNames);
        doc.put("table_schemas", tableSchemas);
        if (timezone != null) {
            doc.put("timezone", timezone);
        }
        doc.put("ops", ops);
        try {
            Path f = dir.resolve(name);
            Files.writeString(f, CeleryJson.encodeToString(doc), StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // the Java side

    /** Performs the plan through a Java backend, as a worker would. */
    void writeWith(Backend b) {
        for (Task t : tasks) {
            if (t.state().equals(TaskState.REVOKED)) {
                b.markAsRevoked(t.taskId(), t.reason(), t.request());
            } else {
                b.storeResult(t.taskId(), t.result(), t.state(), t.traceback(), t.request());
            }
        }
        for (GroupResult g : groups) {
            b.saveGroup(g);
        }
    }
}
