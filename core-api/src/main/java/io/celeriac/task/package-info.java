/**
 * Celery's task protocol 2, shared by the client and the worker: the task message ({@link TaskMessage}) with its
 * headers, properties and {@code [args, kwargs, embed]} body as Celery's {@code as_task_v2} builds them, canvas
 * signatures ({@link Signature}), Python's {@code repr} of arguments ({@link PythonRepr}), kombu's object ids
 * ({@link Oid}) and Celery's ISO-8601 times ({@link CeleryTimes}).
 */
package io.celeriac.task;
