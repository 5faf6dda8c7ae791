package io.celeriac.broker;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A live connection to a message broker that publishes and consumes Celery's messages exactly as kombu's
 * transport for that broker does, so that a Python Celery process on the same broker sees what Java sent and the
 * other way round.
 *
 * <p>Open one with {@link io.celeriac.Celeriac#openBroker(String)}. Instances are thread-safe (any number of
 * threads publish, declare and consume at once) and hold connections: close them. The contract, which the
 * conformance kit checks:
 * <ul>
 *   <li>{@link #publish} returns only when the broker has the message; a refusal, a lost connection or a
 *       timeout raises {@link PublishFailedException}, never a silent loss. {@link #publishAsync} does the same
 *       without blocking, so that many publishes await their confirmation at once;</li>
 *   <li>a delivery of a manual-acknowledgement subscription is settled exactly once; one left unsettled when its
 *       subscription, broker or connection goes comes again with {@link Delivery#redelivered()} set;</li>
 *   <li>a subscription never holds more unsettled deliveries than its prefetch;</li>
 *   <li>a lost connection is re-established on its own, with the declarations made through this broker and the
 *       subscriptions; meanwhile operations fail with {@link BrokerUnavailableException} (publishes with
 *       {@link PublishFailedException}).</li>
 * </ul>
 *
 * <p>Bad input raises {@link InvalidMessageException} or {@link InvalidDeclarationException} before anything is
 * sent; every operation after {@link #close()} raises {@link BrokerClosedException}. Names must not be
 * {@code null}.
 */
public interface Broker extends AutoCloseable {

    /**
     * What this broker supports.
     *
     * @return the declared capabilities
     */
    Set<BrokerCapability> capabilities();

    /**
     * Whether a capability is declared.
     *
     * @param capability the capability
     * @return {@code true} when declared
     */
    default boolean supports(BrokerCapability capability) {
        return capabilities().contains(capability);
    }

    /**
     * The broker's URI with its password masked, as Celery's {@code connection.as_uri()} prints it
     * ({@code amqp://guest:**@127.0.0.1:5672//}); a failover list is shown part by part, joined with {@code ;}.
     *
     * @return the masked URI
     */
    String asUri();

    /**
     * Whether the broker is connected now (a lost connection is being re-established while {@code false}).
     *
     * @return whether connected
     */
    boolean isConnected();

    // ------------------------------------------------------------------------------------------
    // declarations

    /**
     * Declares an exchange; declaring it again with the same settings does nothing.
     *
     * @param exchange the declaration
     * @throws DeclarationConflictException when it exists with other settings
     * @throws io.celeriac.UnsupportedCapabilityException for a topic exchange without
     *         {@link BrokerCapability#TOPIC_EXCHANGE}
     */
    void declareExchange(ExchangeSpec exchange);

    /**
     * Declares a queue; declaring it again with the same settings does nothing.
     *
     * @param queue the declaration
     * @return the queue's statistics after the declaration
     * @throws DeclarationConflictException when it exists with other settings
     */
    QueueStats declareQueue(QueueSpec queue);

    /**
     * Binds a queue to an exchange; binding twice does nothing.
     *
     * @param binding the binding
     * @throws QueueNotFoundException when the queue does not exist
     * @throws ExchangeNotFoundException when the exchange does not exist
     */
    void bind(Binding binding);

    /**
     * Removes a binding; removing one that does not exist does nothing.
     *
     * @param binding the binding
     */
    void unbind(Binding binding);

    /**
     * Deletes a queue and the messages in it; deleting one that does not exist does nothing.
     *
     * @param queue the queue
     */
    void deleteQueue(String queue);

    /**
     * Deletes an exchange and its bindings; deleting one that does not exist does nothing.
     *
     * @param exchange the exchange
     */
    void deleteExchange(String exchange);

    /**
     * Removes every ready message from a queue (kombu's {@code queue.purge()}).
     *
     * @param queue the queue
     * @return how many messages were removed
     * @throws QueueNotFoundException when the queue does not exist
     */
    long purgeQueue(String queue);

    /**
     * The number of ready messages and of consumers of a queue (RabbitMQ: a passive declare).
     *
     * @param queue the queue
     * @return its statistics
     * @throws QueueNotFoundException when the queue does not exist
     */
    QueueStats queueStats(String queue);

    // ------------------------------------------------------------------------------------------
    // publish

    /**
     * Publishes a message and returns once the broker has it.
     *
     * @param exchange the exchange, {@code ""} for the default exchange (routing key = queue name)
     * @param routingKey the routing key, at most 255 bytes
     * @param message the message
     * @throws PublishFailedException when the broker refused it or its confirmation did not come
     * @throws ExchangeNotFoundException when the exchange does not exist
     * @throws InvalidMessageException when the routing key is too long
     * @throws BrokerUnavailableException when the broker cannot be reached now
     */
    void publish(String exchange, String routingKey, Message message);

    /**
     * Publishes a message without waiting: the future completes when the broker has it, or exceptionally with
     * the exceptions {@link #publish} throws. Messages published from one thread reach a queue in order.
     *
     * @param exchange the exchange, {@code ""} for the default exchange
     * @param routingKey the routing key
     * @param message the message
     * @return the confirmation
     * @throws InvalidMessageException when the routing key is too long (nothing was sent)
     * @throws BrokerClosedException when the broker is closed
     */
    CompletableFuture<Void> publishAsync(String exchange, String routingKey, Message message);

    // ------------------------------------------------------------------------------------------
    // consume

    /**
     * Starts consuming from one or more queues; deliveries go to {@code handler} one at a time, in order.
     *
     * @param queues the queues, at least one, each existing
     * @param options the prefetch limit (across all the queues) and acknowledgement mode
     * @param handler receives every delivery
     * @return the subscription; cancel it to stop
     * @throws QueueNotFoundException when a queue does not exist (nothing is consumed)
     * @throws InvalidDeclarationException when no queue is given
     */
    Subscription consume(List<String> queues, ConsumeOptions options, DeliveryHandler handler);

    /**
     * Closes every subscription (their unsettled deliveries go back to their queues), waits a short while for
     * publishes awaiting their confirmation, fails the rest with {@link BrokerClosedException}, disconnects and
     * stops every thread of the broker. Closing twice does nothing.
     */
    @Override
    void close();
}
