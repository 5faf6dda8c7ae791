/**
 * Implementation details of the Redis backend (connections, sockets, TLS, the store script, the pub/sub
 * listener); not an API: these types may change in any release.
 */
package io.celeriac.backend.redis.internal;
