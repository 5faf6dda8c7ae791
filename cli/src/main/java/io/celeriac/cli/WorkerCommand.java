package io.celeriac.cli;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.worker.TaskRegistry;
import io.celeriac.worker.Worker;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code celeriac worker}: runs Java tasks as a Celery worker, as {@code celery worker} does; the tasks come from
 * {@link io.celeriac.worker.TaskProvider}s in {@code --tasks} jars (and on the command's class path).
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run Java tasks as a Celery worker (as `celery worker`): consume task messages, run the tasks "
                + "found in --tasks jars, store their results, answer remote control (`celery inspect`, "
                + "`celery control`).",
                "Tasks: every io.celeriac.worker.TaskProvider listed in META-INF/services of a --tasks jar or of the "
                        + "class path (CELERIAC_CLASSPATH)."},
        footerHeading = "%nStopping:%n",
        footer = {"The first SIGTERM or SIGINT (Ctrl-C) starts a warm shutdown: no new tasks, running ones finish, "
                + "reserved messages go back to the broker, the state is saved. A second signal during it is a "
                + "cold shutdown: running tasks are interrupted. A remote `celery control shutdown` is a warm "
                + "shutdown too.",
                "Exit codes: " + ExitCodes.OK + " after a warm shutdown, " + ExitCodes.ERROR + " after a cold one or "
                        + "a failure (broker unreachable, ...), " + ExitCodes.USAGE + " for bad options or settings, "
                        + "or when no task was found."})
final class WorkerCommand implements Callable<Integer> {

    /** The service file a tasks jar lists its providers in. */
    static final String SERVICE_FILE = "META-INF/services/io.celeriac.worker.TaskProvider";

