package io.celeriac.backend.redis.internal;

import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.redis.RedisConnectionConfig;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.commons.pool2.PooledObject;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.providers.PooledConnectionProvider;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The Jedis side of every area of this module (result backend, state store, events, broker): one thread-safe client
 * with a bounded connection pool ({@link RedisClient}, or {@link RedisSentinelClient} for sentinels) for every
 * command, and fresh dedicated connections for subscribers and blocking consumers. Every connection speaks RESP2, as redis-py does, and skips
 * {@code CLIENT SETINFO}.
 */
public final class RedisConnections implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);

    private final RedisConnectionConfig config;
    private final JedisClientConfig clientConfig;
    private final UnifiedJedis client;
    private final SocketFactory subscriberSockets;
    private final PasswordCheck passwordCheck;

    private RedisConnections(RedisConnectionConfig config, JedisClientConfig clientConfig, UnifiedJedis client,
                             SocketFactory subscriberSockets, PasswordCheck passwordCheck) {
        this.config = config;
        this.clientConfig = clientConfig;
        this.client = client;
        this.subscriberSockets = subscriberSockets;
        this.passwordCheck = passwordCheck;
    }

    /**
     * Creates the client. Only sentinels are contacted now (to find the master); other transports connect
     * on first use.
     *
     * @param config the configuration
     * @param ssl the TLS context for {@code rediss://}, else {@code null}
     * @param errors translates connection failures
     * @return the connections
     * @throws ServiceUnavailableException (the area's, see {@link RedisErrors}) when no sentinel answers
     */
    public static RedisConnections open(RedisConnectionConfig config, SSLContext ssl, RedisErrors errors) {
        JedisClientConfig clientConfig = clientConfig(config, config.username(), config.password(), config.database(),
                config.clientName());
        GenericObjectPoolConfig<Connection> pool = poolConfig(config);
        if (config.transport() == RedisConnectionConfig.Transport.SENTINEL) {
            Set<HostAndPort> sentinels = new LinkedHashSet<>();
            for (RedisConnectionConfig.Endpoint e : config.endpoints()) {
                sentinels.add(new HostAndPort(e.host(), e.port()));
            }
            JedisClientConfig sentinelConfig = clientConfig(config, config.sentinelUsername(), config.sentinelPassword(), 0,
                    config.clientName());
            RedisSentinelClient c;
            try {
                c = RedisSentinelClient.builder().masterName(config.masterName()).sentinels(sentinels)
                        .clientConfig(clientConfig).sentinelClientConfig(sentinelConfig).poolConfig(pool).build();
            } catch (RuntimeException e) {
                RuntimeException t = errors.translate(e);
                throw t instanceof ServiceUnavailableException ? t
                        : errors.unavailable("no sentinel of " + config.endpoints()
                        + " knows the master '" + config.masterName() + "': " + errors.scrub(e.getMessage()), e);
            }
            Supplier<HostAndPort> master = c::getCurrentMaster;
            errors.markReached(); // the sentinels answered: a refused master is a failover, worth retrying
            return new RedisConnections(config, clientConfig, c, SocketFactory.of(config, master, null), null);
        }
        HostAndPort hp = config.endpoint().map(e -> new HostAndPort(e.host(), e.port()))
                .orElse(new HostAndPort("localhost", 0));
        SocketFactory sockets = SocketFactory.of(config, () -> hp, ssl).onConnected(errors::markReached);
        PasswordCheck check = new PasswordCheck(config, errors);
        PooledConnectionProvider provider = new PooledConnectionProvider(new CheckingFactory(sockets, clientConfig, check), pool);
        RedisClient c = RedisClient.builder().hostAndPort(hp).clientConfig(clientConfig).connectionProvider(provider).build();
        return new RedisConnections(config, clientConfig, c, sockets, check);
    }

    /**
     * Creates the client of one area (backend, state store, event source or dispatcher, broker) with the TLS
     * context that the configuration asks for (and a warning when {@code ssl_cert_reqs=CERT_NONE}): the one way
     * every area of this module connects.
     *
     * @param config the configuration
     * @param errors translates connection failures (its masked URI names the TLS files' owner in errors)
     * @return the connections
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     * @throws ServiceUnavailableException (the area's, see {@link RedisErrors}) when no sentinel answers
     */
    public static RedisConnections open(RedisConnectionConfig config, RedisErrors errors) {
        SSLContext ssl = config.transport() == RedisConnectionConfig.Transport.TLS
                ? PemTls.context(config, errors.maskedUri()) : null;
        if (config.certRequirement() == RedisConnectionConfig.CertRequirement.NONE) {
            LOG.warn("ssl_cert_reqs=CERT_NONE for {}: the server's certificate is not verified, which leaves the "
                    + "connection open to man-in-the-middle attacks", errors.maskedUri());
        }
        return open(config, ssl, errors);
    }

    private static JedisClientConfig clientConfig(RedisConnectionConfig config, String user, String password, int db, String name) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .resp2()
                .connectionTimeoutMillis(SocketFactory.millis(config.connectTimeout()))
                .socketTimeoutMillis(SocketFactory.millis(config.socketTimeout()))
                .database(db)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        if (user != null) {
            b.user(user);
        }
        if (password != null) {
            b.password(password);
        }
        if (name != null) {
            b.clientName(name);
        }
        return b.build();
    }

    private static GenericObjectPoolConfig<Connection> poolConfig(RedisConnectionConfig config) {
        GenericObjectPoolConfig<Connection> pc = new GenericObjectPoolConfig<>();
        pc.setMaxTotal(config.maxConnections());
        pc.setMaxIdle(config.maxConnections());
        pc.setMinIdle(0);
        pc.setJmxEnabled(false);
        pc.setBlockWhenExhausted(true);
        pc.setMaxWait(config.socketTimeout());
        pc.setTestOnBorrow(false);
        pc.setTestOnReturn(false);
        Duration hc = config.healthCheckInterval();
        if (!hc.isZero()) {
            pc.setTestWhileIdle(true);
            pc.setTimeBetweenEvictionRuns(hc);
            pc.setNumTestsPerEvictionRun(-1);
        } else {
            pc.setTestWhileIdle(false);
            pc.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        }
        return pc;
    }

    /** Makes pooled connections, and has the first one checked. */
    private static final class CheckingFactory extends ConnectionFactory {
        private final PasswordCheck check;

        CheckingFactory(SocketFactory sockets, JedisClientConfig clientConfig, PasswordCheck check) {
            super(sockets, clientConfig);
            this.check = check;
        }

        @Override
        public PooledObject<Connection> makeObject() throws Exception {
            PooledObject<Connection> made = super.makeObject();
            check.once(made.getObject());
            return made;
        }
    }

    /**
     * Warns, once, when the URL gives a password for Redis's {@code default} user and the server has none: Jedis
     * accepts such a connection silently (redis-py fails with Redis's answer), but the URL is wrong; the day the
     * server gets a password, it will be a different one.
     */
    static final class PasswordCheck {
        private final RedisConnectionConfig config;
        private final RedisErrors errors;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile String warning;

        PasswordCheck(RedisConnectionConfig config, RedisErrors errors) {
            this.config = config;
            this.errors = errors;
            boolean defaultUser = config.username() == null || "default".equals(config.username());
            if (config.password() == null || !defaultUser) {
                done.set(true);
            }
        }

        void once(Connection c) {
            if (done.get() || !done.compareAndSet(false, true)) {
                return;
            }
            try {
                c.executeCommand(new CommandArguments(Protocol.Command.AUTH).add(config.password()));
            } catch (JedisDataException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("without any password configured") || m.contains("no password is set")) {
                    warning = "The URL " + errors.maskedUri() + " gives a password, but the Redis it reaches needs none "
                            + "(Redis answered: " + errors.scrub(m) + "); the password is ignored. Check the URL: "
                            + "Python's redis client refuses this connection";
                    LOG.warn(warning);
                }
            } catch (RuntimeException e) {
                LOG.debug("Could not check the password of {}: {}", errors.maskedUri(), e.toString());
            }
        }
    }

    /** @return the pooled, thread-safe client */
    public UnifiedJedis client() {
        return client;
    }

    /**
     * Opens a dedicated connection (to the current master with sentinels) for a subscriber or for a broker's
     * blocking consumer ({@code BRPOP}), which must not hold a pooled connection while it waits.
     *
     * The handshake (authentication, database, client name) waits for each reply no longer than
     * {@code socket_timeout} (or {@code readTimeout} when shorter), as every pooled call does, so that a server
     * that accepts connections and never answers fails the subscriber within the configured timeout; only
     * then does the connection take the longer read timeout of a subscriber that listens.
     *
     * @param readTimeout how long a read may wait before the connection counts as dead
     * @return the connection, authenticated and on the right database
     */
    public PubSubConnection newSubscriberConnection(Duration readTimeout) {
        Duration handshake = config.socketTimeout().compareTo(readTimeout) < 0 ? config.socketTimeout() : readTimeout;
        PubSubConnection c = new PubSubConnection(subscriberSockets.withReadTimeout(handshake, true), clientConfig);
        try {
            c.setSoTimeout(SocketFactory.millis(readTimeout));
        } catch (RuntimeException e) {
            c.shutdown();
            throw e;
        }
        return c;
    }

    /**
     * Opens a dedicated connection (to the current master with sentinels) for a {@link SharedPipeline}: reads wait
     * no longer than {@code socket_timeout}, as every pooled call does.
     *
     * @return the connection, authenticated and on the right database
     */
    public PubSubConnection newPipelineConnection() {
        PubSubConnection c = new PubSubConnection(subscriberSockets, clientConfig);
        if (passwordCheck != null) {
            passwordCheck.once(c);
        }
        return c;
    }

    /** @return the configuration */
    public RedisConnectionConfig config() {
        return config;
    }

    @Override
    public void close() {
        client.close();
    }
}
