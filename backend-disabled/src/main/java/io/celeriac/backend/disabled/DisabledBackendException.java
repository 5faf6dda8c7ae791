package io.celeriac.backend.disabled;

import io.celeriac.Capability;
import io.celeriac.UnsupportedCapabilityException;

/**
 * Raised by every read, wait, group or chord operation of {@code disabled://}: no result backend is
 * configured. The message starts with the standard capability text and says how to configure one, as
 * Celery's {@code DisabledBackend} raises {@code NotImplementedError("No result backend is configured.")}.
 */
public class DisabledBackendException extends UnsupportedCapabilityException {
    private static final long serialVersionUID = 1L;

    /** How to get a real backend, appended to every message. */
    public static final String HOW_TO_CONFIGURE = "No result backend is configured: results are not stored and cannot be read."
            + " Configure one with a backend URL such as redis://localhost:6379/0, db+postgresql://user:pass@host/db"
            + " or db+sqlite:///results.sqlite (Celeriac.openBackend(url), the --backend option,"
            + " or the CELERY_RESULT_BACKEND environment variable).";

    /**
     * Creates the exception.
     *
     * @param capability the capability the caller needed
     */
    public DisabledBackendException(Capability capability) {
        super("disabled://", capability, HOW_TO_CONFIGURE);
    }
}
