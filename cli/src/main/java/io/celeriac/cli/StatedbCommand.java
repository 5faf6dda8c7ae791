package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.json.CeleryJson;
import io.celeriac.state.RevokedEntries;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import io.celeriac.statedb.file.FileStateStoreConfig;
import io.celeriac.statedb.file.StateFiles;
import io.celeriac.url.BackendUrl;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code celeriac statedb show|revoke|compact}: inspect and edit a worker's persistent state. */
@Command(name = "statedb", mixinStandardHelpOptions = true,
        description = "Inspect and edit a worker's persistent state (revoked ids and logical clock), Celery's --statedb.",
        subcommands = {StatedbCommand.Show.class, StatedbCommand.Revoke.class, StatedbCommand.Compact.class})
final class StatedbCommand implements java.util.concurrent.Callable<Integer> {

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

    /** Options every statedb command shares: where the state is and whose it is. */
    static final class Location {
        @Parameters(index = "0", paramLabel = "PATH",
                description = "The state: a path (Celery's %%n %%h %%d %%p %%i %%I placeholders allowed), or a URL such as%n"
                        + "file:///var/run/celery/%%n.state%nredis://host/0%ndb+postgresql://user@host/db")
        String path;
        @Option(names = "--node", paramLabel = "NAME", description = "The worker's node name for placeholders (default: celery@<this host>).")
        String node;

        StateStoreOptions options() {
            StateStoreOptions.Builder b = StateStoreOptions.builder().property("shutdown_hook", "false");
            if (node != null) {
                b.nodeName(node);
            }
            return b.build();
        }

        BackendUrl url() {
            return BackendUrl.parse(path);
        }

        boolean isFile() {
            return url().scheme().equals(BackendUrl.FILE_SCHEME);
        }

        Path file() {
            return FileStateStoreConfig.parse(url(), options()).path();
        }

        StateStore open() {
            return Celeriac.discover().openStateStore(path, options());
        }
    }

    static String time(double epochSeconds) {
        return Instant.ofEpochMilli((long) (epochSeconds * 1000)).toString();
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print what a state holds. A file is read without a lock and without writing, so it works beside a running worker.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        Location location;
        @Option(names = "--json", description = "Print JSON: the clock and every revoked id with its timestamp.")
        boolean json;
        @Option(names = "--ids", paramLabel = "N", defaultValue = "10", description = "List the N newest ids (default: ${DEFAULT-VALUE}; 0 = none).")
        int ids;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String where;
            RevokedEntries revoked;
            long clock;
            Map<String, Object> extra = new LinkedHashMap<>();
            if (location.isFile()) {
                Path file = location.file();
                if (!Files.exists(file) && !Files.exists(file.resolveSibling(file.getFileName() + ".journal.0"))
                        && !Files.isDirectory(file.getParent() == null ? Path.of(".") : file.getParent())) {
                    spec.commandLine().getErr().println("celeriac: no such directory: " + file.getParent());
                    return ExitCodes.ERROR;
                }
                StateFiles.Contents c = StateFiles.read(file);
                where = c.file().toString();
                revoked = c.revoked();
                clock = c.clock();
                extra.put("written_at", c.writtenAt().map(Instant::toString).orElse(null));
                extra.put("journals", c.journals().size());
                extra.put("torn_bytes", c.tornBytes());
            } else {
                WorkerState w = WorkerState.withCeleryDefaults();
                try (StateStore store = location.open()) {
                    store.merge(w);
                    where = store.location();
                }
                revoked = w.revoked().asMap();
                clock = w.clock().value();
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("location", where);
                m.put("clock", clock);
                m.putAll(extra);
                m.put("revoked", new LinkedHashMap<>(revoked));
                out.println(CeleryJson.encodeToString(m));
                out.flush();
                return ExitCodes.OK;
            }
            double now = System.currentTimeMillis() / 1000.0;
            long expired = revoked.values().stream().filter(ts -> ts + io.celeriac.state.RevokedSet.DEFAULT_EXPIRES_SECONDS <= now).count();
            Table t = new Table("FIELD", "VALUE");
            t.row("state", where);
            t.row("clock", clock);
            t.row("revoked ids", revoked.size());
            t.row("older than 3 h (Celery's default expiry)", expired);
            extra.forEach((k, v) -> t.row(k.replace('_', ' '), v == null ? "never" : v));
            t.print(out);
            if (ids > 0 && !revoked.isEmpty()) {
                out.println();
                Table it = new Table("REVOKED ID", "AT");
                List<Map.Entry<String, Double>> entries = List.copyOf(revoked.entrySet());
                for (int i = entries.size() - 1; i >= Math.max(0, entries.size() - ids); i--) {
                    it.row(entries.get(i).getKey(), time(entries.get(i).getValue()));
                }
                it.print(out);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Add revoked ids to a state, durably, as a worker would (the state must not be open by a running worker).")
    static final class Revoke implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        Location location;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "ID", description = "Task ids to revoke.")
        List<String> ids;

        @Override
        public Integer call() {
            WorkerState w = WorkerState.withCeleryDefaults();
            try (StateStore store = location.open()) {
                store.merge(w);
                for (String id : ids) {
                    w.revoked().add(id);
                }
                store.save(w);
                spec.commandLine().getOut().println("revoked " + ids.size() + " id" + (ids.size() == 1 ? "" : "s") + " in "
                        + store.location() + "; it now holds " + w.revoked().size() + " revoked ids, clock " + w.clock().value());
            }
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true,
            description = "Rewrite a state file in one piece (expired ids purged, journals folded in), as a worker's sync does.")
    static final class Compact implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        Location location;

        @Override
        public Integer call() throws Exception {
            long before = location.isFile() ? sizeOf(location.file()) : -1;
            WorkerState w = WorkerState.withCeleryDefaults();
            String where;
            try (StateStore store = location.open()) {
                store.merge(w);
                store.save(w);
                where = store.location();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("compacted " + where + ": " + w.revoked().size() + " revoked ids kept, clock " + w.clock().value()
                    + (before >= 0 ? ", " + before + " -> " + sizeOf(location.file()) + " bytes on disk" : ""));
            out.flush();
            return ExitCodes.OK;
        }

        private static long sizeOf(Path file) throws java.io.IOException {
            long total = 0;
            Path dir = file.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                return 0;
            }
            String name = file.getFileName().toString();
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String n = p.getFileName().toString();
                    if (n.equals(name) || n.startsWith(name + ".journal")) {
                        total += Files.size(p);
                    }
                }
            }
            return total;
        }
    }
}
