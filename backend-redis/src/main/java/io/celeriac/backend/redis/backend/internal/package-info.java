/**
 * The live Redis result backend and its helpers (the store and chord-claim Lua scripts, the pub/sub result
 * listener); not an API: these types may change in any release.
 */
package io.celeriac.backend.redis.backend.internal;
