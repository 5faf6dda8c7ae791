package io.celeriac.state.spi;

import io.celeriac.spi.Provider;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.url.BackendUrl;

/**
 * Opens {@link StateStore}s for some URL schemes ({@code file} for files and plain paths): the SPI a
 * state store plugin implements, listed in {@code META-INF/services/io.celeriac.state.spi.StateStoreProvider}.
 */
public interface StateStoreProvider extends Provider {

    /**
     * Opens a state store.
     *
     * @param url the location
     * @param options the worker's node name and other settings
     * @return the store; the caller closes it
     */
    StateStore open(BackendUrl url, StateStoreOptions options);
}
