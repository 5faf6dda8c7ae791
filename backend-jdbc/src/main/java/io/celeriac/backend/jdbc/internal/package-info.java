/**
 * The implementation of the database backend: the backend itself, the SQL of each database, the pools,
 * the PostgreSQL listener and the column codecs. Not for users: nothing here is a stable API.
 */
package io.celeriac.backend.jdbc.internal;
