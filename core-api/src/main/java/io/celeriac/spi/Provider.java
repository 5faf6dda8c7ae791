package io.celeriac.spi;

import java.util.Set;

/**
 * What every plugin provider has in common: the URL schemes it answers for.
 *
 * <p>A provider is cheap and stateless: a public class with a public no-argument constructor, listed in
 * {@code META-INF/services/<the SPI's interface name>}, whose constructor does no I/O. It creates the
 * live, {@link AutoCloseable} instances that hold connections. Implement one of the SPI interfaces that
 * extend it: {@link io.celeriac.backend.spi.BackendProvider},
 * {@link io.celeriac.state.spi.StateStoreProvider}, {@link io.celeriac.events.spi.EventStateProvider},
 * {@link io.celeriac.events.spi.EventSourceProvider}.
 */
public interface Provider {

    /**
     * The URL schemes this provider opens, lower-case, e.g. {@code redis} and {@code rediss}, or
     * {@code db+postgresql}. A URL whose scheme has {@code +}-suffixes ({@code db+postgresql+psycopg2})
     * also matches the scheme without them.
     *
     * @return the schemes, never empty
     */
    Set<String> schemes();

    /**
     * A one-line description for listings such as {@code celeriac backends}.
     *
     * @return the description
     */
    default String description() {
        return getClass().getSimpleName();
    }
}
