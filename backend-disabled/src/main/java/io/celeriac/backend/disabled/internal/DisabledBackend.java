package io.celeriac.backend.disabled.internal;

import io.celeriac.UnsupportedCapabilityException;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.disabled.DisabledBackendConfig;
import io.celeriac.backend.disabled.DisabledBackendException;
import io.celeriac.backend.spi.AbstractBackend;

import java.util.Set;

/**
 * Celery's {@code DisabledBackend}: storing a result is a silent no-op; every read, wait, group, chord,
 * forget, cleanup or scan raises {@link DisabledBackendException}, which says that no result backend is
 * configured and how to configure one. It declares no capability. Thread-safe (it holds nothing).
 */
public final class DisabledBackend extends AbstractBackend {

    /**
     * Creates the backend; use {@link io.celeriac.backend.disabled.DisabledBackendProvider} or
     * {@code Celeriac.openBackend("disabled://")}.
     *
     * @param config the parsed configuration (its options are kept, not used)
     */
    public DisabledBackend(DisabledBackendConfig config) {
        super(config.url(), config.options(), Set.of());
    }

    @Override
    protected UnsupportedCapabilityException unsupported(BackendCapability capability) {
        return new DisabledBackendException(capability);
    }

    @Override
    protected void doStore(TaskMeta meta) {
        // Celery's DisabledBackend.store_result: pass
    }

    @Override
    protected TaskMeta doGetTaskMeta(String taskId) {
        throw unsupported(BackendCapability.READ);
    }
}
