package io.celeriac.backend;

import io.celeriac.Capability;

/**
 * What a live {@link Backend} supports beyond storing results.
 *
 * <p>A backend declares its capabilities in {@link Backend#capabilities()}. Calling an operation whose
 * capability is not declared raises {@link io.celeriac.UnsupportedCapabilityException} with the standard
 * message; the conformance kit checks this for every <em>operation</em> capability. The
 * {@linkplain #isBehaviour() behaviour} capabilities describe how the backend works rather than an
 * operation, and are documented, not enforced by an exception.
 */
public enum BackendCapability implements Capability {
    /** Read stored results: {@code getTaskMeta}, {@code getStatus}, {@code getResult}, {@code getMany}. */
    READ("read stored results", false),
    /** Wait for results: {@code waitFor} and {@code waitForAsync}. */
    WAIT("wait for results", false),
    /** Delete one result: {@code forget}. */
    FORGET("forget a stored result", false),
    /** Save, restore and delete groups. */
    GROUPS("save, restore and delete groups", false),
    /** Count chord parts and complete the chord exactly once: {@code setChordSize}, {@code onChordPartReturn}. */
    CHORDS("count chord parts and complete the chord exactly once", false),
    /** Delete expired results: {@code cleanup} (a no-op returning 0 where results expire natively). */
    CLEANUP("delete expired results on cleanup()", false),
    /** Enumerate every stored task and group id: {@code taskIds}, {@code groupIds}. */
    SCAN("enumerate every stored task and group id", false),
    /** Results expire after {@code result_expires}, natively or through {@code cleanup}. */
    EXPIRY("expire results after result_expires", true),
    /** Results expire on their own, with no call to {@code cleanup} (a server-side TTL). */
    NATIVE_EXPIRY("expire results natively, without cleanup", true),
    /** Waiters are woken by a push from the store (pub/sub, LISTEN/NOTIFY) rather than by polling. */
    PUSH_WAIT("wake waiters by push rather than polling", true),
    /** The stored meta keeps {@code children}, {@code group_id} and {@code parent_id}, as Celery's key-value backends do. */
    FULL_META("keep children, group_id and parent_id in the stored meta", true);

    private final String description;
    private final boolean behaviour;

    BackendCapability(String description, boolean behaviour) {
        this.description = description;
        this.behaviour = behaviour;
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * Whether this capability describes behaviour rather than an operation that can be refused.
     *
     * @return {@code true} for EXPIRY, NATIVE_EXPIRY, PUSH_WAIT and FULL_META
     */
    public boolean isBehaviour() {
        return behaviour;
    }
}
