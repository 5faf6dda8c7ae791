package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.ServiceUnavailableException;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.TaskInfo;
import io.celeriac.events.WorkerInfo;
import io.celeriac.json.CeleryJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code celeriac events top|dump|snapshot}: follow a live cluster from its broker's event stream. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Follow a live Celery cluster from its broker's events (workers need -E).",
        subcommands = {EventsCommand.Top.class, EventsCommand.Dump.class, EventsCommand.Snapshot.class})
final class EventsCommand implements java.util.concurrent.Callable<Integer> {

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

    /** The broker to listen on: {@code --broker}, else {@code CELERY_BROKER_URL}, else the local Redis. */
    static final class Broker {
        static final String DEFAULT_BROKER = "redis://localhost:6379/0";

        @Option(names = "--broker", paramLabel = "URL",
                description = "Broker URL. Default: $CELERY_BROKER_URL, else%n" + DEFAULT_BROKER)
        String url;

        String resolve() {
            if (url != null && !url.isBlank()) {
                return url;
            }
            String env = System.getenv("CELERY_BROKER_URL");
            return env != null && !env.isBlank() ? env.strip() : DEFAULT_BROKER;
        }

        EventSource open() {
            return Celeriac.discover().openEventSource(resolve(), EventSourceOptions.defaults());
        }

        /**
         * Says on stderr why a cluster may look empty when no event arrived from a broker that was reached: the
         * workers send no events, or they use another broker.
         */
        static void sayIfSilent(PrintWriter err, EventSource source, double seconds) {
            if (source.eventsReceived() > 0) {
                return;
            }
            err.println("celeriac: no event from " + source.location() + " in " + (seconds > 0 ? seconds + " s" : "the time listened")
                    + ": do the workers send events (celery worker -E, or celery control enable_events), and is this"
                    + " their broker (--broker URL, else $CELERY_BROKER_URL)?");
            err.flush();
        }

        /**
         * Fails with one clear line when the source never reached its broker and nothing arrived, so that a
         * wrong URL or a server that is down is not mistaken for a quiet cluster.
         */
        static void requireReached(EventSource source) {
            if (source.eventsReceived() == 0 && !source.isConnected()) {
                throw new ServiceUnavailableException(source.location(), "no connection to the broker", null);
            }
        }
    }

