/**
 * The implementation of the database worker state store: the live store, its group-commit queue and the SQL
 * of its tables on each database. Not for users: nothing here is a stable API.
 */
package io.celeriac.backend.jdbc.state.internal;
