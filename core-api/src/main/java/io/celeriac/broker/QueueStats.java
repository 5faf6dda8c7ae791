package io.celeriac.broker;

/**
 * How many messages wait in a queue and how many consumers read it, as a passive {@code queue.declare} reports
 * them on RabbitMQ (the messages ready for delivery, not those delivered and not yet acknowledged).
 *
 * @param queue the queue
 * @param messages the messages ready in it
 * @param consumers its consumers, or -1 when the broker cannot count them (see
 *                  {@link BrokerCapability#CONSUMER_COUNT})
 */
public record QueueStats(String queue, long messages, int consumers) {
}
