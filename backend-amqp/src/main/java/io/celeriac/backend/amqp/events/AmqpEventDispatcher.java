package io.celeriac.backend.amqp.events;

import io.celeriac.backend.amqp.broker.internal.AmqpBroker;
import io.celeriac.backend.amqp.events.internal.EventMessages;
import io.celeriac.backend.amqp.internal.AmqpConnections;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.PublishFailedException;
import io.celeriac.events.spi.AbstractEventDispatcher;
import io.celeriac.state.LamportClock;
import io.celeriac.url.BackendUrl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Publishes the events of a Java service on RabbitMQ exactly as Celery's {@code EventDispatcher} does on kombu's
 * pyamqp transport, so that {@code celery events}, Flower, Python's {@code EventReceiver} and {@code State}, and
 * celeriac's event sources see it as a worker: worker-online, worker-heartbeat and worker-offline (with
 * {@code freq}, {@code active}, {@code processed}, {@code loadavg}, {@code sw_ident}, {@code sw_ver},
 * {@code sw_sys}) and the task events (task-sent, -received, -started, -succeeded, -failed, -retried, -revoked).
 *
 * <p>Every event carries Celery's fields {@code hostname}, {@code utcoffset} (hours west of UTC), {@code pid},
 * {@code clock} (the next value of the dispatcher's {@link LamportClock}), {@code timestamp} (epoch seconds) and
 * {@code type}, in Celery's order. It is published on the topic exchange {@code celeryev} (declared durable, as
 * Celery declares it, when the dispatcher is built) with the routing key Celery uses, the type with {@code -}
 * replaced by {@code .} ({@code worker.heartbeat}, {@code task.succeeded}): the JSON body as it is,
 * {@code content_type application/json}, {@code content_encoding utf-8}, the header {@code hostname}, transient,
 * priority 0. Task events go one per message; {@link #sendBatch} sends several in one {@code task.multi} message,
 * as Celery's worker buffers them. Receivers accept both.
 *
 * <p>It publishes through the module's RabbitMQ broker: every publish waits for RabbitMQ's confirmation, and the
 * connection is recovered after a cut or a broker restart. {@link #startHeartbeat()} sends worker-online and then
 * worker-heartbeat every {@code freq} seconds (default 2.0); {@link #close()} then sends worker-offline.
 * {@code active} and {@code processed} count the tasks this dispatcher reported: a task-received adds one to both,
 * a task-succeeded, -failed, -retried or -revoked ends an active task.
 *
 * <p>A publish while the broker cannot be reached raises {@link BrokerUnavailableException} (a
 * {@link io.celeriac.ServiceUnavailableException}); one the broker refused or did not confirm in time raises
 * {@link PublishFailedException}. A heartbeat that fails is logged at most every 10 seconds and the timer goes on.
 * Thread-safe; text never shows the password.
 */
public final class AmqpEventDispatcher extends AbstractEventDispatcher {

    /** Celery's routing key of a batch of task events. */
    public static final String MULTI = "task.multi";

    private final String exchange;
    private final Broker broker;

    private AmqpEventDispatcher(AmqpEventDispatcherConfig config, Builder b) {
        super(b, config.masked());
        this.exchange = config.exchange();
        AmqpBroker opened = new AmqpBroker(config.broker().withPools(Math.min(4, config.broker().channelPoolSize()), 1));
        try {
            opened.declareExchange(EventMessages.exchange(exchange));
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        this.broker = opened;
    }

    /**
     * Starts configuring a dispatcher.
     *
     * @param brokerUrl the broker URL ({@code amqp://}, {@code amqps://}, {@code pyamqp://}, {@code librabbitmq://})
     * @return the builder
     */
    public static Builder builder(BackendUrl brokerUrl) {
        return new Builder(Objects.requireNonNull(brokerUrl, "brokerUrl"), null);
    }

    /**
     * Starts configuring a dispatcher from a configuration read earlier.
     *
     * @param config the broker's connection and event settings
     * @return the builder
     */
    public static Builder builder(AmqpEventDispatcherConfig config) {
        return new Builder(null, Objects.requireNonNull(config, "config"));
    }

    /**
     * Configures an {@link AmqpEventDispatcher}: the common settings of {@link AbstractEventDispatcher.BaseBuilder}
     * ({@code options} are connection and event settings, as for an event source, see
     * {@link AmqpEventDispatcherConfig}). Not thread-safe.
     */
    public static final class Builder extends AbstractEventDispatcher.BaseBuilder<Builder> {
        private final BackendUrl url;
        private final AmqpEventDispatcherConfig config;

        private Builder(BackendUrl url, AmqpEventDispatcherConfig config) {
            this.url = url;
            this.config = config;
        }

        /**
         * Connects and declares the event exchange.
         *
         * @return the dispatcher; close it
         * @throws io.celeriac.InvalidConfigurationException listing every problem of the URL and options, or when
         *         the TLS files cannot be used
         * @throws BrokerUnavailableException when the broker cannot be reached
         * @throws io.celeriac.broker.DeclarationConflictException when the exchange exists with other flags
         */
        public AmqpEventDispatcher build() {
            return new AmqpEventDispatcher(config != null ? config : AmqpEventDispatcherConfig.parse(url, sourceOptions()),
                    this);
        }
    }

    /**
     * Sends several events in one message, as Celery's worker flushes its buffered task events: a JSON list under
     * the routing key {@value #MULTI} ({@code <group>.multi}). Each event is built as by {@link #send}, with its
     * own clock value.
     *
     * @param events the events, each a type and its own fields, in order
     * @return the events as sent
     * @throws BrokerUnavailableException when the broker cannot be reached
     * @throws PublishFailedException when the broker refused the message or did not confirm it in time
     * @throws IllegalStateException when the dispatcher is closed
     */
    public List<Map<String, Object>> sendBatch(List<? extends Map.Entry<String, ? extends Map<String, ?>>> events) {
        Objects.requireNonNull(events, "events");
        List<Map<String, Object>> out = new ArrayList<>(events.size());
        for (Map.Entry<String, ? extends Map<String, ?>> e : events) {
            out.add(newEvent(e.getKey(), e.getValue()));
        }
        publishBody(MULTI, out);
        return out;
    }

    /**
     * Publishes one event with the routing key Celery uses for its type.
     *
     * @param type the event type
     * @param event the event
     * @throws BrokerUnavailableException when the broker cannot be reached
     * @throws PublishFailedException when the broker refused the message or did not confirm it in time
     */
    @Override
    protected void publish(String type, Map<String, Object> event) {
        publishBody(EventMessages.routingKey(type), event);
    }

    private void publishBody(String routingKey, Object body) {
        try {
            broker.publish(exchange, routingKey, EventMessages.event(body, hostname()));
        } catch (PublishFailedException e) {
            if (!broker.isConnected()) {
                throw new BrokerUnavailableException(location(), "cannot publish the event: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    @Override
    protected ThreadFactory heartbeatThreads() {
        return AmqpConnections.threads("heartbeat");
    }

    @Override
    protected void closeTransport() {
        broker.close();
    }

    /** @return the exchange the events are published on, {@code celeryev} by default */
    public String exchange() {
        return exchange;
    }

    /**
     * The routing key an event type is published with.
     *
     * @param type the event type
     * @return the routing key, e.g. {@code worker.heartbeat}
     */
    public static String routingKey(String type) {
        return EventMessages.routingKey(type);
    }

    @Override
    public String toString() {
        return "AmqpEventDispatcher[" + hostname() + " -> " + location() + " " + exchange + "]";
    }
}
