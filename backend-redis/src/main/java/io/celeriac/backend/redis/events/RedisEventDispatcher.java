package io.celeriac.backend.redis.events;

import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.backend.redis.events.internal.EventChannels;
import io.celeriac.backend.redis.internal.KombuEnvelope;
import io.celeriac.backend.redis.internal.RedisConnections;
import io.celeriac.backend.redis.internal.RedisErrors;
import io.celeriac.events.spi.AbstractEventDispatcher;
import io.celeriac.state.LamportClock;
import io.celeriac.url.BackendUrl;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * Publishes the events of a Java service on a Redis broker exactly as Celery's {@code EventDispatcher} does, so
 * that {@code celery events}, Flower, Python's {@code EventReceiver} and {@code State}, and celeriac's
 * Redis event source see it as a worker: worker-online, worker-heartbeat and worker-offline (with
 * {@code freq}, {@code active}, {@code processed}, {@code loadavg}, {@code sw_ident}, {@code sw_ver},
 * {@code sw_sys}) and the task events (task-sent, -received, -started, -succeeded, -failed, -retried, -revoked).
 *
 * <p>Every event carries Celery's fields {@code hostname}, {@code utcoffset} (hours west of UTC),
 * {@code pid}, {@code clock} (the next value of the dispatcher's {@link LamportClock}), {@code timestamp}
 * (epoch seconds) and {@code type}, in Celery's order. It is wrapped in kombu's JSON envelope (base64 body,
 * {@code application/json}, header {@code hostname}) and sent with {@code PUBLISH} on kombu's fanout channel
 * of the {@code celeryev} exchange for the routing key Celery uses: the type with {@code -} replaced by
 * {@code .}, e.g. {@code /0.celeryev/worker.heartbeat}. The transport options {@code fanout_prefix},
 * {@code fanout_patterns} and {@code global_keyprefix} apply as for the event source ({@link RedisEventDispatcherConfig}). Task events are
 * published one per message (Celery's worker batches them as {@code task.multi}; receivers accept both).
 *
 * <p>{@link #startHeartbeat()} sends worker-online and then worker-heartbeat every {@code freq} seconds (default
 * 2.0); {@link #close()} then sends worker-offline. {@code active} and {@code processed} count the tasks this
 * dispatcher reported: a task-received adds one to both, a task-succeeded, -failed, -retried or -revoked ends an
 * active task. A publish that fails raises {@link io.celeriac.ServiceUnavailableException} (a heartbeat
 * that fails is logged at most every 10 seconds and the timer goes on). Thread-safe.
 */
public final class RedisEventDispatcher extends AbstractEventDispatcher {

    private final EventChannels channels;
    private final RedisErrors errors;
    private final RedisConnections connections;

    private RedisEventDispatcher(RedisEventDispatcherConfig config, Builder b) {
        super(b, config.url().masked());
        RedisConnectionConfig rc = config.connection();
        this.channels = EventChannels.of(rc, config.fanoutPrefix(), config.fanoutPatterns());
        this.errors = new RedisErrors(location(), config.url(), rc, RedisErrors.SERVICE);
        this.connections = RedisConnections.open(rc, errors);
    }

    /**
     * Starts configuring a dispatcher.
     *
     * @param brokerUrl the broker URL ({@code redis://}, {@code rediss://}, {@code socket://}, {@code sentinel://})
     * @return the builder
     */
    public static Builder builder(BackendUrl brokerUrl) {
        return new Builder(Objects.requireNonNull(brokerUrl, "brokerUrl"), null);
    }

    /**
     * Starts configuring a dispatcher from a configuration read earlier.
     *
     * @param config the broker's connection and transport options
     * @return the builder
     */
    public static Builder builder(RedisEventDispatcherConfig config) {
        return new Builder(null, Objects.requireNonNull(config, "config"));
    }

    /**
     * Configures a {@link RedisEventDispatcher}: the common settings of {@link AbstractEventDispatcher.BaseBuilder}
     * ({@code options} are connection settings and transport options, as for a Redis event source, see
     * {@link RedisEventDispatcherConfig}). Not thread-safe.
     */
    public static final class Builder extends AbstractEventDispatcher.BaseBuilder<Builder> {
        private final BackendUrl url;
        private final RedisEventDispatcherConfig config;

        private Builder(BackendUrl url, RedisEventDispatcherConfig config) {
            this.url = url;
            this.config = config;
        }

        /**
         * Opens the dispatcher (it connects on the first publish).
         *
         * @return the dispatcher; close it
         * @throws io.celeriac.url.InvalidUrlException listing every problem of the URL and options
         * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
         * @throws io.celeriac.ServiceUnavailableException when no sentinel answers
         */
        public RedisEventDispatcher build() {
            return new RedisEventDispatcher(config != null ? config : RedisEventDispatcherConfig.parse(url, sourceOptions()),
                    this);
        }
    }

    @Override
    protected void publish(String type, Map<String, Object> event) {
        String routingKey = type.replace('-', '.');
        byte[] channel = channels.publishChannel(routingKey).getBytes(StandardCharsets.UTF_8);
        byte[] message = KombuEnvelope.encodeEvent(event, EventChannels.EXCHANGE, routingKey, hostname());
        try {
            connections.client().publish(channel, message);
        } catch (RuntimeException e) {
            throw errors.translate(e);
        }
    }

    @Override
    protected void closeTransport() {
        connections.close();
    }

    /**
     * The channel an event type is published on.
     *
     * @param type the event type
     * @return the channel, e.g. {@code /0.celeryev/worker.heartbeat}
     */
    public String channel(String type) {
        return channels.publishChannel(type.replace('-', '.'));
    }
}
