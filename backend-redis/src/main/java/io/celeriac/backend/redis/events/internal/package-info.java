/**
 * The live Redis event source and the details of the events area (kombu's channel names and envelopes,
 * rate-limited warnings); not an API: these types may change in any release.
 */
package io.celeriac.backend.redis.events.internal;
