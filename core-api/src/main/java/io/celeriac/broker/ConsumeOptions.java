package io.celeriac.broker;

/**
 * How a {@link Broker#consume} subscription reads: how many unacknowledged deliveries it may hold at once
 * (kombu's {@code basic_qos(prefetch_count)}; 0 means no limit) and whether deliveries count as acknowledged as
 * soon as they are sent (kombu's {@code no_ack=True}, as Celery's pidbox, reply and event consumers read).
 *
 * <p>Immutable; the constructor throws {@link InvalidDeclarationException} for a negative or too large prefetch.
 *
 * @param prefetch the most unacknowledged deliveries in flight, 0 to 65535 (0 = unlimited)
 * @param autoAck whether deliveries need no acknowledgement
 */
public record ConsumeOptions(int prefetch, boolean autoAck) {

    /** Checks the prefetch. */
    public ConsumeOptions {
        if (prefetch < 0 || prefetch > 65_535) {
            throw new InvalidDeclarationException("The prefetch must be from 0 (no limit) to 65535, not " + prefetch);
        }
    }

    /**
     * Manual acknowledgement with a prefetch limit (a worker's task consumer).
     *
     * @param prefetch 0 to 65535, 0 = unlimited
     * @return the options
     */
    public static ConsumeOptions prefetch(int prefetch) {
        return new ConsumeOptions(prefetch, false);
    }

    /**
     * No acknowledgement, no limit (pidbox, replies, events).
     *
     * @return the options
     */
    public static ConsumeOptions noAck() {
        return new ConsumeOptions(0, true);
    }
}
