/**
 * Connection internals shared by every area of the Redis module (the Jedis client and pool, sockets, unix
 * sockets, PEM TLS, the subscriber connection, error translation, pauses, glob escaping); not an API: these
 * types may change in any release.
 */
package io.celeriac.backend.redis.internal;
