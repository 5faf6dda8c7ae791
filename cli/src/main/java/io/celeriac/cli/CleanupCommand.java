package io.celeriac.cli;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code celeriac cleanup}: deletes expired results, as Celery's {@code celery.backend_cleanup}. */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = "Delete results older than result_expires, as Celery's nightly backend_cleanup; prints the count.")
final class CleanupCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    BackendOption backend;
    @Option(names = "--expires", paramLabel = "SECONDS",
            description = "Delete results older than this many seconds (default: the URL's result_expires, else one day).")
    Double expires;

    @Override
    public Integer call() {
        BackendOptions.Builder o = BackendOptions.builder();
        if (expires != null) {
            if (expires <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--expires must be a positive number of seconds");
            }
            o.resultExpires(Duration.ofMillis((long) (expires * 1000)));
        }
        try (Backend b = backend.open(o.build())) {
            long n = b.cleanup();
            spec.commandLine().getOut().println("deleted " + n + " expired result" + (n == 1 ? "" : "s") + " from " + b.asUri());
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
