/**
 * Internals of the in-memory event state: the live {@code MemoryEventState} (the locking and the listeners),
 * the single-threaded model with Celery's semantics, one job per
 * file. {@link io.celeriac.events.state.internal.ClusterModel} dispatches each event and composes the
 * parts: what a type means ({@code EventTypes}), Celery's merge rules ({@code TaskMerge},
 * {@code WorkerMerge}), the bounded tables ({@code TaskLru}, {@code WorkerTable}), parents and children
 * ({@code Lineage}), the task heap ({@link io.celeriac.events.state.internal.TimeIndex}), the task names
 * ({@code TaskTypes}), the drift warning ({@code DriftWarnings}), the join and leave queue
 * ({@code NodeNotifications}) and the reads ({@code ClusterViews}); the mutable records
 * ({@link io.celeriac.events.state.internal.TaskNode}, {@link io.celeriac.events.state.internal.WorkerNode})
 * and the parsed task event ({@code TaskEvent}). Every part is guarded by {@code MemoryEventState}'s
 * read-write lock: mutations under the write lock, reads under the read lock. Not an API: anything here may
 * change in any release; open a state with {@link io.celeriac.events.state.MemoryEventStateProvider}.
 */
package io.celeriac.events.state.internal;
