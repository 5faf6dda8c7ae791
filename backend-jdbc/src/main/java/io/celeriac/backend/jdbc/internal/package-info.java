/**
 * The implementation of the database backend and the database worker state store: the backend itself, the
 * state store, the SQL of each database, the pools, the PostgreSQL listener and the column codecs. Not for
 * users: nothing here is a stable API.
 */
package io.celeriac.backend.jdbc.internal;
