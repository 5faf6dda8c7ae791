/**
 * What a state store plugin implements: {@link io.celeriac.state.spi.StateStoreProvider}, listed in
 * {@code META-INF/services/io.celeriac.state.spi.StateStoreProvider}, which opens stores; stores extend
 * {@link io.celeriac.state.spi.AbstractStateStore}, which keeps the contract's lifecycle (merge, sync,
 * save, close, the shutdown hook, following the worker's revokes and clock) so that a plugin implements
 * only its storage. {@link io.celeriac.state.spi.StoredState}, {@link io.celeriac.state.spi.StateSnapshot}
 * and {@link io.celeriac.state.spi.SnapshotRequest} carry the state between the two. Prove a store with
 * {@code io.celeriac.tck.StateStoreContract}.
 */
package io.celeriac.state.spi;
