package io.celeriac.client;

import io.celeriac.CeleriacException;

/**
 * Raised before anything is sent when a chord (or a group chained to a task, which Celery upgrades to a chord)
 * is sent with a result backend that cannot count chord parts, as Celery's {@code ensure_chords_allowed} does
 * ({@code rpc://}, {@code disabled://}). The message is Celery's own. Immutable.
 */
public class ChordsNotSupportedException extends CeleriacException {

    private static final long serialVersionUID = 1L;

    private static final String TAIL = "Note that a group chained with a task is also upgraded to be a chord,\n"
            + "as this pattern requires synchronization.\n\n"
            + "Result backends that supports chords: Redis, Database, Memcached, and more.";

    /**
     * The error for a backend: Celery's {@code E_CHORD_NO_BACKEND} for {@code disabled} (or no backend), else its
     * {@code E_NO_CHORD_SUPPORT} naming the backend.
     *
     * @param backendName the backend's scheme ({@code rpc}, {@code disabled}), or {@code null} for no backend
     */
    public ChordsNotSupportedException(String backendName) {
        super(backendName == null || "disabled".equals(backendName)
                ? "Starting chords requires a result backend to be configured.\n\n" + TAIL
                : "The \"" + backendName + "\" result backend does not support chords!\n\n" + TAIL);
    }
}
