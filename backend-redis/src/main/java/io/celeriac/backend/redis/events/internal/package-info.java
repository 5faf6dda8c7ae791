/** Implementation details of the Redis event source and dispatcher: kombu's channel names and envelopes. */
package io.celeriac.backend.redis.events.internal;
