package io.celeriac.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code celeriac inspect ACTION [ARG...]}: Celery's {@code celery inspect}, the read-only remote-control commands,
 * sent with the arguments Celery's command line sends and printed as it prints them.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Inspect the workers at runtime, as `celery inspect` (Redis and RabbitMQ brokers).",
                "Exit code 69 when no node replied within the timeout."})
final class InspectCommand implements Callable<Integer> {

    /** The actions, as {@code celery inspect} names them. */
    static final class Actions implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("ping", "active", "reserved", "scheduled", "revoked", "registered", "stats",
                    "query_task", "conf", "report", "clock", "active_queues").iterator();
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", completionCandidates = Actions.class,
            description = "One of: ${COMPLETION-CANDIDATES}.")
    String action;

    @Parameters(index = "1..*", paramLabel = "ARG",
            description = "query_task: task ids; registered: task attributes to show.")
    List<String> args = new ArrayList<>();

    @CommandLine.Mixin
    RemoteControlOutput.Options options;

    @Override
    public Integer call() {
        String method = action.replace('-', '_');
        boolean known = false;
        for (String a : new Actions()) {
            known |= a.equals(method);
        }
        if (!known) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Unknown inspect action '" + action
                    + "'; one of " + String.join(", ", new Actions()));
        }
        Map<String, Object> arguments = new LinkedHashMap<>();
        switch (method) {
            case "query_task" -> {
                if (args.isEmpty()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "query_task needs task ids");
                }
                arguments.put("ids", List.copyOf(args));
            }
            case "registered" -> arguments.put("taskinfoitems", List.copyOf(args));
            default -> {
                if (!args.isEmpty()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "Command '" + method
                            + "' takes no arguments");
                }
            }
        }
        return RemoteControlOutput.run(spec.commandLine(), options, method, arguments, true);
    }
}
