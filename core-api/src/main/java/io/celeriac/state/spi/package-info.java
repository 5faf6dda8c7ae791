/**
 * What a state store plugin implements: {@link io.celeriac.state.spi.StateStoreProvider}.
 */
package io.celeriac.state.spi;
