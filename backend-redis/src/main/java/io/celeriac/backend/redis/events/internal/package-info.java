/**
 * The live Redis event source and the details of the events area (Celery's event channels on kombu's fanout);
 * not an API: these types may change in any release.
 */
package io.celeriac.backend.redis.events.internal;
