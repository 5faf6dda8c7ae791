package io.celeriac.events.state.internal;

import io.celeriac.backend.TaskState;

import java.util.HashMap;

/**
 * What an event type means: Celery's {@code type.partition('-')} into group and subject, the subject's
 * {@link Subjects} kind and, for a custom task subject ({@code task-progress}), the state it names and that
 * state's precedence, parsed once per distinct type. The dispatcher switches on Celery's own types first and
 * asks this only for the others.
 *
 * <p>Invariants: the same type always gives an equal answer, cached or not; at most
 * {@value #MAX_CACHED} types are cached (a stream of ever-new types costs a parse each, never memory); the
 * type looked up last answers without hashing, as custom events come in runs.
 *
 * <p>Not thread-safe: only the model's dispatcher calls it, while applying an event under
 * {@code MemoryEventState}'s write lock.
 */
final class EventTypes {

    /** A group the model only counts. */
    static final int GROUP_OTHER = 0;
    /** {@code task-*}. */
    static final int GROUP_TASK = 1;
    /** {@code worker-*}. */
    static final int GROUP_WORKER = 2;

    static final int MAX_CACHED = 1024;

    /**
     * What one event type means.
     *
     * @param group {@link #GROUP_TASK}, {@link #GROUP_WORKER} or {@link #GROUP_OTHER}
     * @param subject what follows the first {@code -}, or empty
     * @param kind the subject's {@link Subjects} task or worker kind (0 for other groups)
     * @param custom for a non-empty custom task subject, its state; else null
     */
    record TypeInfo(int group, String subject, int kind, CustomState custom) {
    }

    /** A custom subject's state and precedence, computed once. */
    record CustomState(TaskState state, int precedence) {
    }

    private final HashMap<String, TypeInfo> cache = new HashMap<>();
    private String lastType;
    private TypeInfo lastInfo;

    /**
     * @param type an event type
     * @return what it means
     */
    TypeInfo of(String type) {
        if (type.equals(lastType)) { // custom events come in runs (task-progress ...)
            return lastInfo;
        }
        TypeInfo info = cache.get(type);
        if (info == null) {
            info = parse(type);
            if (cache.size() < MAX_CACHED) {
                cache.put(type, info);
            }
        }
        lastType = type;
        lastInfo = info;
        return info;
    }

    /** How many types are cached. */
    int cachedSize() {
        return cache.size();
    }

    private static TypeInfo parse(String type) {
        int dash = type.indexOf('-');
        String group = dash < 0 ? type : type.substring(0, dash);
        String subject = dash < 0 ? "" : type.substring(dash + 1);
        if ("task".equals(group)) {
            int kind = Subjects.taskKind(subject);
            CustomState custom = null;
            if (kind == Subjects.CUSTOM && !subject.isEmpty()) {
                TaskState st = Subjects.customState(subject);
                custom = new CustomState(st, st.precedence());
            }
            return new TypeInfo(GROUP_TASK, subject, kind, custom);
        } else if ("worker".equals(group)) {
            return new TypeInfo(GROUP_WORKER, subject, "offline".equals(subject) ? Subjects.W_OFFLINE
                    : "online".equals(subject) ? Subjects.W_ONLINE : Subjects.W_OTHER, null);
        } else {
            return new TypeInfo(GROUP_OTHER, subject, 0, null);
        }
    }
}
