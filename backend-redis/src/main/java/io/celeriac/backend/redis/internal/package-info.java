/**
 * Connection internals shared by every area of the Redis module (the Jedis client and pool, sockets, unix
 * sockets, PEM TLS, dedicated connections, error translation, pauses, glob escaping, Lua scripts, rate-limited
 * warnings, kombu's message envelope and fanout channels); not an API: these types may change in any release.
 */
package io.celeriac.backend.redis.internal;
