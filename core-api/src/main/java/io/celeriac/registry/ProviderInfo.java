package io.celeriac.registry;

import io.celeriac.spi.Provider;

import java.util.Set;

/**
 * One provider known to a registry: its schemes, class, where it came from and how it was registered.
 *
 * @param schemes the schemes it answers
 * @param className the provider class's name
 * @param source the jar or directory the class was loaded from, or {@code "unknown"}
 * @param origin whether it was registered explicitly or discovered
 * @param provider the provider itself
 */
public record ProviderInfo(Set<String> schemes, String className, String source, Origin origin, Provider provider) {

    /** How a provider came into a registry. */
    public enum Origin {
        /** Registered in code or through Guice; beats discovery. */
        EXPLICIT,
        /** Found with {@link java.util.ServiceLoader}. */
        DISCOVERED
    }
}
