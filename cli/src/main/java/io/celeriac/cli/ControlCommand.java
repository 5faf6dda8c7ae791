package io.celeriac.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code celeriac control ACTION [ARG...]}: Celery's {@code celery control}, the remote-control commands with side
 * effects, sent with the arguments Celery's command line sends ({@code revoke} also takes {@code --terminate} and
 * {@code --signal}, as {@code app.control.revoke} does), waiting for the replies and printing them as Celery does.
 */
@Command(name = "control", mixinStandardHelpOptions = true,
        description = {"Control the workers remotely, as `celery control` (Redis and RabbitMQ brokers).",
                "  revoke ID... [--terminate] [--signal SIG]   terminate SIG ID...",
                "  rate-limit TASK RATE   time-limit TASK SOFT HARD",
                "  shutdown   enable-events   disable-events   heartbeat",
                "Exit code 69 when no node replied within the timeout."})
final class ControlCommand implements Callable<Integer> {

    /** The actions, with dashes (underscores are accepted too, as Celery names them). */
    static final class Actions implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("revoke", "terminate", "rate-limit", "time-limit", "shutdown", "enable-events",
                    "disable-events", "heartbeat").iterator();
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", completionCandidates = Actions.class,
            description = "One of: ${COMPLETION-CANDIDATES}.")
    String action;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "The action's arguments.")
    List<String> args = new ArrayList<>();

    @Option(names = "--terminate", description = "revoke: also terminate the process running the task.")
    boolean terminate;

    @Option(names = "--signal", paramLabel = "SIG", defaultValue = "SIGTERM",
            description = "revoke --terminate: the signal (default: ${DEFAULT-VALUE}).")
    String signal;

    @CommandLine.Mixin
    RemoteControlOutput.Options options;

    @Override
    public Integer call() {
        String method = action.replace('-', '_');
        Map<String, Object> arguments = new LinkedHashMap<>();
        switch (method) {
            case "revoke" -> {
                need(1, true, "ID...");
                arguments.put("task_id", List.copyOf(args));
                if (terminate) {
                    arguments.put("terminate", true);
                    arguments.put("signal", signal);
                }
            }
            case "terminate" -> {
                need(2, true, "SIGNAL ID...");
                arguments.put("signal", args.get(0));
                arguments.put("task_id", List.copyOf(args.subList(1, args.size())));
            }
            case "rate_limit" -> {
                need(2, false, "TASK RATE");
                arguments.put("task_name", args.get(0));
                arguments.put("rate_limit", args.get(1));
            }
            case "time_limit" -> {
                need(3, false, "TASK SOFT HARD");
                arguments.put("task_name", args.get(0));
                arguments.put("soft", seconds(args.get(1)));
                arguments.put("hard", seconds(args.get(2)));
            }
            case "shutdown", "enable_events", "disable_events", "heartbeat" -> need(0, false, "");
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "Unknown control action '"
                    + action + "'; one of " + String.join(", ", new Actions()));
        }
        return RemoteControlOutput.run(spec.commandLine(), options, method, arguments, false);
    }

    private void need(int n, boolean orMore, String usage) {
        if (args.size() < n || !orMore && args.size() > n) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Command '" + action.replace('-', '_')
                    + "' takes arguments: " + (usage.isEmpty() ? "none" : usage));
        }
    }

    private double seconds(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "'" + text + "' is not a number of seconds");
        }
    }
}
