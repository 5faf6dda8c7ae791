/**
 * The implementation of the database result backend: the live backend, the SQL of Celery's tables on each
 * database, the PostgreSQL listener and the column codecs. Not for users: nothing here is a stable API.
 */
package io.celeriac.backend.jdbc.backend.internal;
