package io.celeriac.tck;

import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.memory.MemoryStateStoreProvider;

import java.util.Set;
import java.util.UUID;

/**
 * The state store kit against the memory:// reference store, a SHARED store with no bytes to corrupt: the
 * exclusive, keep-aside and corruption tests are skipped with their messages, the shared test runs.
 */
class MemoryStateStoreContractTest extends StateStoreContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected StateStoreFixture createFixture() {
        String name = "kit-" + UUID.randomUUID();
        return new StateStoreFixture() {
            @Override
            public StateStore open() {
                return CELERIAC.openStateStore("memory://" + name, StateStoreOptions.defaults());
            }

            @Override
            public Set<StateStoreCapability> capabilities() {
                return Set.of(StateStoreCapability.SHARED);
            }

            @Override
            public void close() {
                MemoryStateStoreProvider.forget(name);
            }
        };
    }
}
