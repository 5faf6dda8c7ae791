package io.celeriac.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * The {@code celeriac} command.
 *
 * <p>Exit codes: 0 success, 1 a failure (the message is printed on one line; {@code --verbose} adds the
 * stack trace), 2 bad usage. Subcommands add their own codes.
 */
@Command(name = "celeriac", mixinStandardHelpOptions = true, version = "celeriac 0.1.0-SNAPSHOT",
        description = "Celery's result backends, worker state and cluster events for the JVM.",
        subcommands = {DemoCommand.class, BackendsCommand.class, ResultCommand.class, GroupCommand.class, CleanupCommand.class,
                MigrateCommand.class, StatedbCommand.class, EventsCommand.class, CommandLine.HelpCommand.class,
                InspectCommand.class, ControlCommand.class, CallCommand.class, WorkerCommand.class,
                MonitorCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of failures.")
    boolean verbose;

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line with the given output streams, for tests.
     *
     * @param args the arguments
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        configureLogging(args);
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Main root = cmd.getCommandSpec().root().commandLine().getCommand();
            if (root.verbose) {
                ex.printStackTrace(err);
            } else {
                err.println("celeriac: " + oneLine(ex));
            }
            err.flush();
            return 1;
        });
        int rc = cl.execute(args);
        out.flush();
        err.flush();
        return rc;
    }

    /** Logs warnings only, unless {@code --verbose} asks for more or the user set a level. */
    private static void configureLogging(String[] args) {
        String key = "org.slf4j.simpleLogger.defaultLogLevel";
        if (System.getProperty(key) == null) {
            boolean verbose = java.util.Arrays.asList(args).contains("-v") || java.util.Arrays.asList(args).contains("--verbose");
            System.setProperty(key, verbose ? "info" : "warn");
            if (!verbose && args.length > 0 && "demo".equals(args[0])) {
                // the demo's failing task is meant to fail: its log line would only look like a problem
                System.setProperty("org.slf4j.simpleLogger.log.io.celeriac.worker", "off");
            }
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }

    static String oneLine(Throwable ex) {
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            m = ex.getClass().getSimpleName();
        }
        return m.replace('\n', ' ');
    }

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
}