    private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--broker", paramLabel = "URL",
            description = "Broker URL. Default: $CELERY_BROKER_URL, else%n" + Worker.DEFAULT_BROKER_URL)
    String broker;

    @Option(names = {"--backend", "--result-backend"}, paramLabel = "URL",
            description = "Result backend URL (default: $CELERY_RESULT_BACKEND, else none: no results are stored).")
    String backend;

    @Option(names = {"-S", "--statedb"}, paramLabel = "URL",
            description = "Keep revoked ids and the clock across restarts: a file path (with %n, %h), file:///, "
                    + "redis:// or db+... (default: none).")
    String statedb;

    @Option(names = {"-Q", "--queues"}, paramLabel = "QUEUE", split = ",",
            description = "Queues to consume, comma-separated (default: celery).")
    List<String> queues = new ArrayList<>();

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N",
            description = "Tasks run at once, on as many threads (default: the number of processors).")
    Integer concurrency;

    @Option(names = {"-n", "--hostname"}, paramLabel = "NAME", defaultValue = "celeriac@%h",
            description = "Node name; %%h is the host name, %%n the name part, %%d the domain (default: "
                    + "celeriac@%%h).")
    String hostname;

    @Option(names = {"-E", "--task-events"}, description = "Send task events (for monitors, `celery events`).")
    boolean taskEvents;

    @Option(names = "--tasks", paramLabel = "JAR", arity = "1..*",
            description = "Jars (or class directories) with TaskProviders; repeatable.")
    List<Path> tasks = new ArrayList<>();

    @Option(names = "--prefetch-multiplier", paramLabel = "N", defaultValue = "4",
            description = "Messages reserved per pool thread, 0 for no limit (default: ${DEFAULT-VALUE}).")
    int prefetchMultiplier;

    @Option(names = "--acks-late", description = "Acknowledge a message after its task ran, not before.")
    boolean acksLate;

    @Option(names = "--track-started", description = "Store STARTED when a task starts.")
    boolean trackStarted;

    @Option(names = "--time-limit", paramLabel = "SECONDS",
            description = "Hard time limit of every task: it is interrupted and fails with TimeLimitExceeded.")
    Double timeLimit;

    @Option(names = "--soft-time-limit", paramLabel = "SECONDS",
            description = "Soft time limit of every task: it is interrupted and ctx.checkpoint() throws "
                    + "SoftTimeLimitExceeded.")
    Double softTimeLimit;

    @Option(names = {"-l", "--loglevel"}, paramLabel = "LEVEL",
            description = "debug, info, warning, error or critical (default: warning).")
    String loglevel;

    @Override
    public Integer call() throws Exception {
        applyLogLevel();
        Duration hard = seconds(timeLimit, "--time-limit");
        Duration soft = seconds(softTimeLimit, "--soft-time-limit");
        String brokerUrl = broker != null && !broker.isBlank() ? broker : env("CELERY_BROKER_URL",
                Worker.DEFAULT_BROKER_URL);
        String backendUrl = backend != null && !backend.isBlank() ? backend : env("CELERY_RESULT_BACKEND", null);

        Thread self = Thread.currentThread();
        ClassLoader previousContext = self.getContextClassLoader();
        URLClassLoader loader = tasksLoader();
        try {
            ClassLoader taskLoader = loader != null ? loader : WorkerCommand.class.getClassLoader();
            // task code that looks for resources or services through the context class loader sees its jar
            self.setContextClassLoader(taskLoader);
            TaskRegistry registry = discover(taskLoader);
            // the options are given although they are the defaults: the worker of c138ba3 passes null on to
            // Celeriac.openBroker when none is set
            Worker.Builder b = Worker.builder().tasks(registry).brokerUrl(brokerUrl)
                    .brokerOptions(BrokerOptions.defaults()).nodename(hostname)
                    .prefetchMultiplier(prefetchMultiplier).acksLate(acksLate).trackStarted(trackStarted)
                    .sendEvents(taskEvents).timeLimit(hard).softTimeLimit(soft);
            if (backendUrl == null) {
                b.withoutBackend();
            } else {
                b.backendUrl(backendUrl);
            }
            if (statedb != null) {
                b.stateDb(statedb);
            }
            if (!queues.isEmpty()) {
                b.queues(queues.stream().map(String::strip).collect(Collectors.toList()));
            }
            if (concurrency != null) {
                b.concurrency(concurrency);
            }
            Worker worker;
            try {
                worker = b.build();
            } catch (InvalidConfigurationException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            printBanner(worker, brokerUrl, backendUrl);
            return run(worker);
        } finally {
            self.setContextClassLoader(previousContext);
            if (loader != null) {
                loader.close();
            }
        }
    }

    /** Starts the worker and blocks until it has shut down, by a signal or by remote control. */
    private int run(Worker worker) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (ShutdownSignals signals = ShutdownSignals.install(worker, out)) {
            worker.start();
            println(out, worker.nodename() + " ready.");
            while (!worker.awaitTermination(Duration.ofMinutes(1))) {
                // a warm shutdown, a cold one or a remote shutdown ends the wait
            }
            println(out, "worker: " + worker.nodename() + " stopped" + (signals.cold() ? " (cold shutdown)." : "."));
            return signals.cold() ? ExitCodes.ERROR : ExitCodes.OK;
        } finally {
            worker.close();
        }
    }

    private static void println(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** The loader of the {@code --tasks} jars, or {@code null} when none is given. */
    private URLClassLoader tasksLoader() {
        if (tasks.isEmpty()) {
            return null;
        }
        List<URL> urls = new ArrayList<>();
        for (Path p : tasks) {
            if (!Files.isRegularFile(p) && !Files.isDirectory(p)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tasks: no such jar: " + p);
            }
            try {
                urls.add(p.toAbsolutePath().normalize().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tasks: cannot read " + p + ": "
                        + e.getMessage());
            }
        }
        return new URLClassLoader("celeriac-tasks", urls.toArray(new URL[0]), WorkerCommand.class.getClassLoader());
    }

    private TaskRegistry discover(ClassLoader loader) {
        TaskRegistry registry;
        try {
            registry = TaskRegistry.discover(loader);
        } catch (ServiceConfigurationError | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tasks: the task providers cannot be "
                    + "loaded: " + Main.oneLine(e));
        }
        if (registry.size() == 0) {
            String where = tasks.isEmpty() ? "on the class path (no --tasks given)"
                    : "in " + tasks.stream().map(Path::toString).collect(Collectors.joining(", "))
                    + " or on the class path";
            throw new CommandLine.ParameterException(spec.commandLine(), "No tasks found " + where
                    + ": a tasks jar lists its io.celeriac.worker.TaskProvider classes in " + SERVICE_FILE);
        }
        return registry;
    }

    private void printBanner(Worker worker, String brokerUrl, String backendUrl) {
        String[] version = spec.root().version();
        String v = version.length > 0 ? version[0] : "celeriac";
        int threads = concurrency != null ? concurrency : Runtime.getRuntime().availableProcessors();
        StringBuilder sb = new StringBuilder();
        sb.append(v).append(" worker ").append(worker.nodename()).append(" (Java ")
                .append(System.getProperty("java.version")).append(", ").append(System.getProperty("os.name"))
                .append(")\n\n[config]\n");
        line(sb, "node", worker.nodename());
        line(sb, "transport", BackendUrl.maskUnparsed(brokerUrl));
        line(sb, "results", backendUrl == null ? "disabled://" : BackendUrl.maskUnparsed(backendUrl));
        line(sb, "statedb", statedb == null ? "none" : BackendUrl.maskUnparsed(statedb));
        line(sb, "concurrency", threads + " (threads), prefetch multiplier " + prefetchMultiplier);
        line(sb, "acks late", acksLate ? "ON" : "OFF");
        line(sb, "track started", trackStarted ? "ON" : "OFF");
        line(sb, "time limits", "hard " + limit(timeLimit) + ", soft " + limit(softTimeLimit));
        line(sb, "task events", taskEvents ? "ON" : "OFF (enable -E to monitor tasks in this worker)");
        sb.append("\n[queues]\n");
        for (String q : queues.isEmpty() ? List.of("celery") : queues) {
            sb.append("  .> ").append(q.strip()).append('\n');
        }
        sb.append("\n[tasks]\n");
        for (String name : worker.registry().names()) {
            sb.append("  . ").append(name).append('\n');
        }
        PrintWriter out = spec.commandLine().getOut();
        synchronized (out) {
            out.println(sb);
            out.flush();
        }
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append("  .> ").append(String.format(Locale.ROOT, "%-16s", key + ":")).append(value).append('\n');
    }

    private static String limit(Double s) {
        if (s == null) {
            return "none";
        }
        return (s == Math.rint(s) ? String.valueOf(s.longValue()) : String.valueOf(s)) + " s";
    }

    private Duration seconds(Double s, String option) {
        if (s == null) {
            return null;
        }
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be a positive number of "
                    + "seconds, not " + s);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v != null && !v.isBlank() ? v.strip() : otherwise;
    }

    /** {@code --loglevel} sets the simple logger's level; it takes effect when no logger was made yet. */
    private void applyLogLevel() {
        if (loglevel == null) {
            return;
        }
        String level = switch (loglevel.strip().toLowerCase(Locale.ROOT)) {
            case "debug", "trace" -> "debug";
            case "info" -> "info";
            case "warning", "warn" -> "warn";
            case "error", "critical", "fatal" -> "error";
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--loglevel must be debug, "
                    + "info, warning, error or critical, not '" + loglevel + "'");
        };
        System.setProperty(LOG_LEVEL_PROPERTY, level);
    }

    /**
     * The signal handling of a running worker: the first SIGINT or SIGTERM starts a warm shutdown, a second one
     * during it a cold shutdown; a shutdown hook makes any other JVM exit (SIGHUP, {@code System.exit}) a warm
     * shutdown too. Closing it restores the previous handlers, so that the command can run inside another program.
     *
     * <p>{@code sun.misc.Signal} is the one way for Java code to see a second signal while shutting down (a shutdown
     * hook runs once, and the JVM ignores further signals meanwhile); JEP 260 keeps it accessible for this purpose
     * (module {@code jdk.unsupported}). Where the JVM does not let it handle a signal ({@code -Xrs}), the shutdown
     * hook alone gives a warm shutdown.
     */
    static final class ShutdownSignals implements AutoCloseable {
        private final Worker worker;
        private final PrintWriter out;
        private final List<sun.misc.Signal> installed = new ArrayList<>();
        private final List<sun.misc.SignalHandler> previous = new ArrayList<>();
        private final Thread hook;
        private int received;
        private volatile boolean cold;

        private ShutdownSignals(Worker worker, PrintWriter out) {
            this.worker = worker;
            this.out = out;
            this.hook = new Thread(() -> {
                worker.close();
                awaitQuietly(worker);
            }, "celeriac-worker-exit");
        }

        static ShutdownSignals install(Worker worker, PrintWriter out) {
            ShutdownSignals s = new ShutdownSignals(worker, out);
            for (String name : List.of("INT", "TERM")) {
                try {
                    sun.misc.Signal sig = new sun.misc.Signal(name);
                    sun.misc.SignalHandler old = sun.misc.Signal.handle(sig, s::onSignal);
                    s.installed.add(sig);
                    s.previous.add(old);
                } catch (IllegalArgumentException e) {
                    // the JVM keeps this signal (-Xrs) or the platform has none: the shutdown hook covers it
                }
            }
            Runtime.getRuntime().addShutdownHook(s.hook);
            return s;
        }

        /** @return whether a second signal asked for a cold shutdown */
        boolean cold() {
            return cold;
        }

        private void onSignal(sun.misc.Signal sig) {
            int n;
            synchronized (this) {
                n = ++received;
            }
            if (n == 1) {
                println(out, "worker: warm shutdown (SIG" + sig.getName() + "): running tasks finish; send the signal "
                        + "again for a cold shutdown.");
                start("celeriac-warm-shutdown", worker::close);
            } else if (n == 2) {
                cold = true;
                println(out, "worker: cold shutdown (SIG" + sig.getName() + "): running tasks are interrupted.");
                start("celeriac-cold-shutdown", worker::shutdownNow);
            }
        }

        private static void start(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        }

        private static void awaitQuietly(Worker worker) {
            try {
                worker.awaitTermination(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            for (int i = 0; i < installed.size(); i++) {
                try {
                    sun.misc.Signal.handle(installed.get(i), previous.get(i));
                } catch (IllegalArgumentException e) {
                    // cannot happen: it was installed above
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs (or ran) and closes the worker
            }
        }
    }
}
