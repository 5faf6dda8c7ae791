package io.celeriac.backend.redis.internal;

import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A connection to Redis could not be made at all (refused, an unknown host, no reply to the connect, a unix socket
 * that is not there), as opposed to one that was made and then lost. {@link RedisErrors} fails such an error fast
 * while the server has never been reached.
 */
public final class ConnectFailedException extends JedisConnectionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param cause the I/O error
     */
    public ConnectFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
