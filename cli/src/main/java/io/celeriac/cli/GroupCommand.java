package io.celeriac.cli;

import io.celeriac.backend.Backend;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.json.CeleryJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code celeriac group get GID}: a saved group and its members' states. */
@Command(name = "group", mixinStandardHelpOptions = true, description = "Read a saved group.",
        subcommands = {GroupCommand.Get.class})
final class GroupCommand implements java.util.concurrent.Callable<Integer> {

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

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Print a saved group and the state of each member. Exit 1 when no group is saved under GID.")
    static final class Get implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        BackendOption backend;
        @Parameters(paramLabel = "GID", description = "The group id.")
        String gid;
        @Option(names = "--json", description = "Print the group as Celery stores it.")
        boolean json;

        @Override
        public Integer call() {
            try (Backend b = backend.openForReading()) {
                GroupResult g = b.restoreGroup(gid).orElse(null);
                if (g == null) {
                    spec.commandLine().getErr().println("celeriac: no group is saved under " + gid + " in " + b.asUri());
                    return ExitCodes.ERROR;
                }
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(new String(CeleryJson.encodeGroup(g), java.nio.charset.StandardCharsets.US_ASCII));
                    out.flush();
                    return ExitCodes.OK;
                }
                java.util.List<String> ids = new java.util.ArrayList<>();
                for (ResultTuple r : g.results()) {
                    if (r.isGroup()) {
                        r.children().forEach(c -> ids.add(c.id())); // an inner group has no meta of its own
                    } else {
                        ids.add(r.id());
                    }
                }
                Map<String, TaskMeta> metas = b.getMany(ids);
                out.println("group " + g.id() + (g.parent() == null ? "" : " (parent " + g.parent().id() + ")") + ", "
                        + g.results().size() + " members:");
                Table t = new Table("MEMBER", "KIND", "STATUS", "RESULT");
                for (ResultTuple r : g.results()) {
                    if (r.isGroup()) {
                        // as Celery's GroupResult: how many of its members are ready, never a PENDING "task"
                        long ready = r.children().stream().filter(c -> metas.get(c.id()).isReady()).count();
                        long failed = r.children().stream().filter(c -> metas.get(c.id()).status().isException()).count();
                        t.row(r.id(), "group", ready == r.children().size() ? (failed > 0 ? "FAILURE" : "SUCCESS")
                                : ready + "/" + r.children().size() + " ready",
                                r.children().size() + " members" + (failed > 0 ? ", " + failed + " failed" : ""));
                        continue;
                    }
                    TaskMeta m = metas.get(r.id());
                    Object result = m.exception().<Object>map(e -> e.pythonRepr()).orElse(m.result());
                    t.row(r.id(), "task", m.status(), result == null ? "" : result instanceof String s ? s : CeleryJson.encodeToString(result));
                }
                t.print(out);
                return ExitCodes.OK;
            }
        }
    }
}
