package io.celeriac.cli;

import io.celeriac.backend.Backend;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code celeriac result get|wait|forget|store}: Celery-compatible reads and writes of one result. */
@Command(name = "result", mixinStandardHelpOptions = true, description = "Read, wait for, forget or store one task result.",
        subcommands = {ResultCommand.Get.class, ResultCommand.Wait.class, ResultCommand.Forget.class, ResultCommand.Store.class})
final class ResultCommand implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Without a subcommand: the usage on stderr, and exit 2 (bad usage).
     *
     * @return {@link ExitCodes#USAGE}
     */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** Prints a meta for a person: state, result, exception and traceback. */
    static void printHuman(PrintWriter out, TaskMeta m) {
        Table t = new Table("FIELD", "VALUE");
        t.row("task_id", m.taskId());
        t.row("status", m.status());
        if (m.exception().isPresent()) {
            ExceptionInfo e = m.exception().get();
            t.row("exception", e.pythonRepr() + (e.excModule() == null ? "" : " (module " + e.excModule() + ")"));
        } else {
            t.row("result", m.result() == null ? "null" : CeleryJson.encodeToString(m.result()));
        }
        if (m.dateDone() != null) {
            t.row("date_done", CeleryJson.formatDateDone(m.dateDone()));
        }
        if (m.groupId() != null) {
            t.row("group_id", m.groupId());
        }
        if (m.parentId() != null) {
            t.row("parent_id", m.parentId());
        }
        if (m.extended()) {
            t.row("name", m.name());
            t.row("args", CeleryJson.encodeToString(m.args()));
            t.row("kwargs", CeleryJson.encodeToString(m.kwargs()));
            t.row("worker", m.worker());
            t.row("retries", m.retries());
            t.row("queue", m.queue());
        }
        t.print(out);
        if (m.traceback() != null) {
            out.println();
            out.print(m.traceback().endsWith("\n") ? m.traceback() : m.traceback() + "\n");
        }
        out.flush();
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print a task's result (PENDING when unknown).")
    static final class Get implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        BackendOption backend;
        @Parameters(paramLabel = "ID", description = "The task id.")
        String id;
        @Option(names = "--json", description = "Print the whole meta as Celery stores it.")
        boolean json;

        @Override
        public Integer call() {
            try (Backend b = backend.openForReading()) {
                TaskMeta m = b.getTaskMeta(id);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(CeleryJson.encodeMetaToString(m));
                    out.flush();
                } else {
                    printHuman(out, m);
                }
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "wait", mixinStandardHelpOptions = true,
            description = "Wait until a task is ready (push where the backend has it). Exit 0 on SUCCESS, "
                    + ExitCodes.TASK_FAILED + " when it failed or was revoked, " + ExitCodes.TIMEOUT + " on timeout.")
    static final class Wait implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        BackendOption backend;
        @Parameters(paramLabel = "ID", description = "The task id.")
        String id;
        @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "60",
                description = "How long to wait, in seconds (default: ${DEFAULT-VALUE}).")
        double timeout;
        @Option(names = "--json", description = "Print the ready meta as Celery stores it.")
        boolean json;

        @Override
        public Integer call() {
            if (timeout < 0 || Double.isNaN(timeout)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be a non-negative number of seconds");
            }
            try (Backend b = backend.openForReading()) {
                TaskMeta m;
                try {
                    m = b.waitFor(id, Duration.ofMillis((long) (timeout * 1000)));
                } catch (WaitTimeoutException e) {
                    spec.commandLine().getErr().println("celeriac: " + e.getMessage());
                    return ExitCodes.TIMEOUT;
                }
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(CeleryJson.encodeMetaToString(m));
                    out.flush();
                } else {
                    printHuman(out, m);
                }
                return m.status().equals(TaskState.SUCCESS) ? ExitCodes.OK : ExitCodes.TASK_FAILED;
            }
        }
    }

    @Command(name = "forget", mixinStandardHelpOptions = true, description = "Delete a task's result.")
    static final class Forget implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        BackendOption backend;
        @Parameters(paramLabel = "ID", description = "The task id.")
        String id;

        @Override
        public Integer call() {
            try (Backend b = backend.open()) {
                b.forget(id);
                spec.commandLine().getOut().println("forgot " + id);
                spec.commandLine().getOut().flush();
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "store", mixinStandardHelpOptions = true,
            description = "Store a result as a worker would, e.g. to mark a stuck task FAILURE or REVOKED. "
                    + "A Python AsyncResult(ID).get() sees it. A stored SUCCESS is never overwritten.")
    static final class Store implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        BackendOption backend;
        @Parameters(paramLabel = "ID", description = "The task id.")
        String id;
        @Option(names = {"-s", "--state"}, required = true, paramLabel = "STATE",
                description = "SUCCESS, FAILURE, REVOKED, RETRY, STARTED or a custom state.")
        String state;
        @Option(names = {"-r", "--result"}, paramLabel = "JSON", description = "The result value as JSON (default: null).")
        String resultJson;
        @Option(names = {"-e", "--exception"}, paramLabel = "TYPE:MESSAGE",
                description = "The exception of a FAILURE or RETRY (REVOKED defaults to TaskRevokedError), e.g. ValueError:bad input "
                        + "or mymodule.MyError:message.")
        String exception;
        @Option(names = "--traceback", paramLabel = "TEXT", description = "The traceback text.")
        String traceback;

        @Override
        public Integer call() {
            TaskState s = TaskState.of(state.strip().toUpperCase(java.util.Locale.ROOT));
            Object value;
            if (exception != null) {
                if (!s.isException()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--exception only goes with FAILURE, RETRY or REVOKED, not " + s);
                }
                value = parseException(exception);
            } else if (s.equals(TaskState.REVOKED)) {
                value = ExceptionInfo.taskRevoked("revoked");
            } else if (s.isException()) {
                throw new CommandLine.ParameterException(spec.commandLine(), s + " needs --exception TYPE:MESSAGE");
            } else if (resultJson != null) {
                try {
                    value = CeleryJson.decode(resultJson);
                } catch (JsonFormatException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--result is not JSON: " + e.getMessage());
                }
            } else {
                value = null;
            }
            try (Backend b = backend.open()) {
                TaskMeta written = b.storeResult(id, value, s, traceback, null);
                TaskMeta now = b.supports(io.celeriac.backend.BackendCapability.READ) ? b.getTaskMeta(id) : written;
                PrintWriter out = spec.commandLine().getOut();
                if (!now.status().equals(written.status())) {
                    spec.commandLine().getErr().println("celeriac: task " + id + " is already " + now.status()
                            + "; a stored SUCCESS is never overwritten");
                    return ExitCodes.ERROR;
                }
                out.println("stored " + id + " as " + s + " in " + b.asUri());
                out.flush();
                return ExitCodes.OK;
            }
        }

        static ExceptionInfo parseException(String spec) {
            int colon = spec.indexOf(':');
            String type = (colon < 0 ? spec : spec.substring(0, colon)).strip();
            String message = colon < 0 ? null : spec.substring(colon + 1).strip();
            if (type.isEmpty()) {
                throw new IllegalArgumentException("--exception needs a type, as in ValueError:message");
            }
            int dot = type.lastIndexOf('.');
            String module = dot < 0 ? "builtins" : type.substring(0, dot);
            String name = dot < 0 ? type : type.substring(dot + 1);
            return new ExceptionInfo(name, message == null ? List.of() : List.of(message), module);
        }
    }
}
