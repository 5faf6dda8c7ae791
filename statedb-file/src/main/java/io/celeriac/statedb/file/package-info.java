/**
 * {@code file:} worker state stores: Celery's {@code --statedb} as a journaled, checksummed, locked file.
 * {@link io.celeriac.statedb.file.FileStateStoreProvider} opens them;
 * {@link io.celeriac.statedb.file.FileStateStoreConfig} holds their settings;
 * {@link io.celeriac.statedb.file.StateFiles} reads one from outside without changing it. The on-disk format
 * is documented in {@code FORMAT.md} in this module.
 */
package io.celeriac.statedb.file;
