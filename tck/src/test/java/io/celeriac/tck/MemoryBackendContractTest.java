package io.celeriac.tck;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;

import java.util.Set;
import java.util.UUID;

/**
 * The kit against the memory:// reference backend. It lives here rather than in core-api because the
 * kit depends on core-api; every capability is declared, so no test is skipped.
 */
class MemoryBackendContractTest extends BackendContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected BackendFixture createFixture() {
        String name = "kit-" + UUID.randomUUID();
        return new BackendFixture() {
            @Override
            public Backend open(BackendOptions options) {
                return CELERIAC.openBackend("memory://" + name, options);
            }

            @Override
            public Set<BackendCapability> capabilities() {
                return allCapabilities();
            }
        };
    }
}
