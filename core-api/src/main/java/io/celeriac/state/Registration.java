package io.celeriac.state;

/**
 * A handle on something registered with a {@link RevokedSet} or a {@link LamportClock} (a listener, a
 * guard); closing it unregisters it.
 *
 * <p>Closing is idempotent and never throws. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {

    /** Unregisters; closing twice does nothing. */
    @Override
    void close();
}
