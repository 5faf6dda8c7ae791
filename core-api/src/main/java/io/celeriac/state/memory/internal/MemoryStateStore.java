package io.celeriac.state.memory.internal;

import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.memory.MemoryStateStoreConfig;
import io.celeriac.state.spi.AbstractStateStore;
import io.celeriac.state.spi.SnapshotRequest;
import io.celeriac.state.spi.StateSnapshot;
import io.celeriac.state.spi.StoredState;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The {@code memory://} state store: every change goes straight into a JVM-wide area shared by the stores
 * of one name. A sync adds the worker's revokes to what is stored (other workers' revokes stay); the
 * stored clock only ever rises. The areas live for the JVM's lifetime, or until {@link #forget(String)}.
 * Thread-safe.
 */
public final class MemoryStateStore extends AbstractStateStore {

    private static final ConcurrentMap<String, Area> AREAS = new ConcurrentHashMap<>();

    /** What one name stores. Guarded by its own monitor. */
    private static final class Area {
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

    /**
     * Opens a store on the area of the configuration's name (created when it is the first); use
     * {@link io.celeriac.state.memory.MemoryStateStoreProvider} or {@code Celeriac.openStateStore("memory://name", ...)}.
     *
     * @param config the parsed configuration
     */
    public MemoryStateStore(MemoryStateStoreConfig config) {
        super("memory://" + config.name(), Set.of(StateStoreCapability.SHARED), config.shutdownHook(), 0);
        this.area = AREAS.computeIfAbsent(config.name(), n -> new Area());
    }

    /**
     * Drops the state kept under a name.
     *
     * @param name the name of {@code memory://name}
     */
    public static void forget(String name) {
        AREAS.remove(name);
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
