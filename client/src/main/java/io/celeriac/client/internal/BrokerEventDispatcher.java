package io.celeriac.client.internal;

import io.celeriac.broker.Broker;
import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.Message;
import io.celeriac.events.spi.AbstractEventDispatcher;
import io.celeriac.json.CeleryJson;

import java.util.Map;
import java.util.Set;

/**
 * Sends a client's events ({@code task-sent}) through the client's own {@link Broker}, as Celery's producer-side
 * {@code EventDispatcher} does: to the {@code celeryev} exchange (topic and durable; fanout on Redis, where kombu
 * switches the event exchange to fanout) with the routing key derived from the type, a JSON body, the header
 * {@code hostname} and delivery mode 1. Thread-safe. Closing it leaves the broker open (the client owns it).
 */
public final class BrokerEventDispatcher extends AbstractEventDispatcher {

    private static final Set<String> FANOUT_SCHEMES = Set.of("redis", "rediss", "sentinel", "socket");

    private final Broker broker;

    /**
     * A dispatcher on a broker; declares the event exchange.
     *
     * @param broker the client's broker
     * @param hostname the sender's name, {@code gen<pid>@<host>} as Celery's client
     */
    public BrokerEventDispatcher(Broker broker, String hostname) {
        super(new Settings().hostname(hostname), broker.asUri());
        this.broker = broker;
        String uri = broker.asUri();
        int i = uri.indexOf("://");
        String scheme = i < 0 ? uri : uri.substring(0, i);
        broker.declareExchange(FANOUT_SCHEMES.contains(scheme) ? ExchangeSpec.fanout(CeleryTopology.EVENT_EXCHANGE)
                : CeleryTopology.eventExchange());
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
        // the broker belongs to the client
    }

    /** The common dispatcher settings. */
    private static final class Settings extends AbstractEventDispatcher.BaseBuilder<Settings> {
    }
}
