/**
 * What the result backend and the worker state store of this module share: the connection pools, the
 * classification and scrubbing of database errors, and the quoting of table names. Not for users: nothing
 * here is a stable API.
 */
package io.celeriac.backend.jdbc.internal;
