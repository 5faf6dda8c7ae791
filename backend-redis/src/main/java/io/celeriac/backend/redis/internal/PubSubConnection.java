package io.celeriac.backend.redis.internal;

import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A Jedis connection used raw: authenticated and initialized as any other, then one thread writes while another
 * reads — a subscriber's SUBSCRIBE, UNSUBSCRIBE and PING beside its messages, or the commands of a
 * {@link SharedPipeline} beside their replies. Once
 * {@linkplain #shutdown() shut down} it never connects again (a plain Jedis connection would silently
 * reconnect on the next write, uninitialized).
 */
public final class PubSubConnection extends Connection {

    private volatile boolean shutdown;

    /**
     * Connects, authenticates and selects the database.
     *
     * @param sockets opens the socket
     * @param config credentials, database, client name
     * @throws JedisConnectionException when Redis cannot be reached
     */
    public PubSubConnection(JedisSocketFactory sockets, JedisClientConfig config) {
        super(sockets, config);
    }

    @Override
    public void connect() throws JedisConnectionException {
        if (shutdown) {
            throw new JedisConnectionException("the subscriber connection was closed");
        }
        super.connect();
    }

    /**
     * Writes a command into the output buffer (see {@link #flushOut()}).
     *
     * @param command the command
     * @param args its arguments
     */
    public void write(ProtocolCommand command, byte[]... args) {
        sendCommand(command, args);
    }

    /**
     * Writes a command into the output buffer (see {@link #flushOut()}).
     *
     * @param args the command and its arguments
     */
    public void write(CommandArguments args) {
        sendCommand(args);
    }

    /** Sends what was written. */
    public void flushOut() {
        flush();
    }

    /**
     * Reads the next reply or message, blocking up to the socket's read timeout.
     *
     * @return the reply
     */
    public Object readReply() {
        return getUnflushedObject();
    }

    /** Closes the socket for good; a reader blocked on it fails at once. */
    public void shutdown() {
        shutdown = true;
        try {
            disconnect();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
    }
}
