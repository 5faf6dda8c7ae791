package io.celeriac.state.memory;

import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.spi.AbstractStateStore;
import io.celeriac.state.spi.SnapshotRequest;
import io.celeriac.state.spi.StateSnapshot;
import io.celeriac.state.spi.StoredState;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code memory://} state store: every change goes straight into a JVM-wide area shared by the stores
 * of one name. A sync adds the worker's revokes to what is stored (other workers' revokes stay); the
 * stored clock only ever rises. Thread-safe.
 */
final class MemoryStateStore extends AbstractStateStore {

    /** What one name stores. Guarded by its own monitor. */
    static final class Area {
        private final LinkedHashMap<String, Double> revoked = new LinkedHashMap<>();
        private long clock;

        synchronized StoredState read() {
            return new StoredState(revoked, clock);
        }

        synchronized void add(String id, double ts) {
            Double existing = revoked.get(id);
            if (existing == null || existing < ts) {
                revoked.remove(id);
                revoked.put(id, ts);
            }
        }

        synchronized void discard(String id) {
            revoked.remove(id);
        }

        synchronized void clear() {
            revoked.clear();
        }

        synchronized void raiseClock(long value) {
            clock = Math.max(clock, value);
        }
    }

    private final Area area;

    MemoryStateStore(String location, Area area, boolean shutdownHook) {
        super(location, Set.of(StateStoreCapability.SHARED), shutdownHook, 0);
        this.area = area;
    }

    @Override
    protected StoredState load() {
        return area.read();
    }

    @Override
    protected void persistAdded(String id, double timestamp) {
        area.add(id, timestamp);
    }

    @Override
    protected void persistAddedAll(Map<String, Double> entries) {
        synchronized (area) {
            entries.forEach(area::add);
        }
    }

    @Override
    protected void persistDiscarded(String id) {
        area.discard(id);
    }

    @Override
    protected void persistCleared() {
        area.clear();
    }

    @Override
    protected void persistClock(long ceiling) {
        area.raiseClock(ceiling);
    }

    @Override
    protected void writeSnapshot(SnapshotRequest request) {
        StateSnapshot s = request.capture();
        synchronized (area) {
            s.revoked().forEach(area::add);
            area.raiseClock(s.clock());
        }
    }

    @Override
    protected void release() {
        // nothing held
    }
}
