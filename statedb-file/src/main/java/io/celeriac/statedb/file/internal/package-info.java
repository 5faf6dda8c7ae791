/**
 * The file store's implementation: the snapshot and journal codecs, the group-commit journal, recovery,
 * the lock and Celery's placeholder expansion. Not an API: anything here may change in any release.
 */
package io.celeriac.statedb.file.internal;
