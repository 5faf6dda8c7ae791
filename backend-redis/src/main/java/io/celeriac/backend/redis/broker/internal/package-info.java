/**
 * The live Redis broker and its parts (keys, routing, Lua scripts, subscriptions, deliveries, the asynchronous
 * publisher); not an API: these types may change in any release.
 */
package io.celeriac.backend.redis.broker.internal;