    /** Waits for {@code seconds} (0 = until the process is stopped). */
    static void waitFor(double seconds) throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        if (seconds > 0) {
            never.await((long) (seconds * 1000), TimeUnit.MILLISECONDS);
        } else {
            never.await();
        }
    }

    static String time(Double epochSeconds) {
        if (epochSeconds == null) {
            return "";
        }
        return Instant.ofEpochMilli((long) (epochSeconds * 1000)).toString();
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Print every event as one JSON line, as the receiver sees it (local_received added).")
    static final class Dump implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        Broker broker;
        @Option(names = "--seconds", paramLabel = "N", defaultValue = "0", description = "Stop after N seconds (default: run until stopped).")
        double seconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (EventSource source = broker.open()) {
                source.start(e -> {
                    synchronized (out) {
                        out.println(CeleryJson.encodeToString(e.fields()));
                        out.flush();
                    }
                });
                waitFor(seconds);
                Broker.requireReached(source);
                Broker.sayIfSilent(spec.commandLine().getErr(), source, seconds);
                spec.commandLine().getErr().println("celeriac: " + source.eventsReceived() + " events, "
                        + source.messagesRejected() + " messages rejected, from " + source.location());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "Consume events for N seconds and print the resulting cluster state.")
    static final class Snapshot implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        Broker broker;
        @Option(names = "--seconds", paramLabel = "N", defaultValue = "5", description = "How long to listen (default: ${DEFAULT-VALUE}).")
        double seconds;
        @Option(names = "--json", description = "Print the state as JSON: workers (alive, heartbeats, processed, ...) and tasks (state, name, worker, result, runtime, ...).")
        boolean json;
        @Option(names = "--tasks", paramLabel = "N", defaultValue = "0", description = "The most tasks to print, newest first (default: all).")
        int tasks;

        @Override
        public Integer call() throws Exception {
            if (seconds <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be positive");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (EventState state = Celeriac.discover().openEventState("memory://", EventStateOptions.defaults());
                 EventSource source = broker.open()) {
                source.start(state::event);
                waitFor(seconds);
                Broker.requireReached(source);
                source.close();
                Broker.sayIfSilent(spec.commandLine().getErr(), source, seconds);
                EventStateSnapshot snapshot = state.snapshot();
                if (json) {
                    Map<String, Object> doc = snapshot.toCeleryDict(tasks);
                    doc.put("alive_workers", snapshot.aliveWorkers().stream().map(WorkerInfo::hostname).toList());
                    doc.put("messages_rejected", source.messagesRejected());
                    out.println(CeleryJson.encodeToString(doc));
                } else {
                    printTables(out, snapshot, tasks <= 0 ? 20 : tasks);
                }
                out.flush();
            }
            return ExitCodes.OK;
        }
    }

    static void printTables(PrintWriter out, EventStateSnapshot s, int taskLimit) {
        Table w = new Table("WORKER", "ONLINE", "ACTIVE", "PROCESSED", "LOAD", "LAST HEARTBEAT");
        for (WorkerInfo wi : s.workers().values()) {
            Double last = wi.heartbeats().isEmpty() ? null : wi.heartbeats().get(wi.heartbeats().size() - 1);
            w.row(wi.hostname(), wi.alive() ? "yes" : "no", wi.active(), wi.processed(),
                    wi.loadavg() == null ? "" : wi.loadavg(), time(last));
        }
        w.print(out);
        out.println();
        Table t = new Table("UUID", "NAME", "STATE", "WORKER", "RUNTIME", "RESULT");
        for (TaskInfo ti : s.tasksByTime(taskLimit)) {
            String result = ti.exception() != null ? ti.exception() : ti.result() == null ? "" : ti.result();
            t.row(ti.uuid(), ti.name(), ti.state(), ti.worker(), ti.runtime() == null ? "" : String.format("%.3f s", ti.runtime()),
                    result.length() > 40 ? result.substring(0, 39) + "…" : result);
        }
        t.print(out);
        out.println(s.eventCount() + " events, " + s.taskCount() + " tasks received");
    }

    @Command(name = "top", mixinStandardHelpOptions = true,
            description = "A live view like `celery events`: workers and the latest tasks, refreshed each second (Ctrl-C to stop).")
    static final class Top implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        Broker broker;
        @Option(names = "--tasks", paramLabel = "N", defaultValue = "20", description = "Latest tasks shown (default: ${DEFAULT-VALUE}).")
        int tasks;
        @Option(names = "--refresh", paramLabel = "SECONDS", defaultValue = "1", description = "Seconds between refreshes (default: ${DEFAULT-VALUE}).")
        double refresh;
        @Option(names = "--iterations", paramLabel = "N", defaultValue = "0", description = "Stop after N refreshes (default: run until stopped).")
        int iterations;

        @Override
        public Integer call() throws Exception {
            if (refresh <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--refresh must be positive");
            }
            PrintWriter out = spec.commandLine().getOut();
            boolean terminal = System.console() != null;
            try (EventState state = Celeriac.discover().openEventState("memory://", EventStateOptions.defaults());
                 EventSource source = broker.open()) {
                source.start(state::event);
                for (int i = 0; iterations <= 0 || i < iterations; i++) {
                    waitFor(refresh);
                    Broker.requireReached(source);
                    if (terminal) {
                        out.print("\033[H\033[2J");
                    }
                    out.println("celeriac events top — " + source.location() + " — " + Instant.now()
                            + " (" + Duration.ofMillis((long) (refresh * 1000)).toMillis() + " ms refresh)");
                    out.println();
                    printTables(out, state.snapshot(), tasks);
                    out.flush();
                }
            }
            return ExitCodes.OK;
        }
    }
}
