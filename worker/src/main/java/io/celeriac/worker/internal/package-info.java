/**
 * The worker's machinery: the consumer, the request life cycle, the pool, time limits, rate limits, remote
 * control and the Python-shaped failure text. Not for users: the types here change without notice.
 */
package io.celeriac.worker.internal;
