package io.celeriac.cli;

import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.client.TaskFailedException;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import io.celeriac.task.CeleryTimes;
import io.celeriac.task.InvalidTaskMessageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code celeriac call NAME}: sends a Celery task, as {@code celery call} does; prints its id (and result). */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Send a Celery task by name (as `celery call`) and print its id; with --wait, also its result as "
                + "JSON. Exit " + ExitCodes.TASK_FAILED + " when it failed or was revoked, " + ExitCodes.TIMEOUT
                + " on timeout.")
final class CallCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    EventsCommand.Broker broker;
    @Mixin
    BackendOption backend;
    @Parameters(paramLabel = "NAME", description = "The registered task name, e.g. proj.add.")
    String name;
    @Option(names = {"-a", "--args"}, paramLabel = "JSON", description = "Positional arguments, a JSON list.")
    String args;
    @Option(names = {"-k", "--kwargs"}, paramLabel = "JSON", description = "Keyword arguments, a JSON object.")
    String kwargs;
    @Option(names = "--countdown", paramLabel = "SECONDS",
            description = "Run no sooner than this many seconds from now.")
    Double countdown;
    @Option(names = "--eta", paramLabel = "ISO",
            description = "Run no sooner than this ISO-8601 time (UTC if no offset).")
    String eta;
    @Option(names = "--expires", paramLabel = "SECONDS", description = "Expire after this many seconds.")
    Double expires;
    @Option(names = {"-Q", "--queue"}, paramLabel = "QUEUE", description = "The queue (default: celery).")
    String queue;
    @Option(names = "--priority", paramLabel = "N", description = "The message priority (0-9).")
    Integer priority;
    @Option(names = "--wait", description = "Wait for the result and print it as JSON.")
    boolean wait;
    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "60",
            description = "With --wait, how long to wait (default: ${DEFAULT-VALUE}).")
    double timeout;

    @Override
    public Integer call() {
        List<?> a = json(args, List.class, "--args", "a JSON list");
        @SuppressWarnings("unchecked")
        Map<String, ?> k = json(kwargs, Map.class, "--kwargs", "a JSON object");
        SendOptions.Builder o = SendOptions.builder().queue(queue).priority(priority);
        try {
            if (countdown != null) {
                o.countdown(seconds(countdown, "--countdown"));
            }
            if (eta != null) {
                o.eta(CeleryTimes.parse(eta));
            }
        } catch (InvalidTaskMessageException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (expires != null) {
            o.expires(seconds(expires, "--expires"));
        }
        if (timeout < 0 || Double.isNaN(timeout)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be a non-negative number");
        }
        CeleryClient.Builder cb = CeleryClient.builder().brokerUrl(broker.resolve());
        if (wait) {
            cb.backendUrl(backend.resolve());
        } else {
            cb.withoutBackend();
        }
        PrintWriter out = spec.commandLine().getOut();
        try (CeleryClient client = cb.build()) {
            AsyncResult r = client.send(name, a, k, o.build());
            out.println(r.id());
            out.flush();
            if (!wait) {
                return ExitCodes.OK;
            }
            try {
                Object v = r.get(seconds(timeout, "--timeout"));
                out.println(CeleryJson.encodeToString(v));
                out.flush();
                return ExitCodes.OK;
            } catch (TaskFailedException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("celeriac: " + Main.oneLine(e));
                if (e.traceback() != null) {
                    err.print(e.traceback().endsWith("\n") ? e.traceback() : e.traceback() + "\n");
                }
                err.flush();
                return ExitCodes.TASK_FAILED;
            } catch (WaitTimeoutException e) {
                spec.commandLine().getErr().println("celeriac: " + Main.oneLine(e));
                spec.commandLine().getErr().flush();
                return ExitCodes.TIMEOUT;
            }
        }
    }

    private Duration seconds(double s, String option) {
        if (s < 0 || Double.isNaN(s) || Double.isInfinite(s)) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be a non-negative number");
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    private <T> T json(String text, Class<T> type, String option, String what) {
        if (text == null) {
            return null;
        }
        Object v;
        try {
            v = CeleryJson.decode(text);
        } catch (JsonFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " is not JSON: " + e.getMessage());
        }
        if (!type.isInstance(v)) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be " + what);
        }
        return type.cast(v);
    }
}
