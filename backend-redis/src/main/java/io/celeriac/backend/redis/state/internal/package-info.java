/**
 * The live Redis worker state store and its implementation details (its Lua scripts, the ordered write queue
 * that batches concurrent revokes, retries); not an API: these types may change in any release.
 */
package io.celeriac.backend.redis.state.internal;
