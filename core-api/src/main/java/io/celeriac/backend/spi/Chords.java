package io.celeriac.backend.spi;

import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;
import io.celeriac.internal.PythonRepr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link AbstractBackend} does around a chord's counting (which is the store's hook): which finished task is
 * a chord part, what a completed chord does (Celery's error on the body, the chord callback), and the error of
 * a failed part. Stateless.
 */
final class Chords {

    /** The backend's own logger: the lines keep their category. */
    private static final Logger LOG = LoggerFactory.getLogger(AbstractBackend.class);

    private Chords() {
    }

    /** Whether a task that ran with this request is a part of a chord (Celery's {@code request.chord}). */
    static boolean isPart(TaskRequest request) {
        return request != null && request.chord() != null && request.group() != null;
    }

    /** See {@link AbstractBackend#completeChord}. */
    static void complete(AbstractBackend backend, ChordCompletion completion) {
        String bodyId = completion.bodyTaskId();
        if (completion.failed() && bodyId != null) {
            backend.storeResult(bodyId, completion.error(), TaskState.FAILURE);
        }
        if (backend.options.chordCallback() != null) {
            try {
                backend.options.chordCallback().onChordComplete(completion);
            } catch (RuntimeException e) {
                LOG.error("The chord callback failed for chord {}", completion.groupId(), e);
                if (bodyId != null) {
                    backend.storeResult(bodyId, ExceptionInfo.chordError("Callback error: " + e), TaskState.FAILURE);
                }
            }
        }
    }

    /** See {@link AbstractBackend#dependencyError}. */
    static ExceptionInfo dependencyError(String taskId, Object exception) {
        String repr = exception instanceof ExceptionInfo e ? e.pythonRepr() : PythonRepr.repr(exception);
        return ExceptionInfo.chordError("Dependency " + taskId + " raised " + repr);
    }
}
