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
final class GroupCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
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
            try (Backend b = backend.open()) {
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
                Map<String, TaskMeta> metas = b.getMany(g.memberIds());
                out.println("group " + g.id() + (g.parent() == null ? "" : " (parent " + g.parent().id() + ")") + ", "
                        + g.results().size() + " members:");
                Table t = new Table("MEMBER", "KIND", "STATUS", "RESULT");
                for (ResultTuple r : g.results()) {
                    TaskMeta m = metas.get(r.id());
                    Object result = m.exception().<Object>map(e -> e.pythonRepr()).orElse(m.result());
                    t.row(r.id(), r.isGroup() ? "group" : "task", m.status(), result == null ? "" : result instanceof String s ? s : CeleryJson.encodeToString(result));
                }
                t.print(out);
                return ExitCodes.OK;
            }
        }
    }
}
