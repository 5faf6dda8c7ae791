package io.celeriac.backend.jdbc.backend.internal;

import java.time.Instant;

/**
 * One row of Celery's task table, as stored: the result, args and kwargs are the column bytes.
 *
 * @param taskId the task id
 * @param status the state's name
 * @param result the {@code result} column (a pickle or JSON), or {@code null}
 * @param dateDone the {@code date_done} column as UTC, or {@code null}
 * @param traceback the traceback text, or {@code null}
 * @param name the task name (extended), or {@code null}
 * @param args the JSON bytes of the args (extended), or {@code null}
 * @param kwargs the JSON bytes of the kwargs (extended), or {@code null}
 * @param worker the worker's node name (extended), or {@code null}
 * @param retries the retry count (extended), or {@code null}
 * @param queue the routing key (extended), or {@code null}
 */
record TaskRow(String taskId, String status, byte[] result, Instant dateDone, String traceback, String name,
               byte[] args, byte[] kwargs, String worker, Integer retries, String queue) {

    /** @return whether any extended column holds a value */
    boolean hasExtendedValues() {
        return name != null || args != null || kwargs != null || worker != null || retries != null || queue != null;
    }
}
