package io.celeriac.events.state.internal;

import io.celeriac.backend.TaskState;

import java.util.Locale;

/**
 * Celery's {@code TASK_EVENT_TO_STATE} table as small integer kinds with their precedence, so that the hot
 * path compares ints, not state names.
 */
final class Subjects {

    static final int SENT = 0;
    static final int RECEIVED = 1;
    static final int STARTED = 2;
    static final int SUCCEEDED = 3;
    static final int FAILED = 4;
    static final int RETRIED = 5;
    static final int REVOKED = 6;
    static final int REJECTED = 7;
    /** Any other subject: a custom state named after it, upper-cased. */
    static final int CUSTOM = 8;

    static final int PENDING_PRECEDENCE = TaskState.PENDING.precedence();

    /** The state of each known kind. */
    static final TaskState[] STATE = {
        TaskState.PENDING, TaskState.RECEIVED, TaskState.STARTED, TaskState.SUCCESS, TaskState.FAILURE,
        TaskState.RETRY, TaskState.REVOKED, TaskState.REJECTED,
    };

    /** The precedence of each known kind's state (Celery's index: lower is stronger). */
    static final int[] PRECEDENCE = new int[STATE.length];

    static {
        for (int i = 0; i < STATE.length; i++) {
            PRECEDENCE[i] = STATE[i].precedence();
        }
    }

    /** The worker event kinds. */
    static final int W_ONLINE = 0;
    static final int W_HEARTBEAT = 1;
    static final int W_OFFLINE = 2;
    static final int W_OTHER = 3;

    private Subjects() {
    }

    /**
     * The kind of a known task subject, or {@link #CUSTOM}.
     */
    static int taskKind(String subject) {
        switch (subject) {
            case "sent":
                return SENT;
            case "received":
                return RECEIVED;
            case "started":
                return STARTED;
            case "succeeded":
                return SUCCEEDED;
            case "failed":
                return FAILED;
            case "retried":
                return RETRIED;
            case "revoked":
                return REVOKED;
            case "rejected":
                return REJECTED;
            default:
                return CUSTOM;
        }
    }

    /**
     * Python's {@code str.upper()} of a custom subject, as the state it names.
     */
    static TaskState customState(String subject) {
        return TaskState.of(subject.toUpperCase(Locale.ROOT));
    }
}
