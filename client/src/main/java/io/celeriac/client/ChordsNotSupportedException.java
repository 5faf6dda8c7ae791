package io.celeriac.client;

import io.celeriac.CeleriacException;

/**
 * Raised before anything is sent when a chord (or a group chained to a task, which Celery upgrades to a chord)
 * is sent with a result backend that cannot count chord parts, as Celery's {@code ensure_chords_allowed} does
 * ({@code rpc://}, {@code disabled://}). The message is Celery's own. Immutable.
 */
public class ChordsNotSupportedException extends CeleriacException {

    private static final long serialVersionUID = 1L;

    /**
     * The error for a backend.
     *
     * @param backendName the backend's name as Celery writes it ({@code rpc})
     */
    public ChordsNotSupportedException(String backendName) {
        super("The \"" + backendName + "\" result backend does not support chords!\n\n"
                + "Note that a group chained with a task is also upgraded to be a chord,\n"
                + "as this pattern requires synchronization.\n\n"
                + "Result backends that supports chords: Redis, Database, Memcached, and more.");
    }
}
