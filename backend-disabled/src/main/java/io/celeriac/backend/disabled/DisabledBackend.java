package io.celeriac.backend.disabled;

import io.celeriac.UnsupportedCapabilityException;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.spi.AbstractBackend;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Celery's {@code DisabledBackend}: storing a result is a silent no-op; every read, wait, group, chord,
 * forget, cleanup or scan raises {@link DisabledBackendException}, which says that no result backend is
 * configured and how to configure one. It declares no capability. Thread-safe (it holds nothing).
 */
public final class DisabledBackend extends AbstractBackend {

    /**
     * Creates the backend; use {@code Celeriac.openBackend("disabled://")}.
     *
     * @param url {@code disabled://}
     * @param options ignored but kept
     */
    public DisabledBackend(BackendUrl url, BackendOptions options) {
        super(url, options, Set.of());
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
