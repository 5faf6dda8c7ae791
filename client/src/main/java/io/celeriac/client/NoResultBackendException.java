package io.celeriac.client;

import io.celeriac.CeleriacException;

/**
 * Raised when a result is read or waited for through a {@link CeleryClient} opened without a result backend,
 * as Celery's {@code DisabledBackend} raises. Immutable.
 */
public class NoResultBackendException extends CeleriacException {

    private static final long serialVersionUID = 1L;

    /**
     * The error for one operation.
     *
     * @param what what was attempted
     */
    public NoResultBackendException(String what) {
        super("No result backend is configured (" + what + "): open the client with a result backend URL, "
                + "or set CELERY_RESULT_BACKEND");
    }
}
