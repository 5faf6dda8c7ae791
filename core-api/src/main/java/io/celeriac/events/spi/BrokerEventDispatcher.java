package io.celeriac.events.spi;

import io.celeriac.broker.Broker;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.Message;
import io.celeriac.json.CeleryJson;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Sends events through an open {@link Broker}, as Celery's {@code EventDispatcher} does: to the {@code celeryev}
 * exchange (topic and durable; fanout on Redis, where kombu switches the event exchange to fanout) with the
 * routing key derived from the type, a JSON body, the header {@code hostname} and delivery mode 1. Used by the
 * client ({@code task-sent}) and the worker (worker and task events). Thread-safe. Closing it sends
 * worker-offline when the heartbeat was started, and leaves the broker open (the caller owns it).
 */
public final class BrokerEventDispatcher extends AbstractEventDispatcher {

    private static final Set<String> FANOUT_SCHEMES = Set.of("redis", "rediss", "sentinel", "socket", "memory");

    private final Broker broker;

    private BrokerEventDispatcher(Builder b) {
        super(b, b.broker.asUri());
        this.broker = b.broker;
        broker.declareExchange(isFanout(broker) ? ExchangeSpec.fanout(CeleryTopology.EVENT_EXCHANGE)
                : CeleryTopology.eventExchange());
    }

    /**
     * A dispatcher on a broker with the default settings but the hostname; declares the event exchange.
     *
     * @param broker the broker (stays open when the dispatcher closes)
     * @param hostname the sender's name, e.g. {@code gen<pid>@<host>} for a client, {@code java1@host} for a worker
     */
    public BrokerEventDispatcher(Broker broker, String hostname) {
        this(builder(broker).hostname(hostname));
    }

    /**
     * A builder for a dispatcher on a broker.
     *
     * @param broker the broker (stays open when the dispatcher closes)
     * @return the builder
     */
    public static Builder builder(Broker broker) {
        return new Builder(broker);
    }

    /**
     * Whether kombu uses a fanout event exchange on this broker (Redis and the in-memory broker; topic elsewhere).
     *
     * @param broker the broker
     * @return {@code true} for fanout
     */
    public static boolean isFanout(Broker broker) {
        String uri = broker.asUri();
        int i = uri.indexOf("://");
        return FANOUT_SCHEMES.contains(i < 0 ? uri : uri.substring(0, i));
    }

    @Override
    protected void publish(String type, Map<String, Object> event) {
        Message m = Message.builder().body(CeleryJson.encode(event)).contentType("application/json")
                .contentEncoding("utf-8").header("hostname", hostname()).deliveryMode(Message.TRANSIENT).priority(0)
                .build();
        broker.publish(CeleryTopology.EVENT_EXCHANGE, CeleryTopology.eventRoutingKey(type), m);
    }

    @Override
    protected void closeTransport() {
        // the broker belongs to the caller
    }

    /** Settings of a {@link BrokerEventDispatcher}: hostname, pid, clock, heartbeat interval. Not thread-safe. */
    public static final class Builder extends AbstractEventDispatcher.BaseBuilder<Builder> {
        private final Broker broker;

        private Builder(Broker broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
        }

        /**
         * Declares the event exchange and builds the dispatcher.
         *
         * @return the dispatcher
         * @throws io.celeriac.broker.BrokerUnavailableException when the exchange cannot be declared
         */
        public BrokerEventDispatcher build() {
            return new BrokerEventDispatcher(this);
        }
    }
}
