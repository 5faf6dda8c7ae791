package io.celeriac.backend.jdbc.backend;

import io.celeriac.InvalidConfigurationException;

import java.util.List;

/**
 * Raised when a backend opens on tables that do not have the shape Celery's database backend (and
 * celeriac) needs: a missing table, column, sequence or unique constraint, or a column of another type.
 * It lists every problem found and how to fix it (run with {@code schema_mode=create}, or create the
 * objects named); nothing is changed.
 */
public class SchemaMismatchException extends InvalidConfigurationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param maskedUri the backend's masked URI
     * @param problems every problem found
     */
    public SchemaMismatchException(String maskedUri, List<String> problems) {
        super("The tables of " + maskedUri + " do not match Celery's database backend", problems);
    }
}
