package io.celeriac.backend;

/**
 * Receives a completed chord. celeriac has no broker, so where Celery would publish the chord body
 * ({@code callback.delay(results)}), the backend hands the completion to this callback instead.
 *
 * <p>It is called exactly once per chord, on the thread that reported the last part, after a failed
 * chord's error has been stored on the body's task id. It should return quickly; an exception it throws
 * is logged and stored as the body's {@code ChordError("Callback error: ...")}.
 */
@FunctionalInterface
public interface ChordCallback {
    /**
     * Handles a completed chord.
     *
     * @param completion the results in order, or the chord error
     */
    void onChordComplete(ChordCompletion completion);
}
