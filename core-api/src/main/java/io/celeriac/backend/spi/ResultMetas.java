package io.celeriac.backend.spi;

import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskRequest;
import io.celeriac.backend.TaskState;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link AbstractBackend} turns what a task returned into the meta Celery stores: Celery's
 * {@code _get_result_meta}, and the {@link ExceptionInfo} of a Java exception. Stateless.
 */
final class ResultMetas {

    private ResultMetas() {
    }

    /** See {@link AbstractBackend#buildMeta}. */
    static TaskMeta build(BackendOptions options, String taskId, Object result, TaskState state, String traceback,
                          TaskRequest request) {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(state, "state");
        Object value = result instanceof Throwable t ? exceptionInfo(t) : result;
        TaskMeta.Builder b = TaskMeta.builder(taskId, state)
                .result(value)
                .traceback(traceback)
                .dateDone(state.isReady() ? Instant.now(options.clock()) : null)
                .dateDoneOffset(state.isReady() && options.peerVersion().writesDateDoneOffset() ? ZoneOffset.UTC : null);
        if (request != null) {
            List<Object> children = new ArrayList<>(request.children().size());
            request.children().forEach(c -> children.add(c.toList()));
            b.children(children);
            if (request.group() != null && !request.group().isEmpty()) {
                b.groupId(request.group());
            }
            if (request.parentId() != null && !request.parentId().isEmpty()) {
                b.parentId(request.parentId());
            }
            if (options.resultExtended()) {
                b.extended(true).name(request.task()).args(request.args()).kwargs(request.kwargs())
                        .worker(request.hostname()).retries(request.retries()).queue(request.queue());
            }
        }
        return b.build();
    }

    /** See {@link AbstractBackend#exceptionInfo}. */
    static ExceptionInfo exceptionInfo(Throwable t) {
        Class<?> c = t.getClass();
        String pkg = c.getPackageName();
        String name = c.getName().substring(pkg.isEmpty() ? 0 : pkg.length() + 1).replace('$', '.');
        return t.getMessage() == null ? ExceptionInfo.of(name, pkg) : ExceptionInfo.of(name, pkg, t.getMessage());
    }
}
