package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code celeriac migrate --from URL --to URL}: copies every stored result and group from one backend to
 * another (e.g. Redis to PostgreSQL). Resumable: what the target already holds is skipped, so running it
 * again after an interruption finishes the job; the target's SUCCESS results are never overwritten.
 * Verifies at the end that every result read from the source is in the target.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Copy every stored result and group from one backend to another, resumably, and verify the counts.")
final class MigrateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--from", required = true, paramLabel = "URL", description = "The backend to copy from.")
    String from;
    @Option(names = "--to", required = true, paramLabel = "URL", description = "The backend to copy to.")
    String to;
    @Option(names = "--batch", defaultValue = "500", paramLabel = "N", description = "Results read and written per batch (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;
    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (batch <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Celeriac celeriac = Celeriac.discover();
        try (Backend source = celeriac.openBackend(from); Backend target = celeriac.openBackend(to, BackendOptions.defaults())) {
            if (!source.supports(BackendCapability.SCAN) || !source.supports(BackendCapability.READ)) {
                err.println("celeriac: " + source.asUri() + " cannot list its results (no SCAN capability), so it cannot be migrated from");
                return ExitCodes.ERROR;
            }
            List<String> ids;
            try (Stream<String> s = source.taskIds()) {
                ids = s.collect(Collectors.toList());
            }
            long copied = 0;
            long alreadyThere = 0;
            long keptInTarget = 0;
            long vanished = 0;
            List<String> expected = new ArrayList<>(ids.size());
            Progress p = new Progress(err, "results", ids.size(), quiet);
            boolean targetReads = target.supports(BackendCapability.READ);
            for (int i = 0; i < ids.size(); i += batch) {
                List<String> chunk = ids.subList(i, Math.min(ids.size(), i + batch));
                Map<String, TaskMeta> metas = source.getMany(chunk);
                Map<String, TaskMeta> existing = targetReads ? target.getMany(chunk) : Map.of();
                for (String id : chunk) {
                    TaskMeta m = metas.get(id);
                    if (m == null || m.status().equals(TaskState.PENDING)) {
                        vanished++; // expired or forgotten since the scan
                        continue;
                    }
                    expected.add(id);
                    TaskMeta there = existing.get(id);
                    if (there != null && sameResult(there, m)) {
                        alreadyThere++;
                        continue;
                    }
                    if (there != null && there.status().equals(TaskState.SUCCESS)) {
                        keptInTarget++; // a SUCCESS is never overwritten: the target's result stays
                        continue;
                    }
                    target.store(m);
                    copied++;
                }
                p.update(Math.min(ids.size(), i + chunk.size()));
            }
            long groupsCopied = 0;
            long groupsThere = 0;
            long groupsTotal = 0;
            if (source.supports(BackendCapability.GROUPS) && target.supports(BackendCapability.GROUPS)) {
                List<String> gids;
                try (Stream<String> s = source.groupIds()) {
                    gids = s.collect(Collectors.toList());
                }
                Progress gp = new Progress(err, "groups", gids.size(), quiet);
                int n = 0;
                for (String gid : gids) {
                    Optional<GroupResult> g = source.restoreGroup(gid);
                    if (g.isPresent()) {
                        groupsTotal++;
                        if (target.restoreGroup(gid).equals(g)) {
                            groupsThere++;
                        } else {
                            target.saveGroup(g.get());
                            groupsCopied++;
                        }
                    }
                    gp.update(++n);
                }
            }
            long missing = 0;
            if (targetReads) {
                for (int i = 0; i < expected.size(); i += batch) {
                    for (TaskMeta m : target.getMany(expected.subList(i, Math.min(expected.size(), i + batch))).values()) {
                        if (m.status().equals(TaskState.PENDING)) {
                            missing++;
                        }
                    }
                }
            }
            if (json) {
                Map<String, Object> summary = new java.util.LinkedHashMap<>();
                summary.put("from", source.asUri());
                summary.put("to", target.asUri());
                summary.put("results", expected.size());
                summary.put("copied", copied);
                summary.put("already_there", alreadyThere);
                summary.put("kept_target_success", keptInTarget);
                summary.put("vanished", vanished);
                summary.put("groups", groupsTotal);
                summary.put("groups_copied", groupsCopied);
                summary.put("missing", targetReads ? missing : null);
                out.println(io.celeriac.json.CeleryJson.encodeToString(summary));
            } else {
                out.println("migrated " + source.asUri() + " -> " + target.asUri());
                Table t = new Table("WHAT", "TOTAL", "COPIED", "ALREADY THERE", "KEPT TARGET SUCCESS");
                t.row("results", expected.size(), copied, alreadyThere, keptInTarget);
                t.row("groups", groupsTotal, groupsCopied, groupsThere, "");
                t.print(out);
                if (vanished > 0) {
                    out.println(vanished + " result" + (vanished == 1 ? "" : "s") + " expired or were forgotten in the source during the copy");
                }
                out.println(targetReads ? (missing == 0 ? "verified: all " + expected.size() + " results are in the target"
                        : "NOT verified: " + missing + " of " + expected.size() + " results are missing in the target")
                        : "the target cannot be read back, so the copy was not verified");
            }
            out.flush();
            return missing == 0 ? ExitCodes.OK : ExitCodes.INCOMPLETE;
        }
    }

    private static boolean sameResult(TaskMeta a, TaskMeta b) {
        return a.status().equals(b.status()) && Objects.equals(a.result(), b.result())
                && Objects.equals(a.traceback(), b.traceback()) && Objects.equals(a.dateDone(), b.dateDone());
    }
}
