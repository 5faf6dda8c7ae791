package io.celeriac.events;

import io.celeriac.backend.TaskState;

import java.util.List;

/**
 * A frozen view of one task in an {@link EventState}, with Celery's {@code Task} fields. Timestamps are
 * epoch seconds; {@code args}, {@code kwargs} and {@code result} are the repr strings events carry.
 *
 * @param uuid the task id
 * @param name the task name
 * @param state the state from the latest (by precedence) event
 * @param received when {@code task-received} was sent
 * @param sent when {@code task-sent} was sent
 * @param started when {@code task-started} was sent
 * @param rejected when {@code task-rejected} was sent
 * @param succeeded when {@code task-succeeded} was sent
 * @param failed when {@code task-failed} was sent
 * @param retried when {@code task-retried} was sent
 * @param revoked when {@code task-revoked} was sent
 * @param args the positional arguments' repr
 * @param kwargs the keyword arguments' repr
 * @param eta the ETA, or {@code null}
 * @param expires the expiry, or {@code null}
 * @param retries how many times it was retried
 * @param worker the executing worker's hostname
 * @param result the result's repr
 * @param exception the exception's repr
 * @param timestamp the latest event's timestamp
 * @param runtime how long it ran, in seconds
 * @param traceback the traceback of a failure or retry
 * @param exchange the exchange it was sent to
 * @param routingKey the routing key it was sent with
 * @param clock the latest event's clock
 * @param client the hostname that sent it
 * @param rootId the root task's id
 * @param parentId the parent task's id
 * @param children the ids of its known children
 */
public record TaskInfo(String uuid, String name, TaskState state, Double received, Double sent, Double started,
                       Double rejected, Double succeeded, Double failed, Double retried, Double revoked,
                       String args, String kwargs, String eta, String expires, Integer retries, String worker,
                       String result, String exception, Double timestamp, Double runtime, String traceback,
                       String exchange, String routingKey, long clock, String client, String rootId,
                       String parentId, List<String> children) {

    /** @return whether the state is ready (SUCCESS, FAILURE, REVOKED) */
    public boolean ready() {
        return state.isReady();
    }
}
