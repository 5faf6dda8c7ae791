package io.celeriac;

/**
 * An optional feature a live plugin instance may declare.
 *
 * <p>Implemented by the capability enums of each SPI, such as
 * {@link io.celeriac.backend.BackendCapability}. The conformance kit runs the tests of every
 * declared capability and checks that every undeclared one fails with
 * {@link UnsupportedCapabilityException} and its standard message.
 */
public interface Capability {
    /**
     * The capability's constant name, e.g. {@code GROUPS}.
     *
     * @return the name
     */
    String name();

    /**
     * A short description of what the capability allows, used in messages.
     *
     * @return the description
     */
    String description();
}
