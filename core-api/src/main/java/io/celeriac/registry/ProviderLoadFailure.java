package io.celeriac.registry;

/**
 * A provider listed in a {@code META-INF/services} file that could not be loaded or created (a class
 * that fails in its static initializer, a missing dependency, no public constructor). Reported, never
 * swallowed; the other providers still load.
 *
 * @param className the provider class named in the services file, or {@code "unknown"}
 * @param source the jar or directory whose services file named it, or {@code "unknown"}
 * @param reason the failure, one line
 * @param cause the failure
 */
public record ProviderLoadFailure(String className, String source, String reason, Throwable cause) {

    /**
     * One line for messages and logs.
     *
     * @return {@code className (from source): reason}
     */
    public String describe() {
        return className + " (from " + source + "): " + reason;
    }
}
