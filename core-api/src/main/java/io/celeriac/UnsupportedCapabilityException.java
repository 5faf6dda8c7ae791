package io.celeriac;

import java.util.Objects;

/**
 * Raised when an operation needs a {@link Capability} the plugin instance does not declare.
 *
 * <p>This is the one celeriac exception that is not a {@link CeleriacException}: it extends
 * {@link UnsupportedOperationException} so that code written against the JDK's convention catches it.
 * Its message always starts with the standard text built by {@link #standardMessage}, which the
 * conformance kit checks, so an opt-out is visible and never silent.
 */
public class UnsupportedCapabilityException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    private final String subject;
    private final String capability;

    /**
     * Creates the exception with the standard message.
     *
     * @param subject what was asked, usually the instance's masked URI ({@code disabled://})
     * @param capability the missing capability
     */
    public UnsupportedCapabilityException(String subject, Capability capability) {
        this(subject, capability, null);
    }

    /**
     * Creates the exception with the standard message followed by a detail.
     *
     * @param subject what was asked, usually the instance's masked URI
     * @param capability the missing capability
     * @param detail more explanation appended after the standard text, may be {@code null}
     */
    public UnsupportedCapabilityException(String subject, Capability capability, String detail) {
        super(standardMessage(subject, capability) + (detail == null || detail.isEmpty() ? "" : " " + detail));
        this.subject = subject;
        this.capability = capability.name();
    }

    /**
     * The standard message for a missing capability: {@code "<subject> does not support <NAME> (<description>)."}
     *
     * @param subject what was asked, usually a masked URI
     * @param capability the capability
     * @return the message
     */
    public static String standardMessage(String subject, Capability capability) {
        Objects.requireNonNull(capability, "capability");
        return subject + " does not support " + capability.name() + " (" + capability.description() + ").";
    }

    /**
     * What was asked, usually the masked URI of the instance.
     *
     * @return the subject
     */
    public String subject() {
        return subject;
    }

    /**
     * The name of the missing capability.
     *
     * @return the capability's name
     */
    public String capability() {
        return capability;
    }
}
