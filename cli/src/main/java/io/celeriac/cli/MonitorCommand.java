package io.celeriac.cli;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.monitor.Monitor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code celeriac monitor}: the web UI, Flower's JSON API and Prometheus {@code /metrics} on one cluster's events,
 * until the process is stopped.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a web UI, Flower's JSON API (/api/...) and Prometheus /metrics (celery-exporter's "
                + "names) for a Celery cluster, from its broker's events (workers need -E).",
                "The task history is kept in a SQLite file and read again at start."},
        footerHeading = "%nSecurity:%n",
        footer = {"Binds to 127.0.0.1 unless --address says otherwise. With --user/--password or --token every page, "
                + "API call and action needs credentials (/metrics too, unless --metrics-open). The password and "
                + "token may also come from $CELERIAC_MONITOR_PASSWORD and $CELERIAC_MONITOR_TOKEN, which keeps "
                + "them out of the process list.",
                "Exit codes: " + ExitCodes.OK + " when stopped, " + ExitCodes.ERROR + " when it cannot start (port "
                        + "taken, broker unreachable), " + ExitCodes.USAGE + " for bad options."})
final class MonitorCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    EventsCommand.Broker broker;

    @Option(names = {"--backend", "--result-backend"}, paramLabel = "URL",
            description = "Result backend URL, for /api/task/result (default: $CELERY_RESULT_BACKEND, else none).")
    String backend;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "5555",
            description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--address", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String address;

    @Option(names = "--user", paramLabel = "USER", description = "Require HTTP basic auth with this user name.")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", description = "The basic-auth password "
            + "(default: $CELERIAC_MONITOR_PASSWORD).")
    String password;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Also accept this bearer token "
            + "(default: $CELERIAC_MONITOR_TOKEN).")
    String token;

    @Option(names = "--metrics-open", description = "Serve /metrics without credentials.")
    boolean metricsOpen;

    @Option(names = "--read-only", description = "Refuse actions (revoke, rate limit, shutdown, send-task).")
    boolean readOnly;

    @Option(names = "--history", paramLabel = "PATH", defaultValue = "celeriac-monitor.db",
            description = "SQLite file of the task history (default: ${DEFAULT-VALUE}).")
    Path history;

    @Option(names = "--no-history", description = "Keep the history in memory only (lost on exit).")
    boolean noHistory;

    @Option(names = "--history-max-tasks", paramLabel = "N", defaultValue = "1000000",
            description = "The most tasks in the history (default: ${DEFAULT-VALUE}).")
    int historyMaxTasks;

    @Option(names = "--history-max-age", paramLabel = "HOURS", defaultValue = "168",
            description = "Hours a task stays in the history after its last event (default: ${DEFAULT-VALUE}).")
    double historyMaxAgeHours;

    @Option(names = "--max-tasks", paramLabel = "N", defaultValue = "50000",
            description = "Tasks kept in memory (default: ${DEFAULT-VALUE}).")
    int maxTasks;

    @Option(names = {"-Q", "--queues"}, paramLabel = "QUEUE", split = ",",
            description = "Queues whose depth to watch from the start, comma-separated; the first is the default "
                    + "queue (default: celery). Queues seen in events and inspect are added.")
    List<String> queues = new ArrayList<>();

    @Option(names = "--inspect-interval", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds between inspect calls to the workers, 0 for never (default: ${DEFAULT-VALUE}).")
    double inspectInterval;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "0",
            description = "Stop after N seconds (default: run until stopped).")
    double seconds;

    @Override
    public Integer call() throws Exception {
        String pw = password != null ? password : env("CELERIAC_MONITOR_PASSWORD");
        String tk = token != null ? token : env("CELERIAC_MONITOR_TOKEN");
        if ((user == null) != (pw == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--user and --password go together (the password may come from $CELERIAC_MONITOR_PASSWORD)");
        }
        if (inspectInterval < 0 || historyMaxAgeHours <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--inspect-interval must not be negative and --history-max-age must be positive");
        }
        String backendUrl = backend != null && !backend.isBlank() ? backend : env("CELERY_RESULT_BACKEND");
        Monitor.Builder b = Monitor.builder().brokerUrl(broker.resolve()).backendUrl(backendUrl).address(address)
                .port(port).metricsOpen(metricsOpen).readOnly(readOnly).history(noHistory ? null : history)
                .historyMaxTasks(historyMaxTasks).historyMaxAge(Duration.ofMillis((long) (historyMaxAgeHours * 3_600_000)))
                .maxTasksInMemory(maxTasks).inspectInterval(Duration.ofMillis((long) (inspectInterval * 1000)));
        if (user != null) {
            b.basicAuth(user, pw);
        }
        if (tk != null) {
            b.bearerToken(tk);
        }
        if (!queues.isEmpty()) {
            b.queues(queues.stream().map(String::strip).filter(q -> !q.isEmpty()).toList());
        }
        Monitor monitor;
        try {
            monitor = b.build();
        } catch (InvalidConfigurationException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            monitor.close();
            stopped.countDown();
        }, "celeriac-monitor-shutdown");
        try (Monitor m = monitor.start()) {
            Runtime.getRuntime().addShutdownHook(hook);
            synchronized (out) {
                out.println("celeriac monitor on " + m.url() + " (history: "
                        + (noHistory ? "memory only" : history.toAbsolutePath()) + ")");
                out.flush();
            }
            if (seconds > 0) {
                stopped.await((long) (seconds * 1000), TimeUnit.MILLISECONDS);
            } else {
                stopped.await();
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook closes the monitor
            }
        }
        return ExitCodes.OK;
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
