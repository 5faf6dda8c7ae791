package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import picocli.CommandLine.Option;

/**
 * The {@code --backend} option every result command shares: the URL from {@code --backend}, else the
 * {@code CELERY_RESULT_BACKEND} environment variable, else the embedded default
 * {@value #DEFAULT_BACKEND}.
 */
final class BackendOption {

    /** The embedded default: a SQLite file in the working directory, no server needed. */
    static final String DEFAULT_BACKEND = "db+sqlite:///celeriac.sqlite";

    @Option(names = {"-b", "--backend"}, paramLabel = "URL",
            description = "Result backend URL (default: $CELERY_RESULT_BACKEND, else " + DEFAULT_BACKEND + ").")
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
        String env = System.getenv("CELERY_RESULT_BACKEND");
        return env != null && !env.isBlank() ? env.strip() : DEFAULT_BACKEND;
    }

    /**
     * Opens the backend.
     *
     * @param options the options
     * @return the backend
     */
    Backend open(BackendOptions options) {
        return Celeriac.discover().openBackend(resolve(), options);
    }

    Backend open() {
        return open(BackendOptions.defaults());
    }
}
