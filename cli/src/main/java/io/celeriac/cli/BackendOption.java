package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.url.BackendUrl;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code --backend} option every result command shares: the URL from {@code --backend}, else the
 * {@code CELERY_RESULT_BACKEND} environment variable, else the embedded default {@value #DEFAULT_BACKEND}. A
 * backend that was not given with {@code --backend} is named on stderr (one line, password masked), so that a
 * command never reads or writes somewhere the user did not expect without saying so.
 *
 * <p>Commands that only read ({@link #openForReading}) create nothing: a database backend is opened with
 * {@code schema_mode=none} (no table, sequence or trigger is created; a read-only role is enough) and a SQLite file
 * that does not exist is an error, not a new empty file.
 */
final class BackendOption {

    /** The embedded default: a SQLite file in the working directory, no server needed. */
    static final String DEFAULT_BACKEND = "db+sqlite:///celeriac.sqlite";
    /** The environment variable Celery's own command reads the backend from. */
    static final String ENV = "CELERY_RESULT_BACKEND";

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = {"-b", "--backend"}, paramLabel = "URL",
            description = "Result backend URL. Default: $" + ENV + ", else%n" + DEFAULT_BACKEND)
    String url;

    /**
     * The URL to use.
     *
     * @return the chosen URL
     */
    String resolve() {
        if (url != null && !url.isBlank()) {
            return url;
        }
        String env = System.getenv(ENV);
        return env != null && !env.isBlank() ? env.strip() : DEFAULT_BACKEND;
    }

    /** Where the URL came from, when it was not given with {@code --backend}: one line on stderr. */
    private void sayWhere(String chosen) {
        if (url != null && !url.isBlank() || mixee == null) {
            return;
        }
        String masked;
        try {
            masked = BackendUrl.parse(chosen).masked();
        } catch (RuntimeException e) {
            masked = "(" + ENV + ")"; // the open that follows reports the bad URL, masked
        }
        boolean fromEnv = !chosen.equals(DEFAULT_BACKEND);
        PrintWriter err = mixee.commandLine().getErr();
        err.println("celeriac: using the result backend " + masked + (fromEnv ? " from $" + ENV
                : " (the default; give --backend URL or set $" + ENV + ")"));
        err.flush();
    }

    /**
     * Opens the backend for a command that may write.
     *
     * @param options the options
     * @return the backend
     */
    Backend open(BackendOptions options) {
        String chosen = resolve();
        sayWhere(chosen);
        return Celeriac.discover().openBackend(chosen, options);
    }

    Backend open() {
        return open(BackendOptions.defaults());
    }

    /**
     * Opens the backend for a command that only reads: nothing is created (see the class comment).
     *
     * @return the backend
     * @throws IllegalStateException when a SQLite file does not exist
     */
    Backend openForReading() {
        String chosen = resolve();
        sayWhere(chosen);
        BackendUrl u = BackendUrl.parse(chosen);
        BackendOptions options = BackendOptions.defaults();
        if (JdbcConnectionConfig.Database.of(u).isPresent()) {
            if (!u.query().containsKey(JdbcConnectionConfig.SCHEMA_MODE)) {
                options = options.toBuilder().property(JdbcConnectionConfig.SCHEMA_MODE, "none").build();
            }
            Optional<String> file = JdbcBackendConfig.parse(u, options).connection().sqlitePath();
            if (file.isPresent() && !Files.exists(Path.of(file.get()))) {
                throw new IllegalStateException("there is no SQLite database at " + Path.of(file.get()).toAbsolutePath()
                                + ": nothing was stored there (a reading command creates no file); give --backend URL or set $"
                                + ENV);
            }
        }
        return Celeriac.discover().openBackend(u, options);
    }
}
