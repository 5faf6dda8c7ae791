package io.celeriac.backend.redis.internal;

import io.celeriac.backend.redis.RedisConnectionConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Opens the sockets of every Jedis connection of a backend: TCP with the configured connect timeout,
 * read timeout and keepalive; TLS on top with the backend's {@link SSLContext} (host name checked unless
 * {@code ssl_check_hostname=false} or {@code ssl_cert_reqs=none}); or a unix domain socket. Failures are
 * {@link JedisConnectionException}s, as Jedis expects. Thread-safe.
 */
public final class SocketFactory implements JedisSocketFactory {

    private final Supplier<HostAndPort> target;
    private final Path unixSocket;
    private final int connectTimeoutMillis;
    private final int socketTimeoutMillis;
    private final boolean keepalive;
    private final SSLContext ssl;
    private final boolean checkHostname;
    private final Runnable onConnected;

    private SocketFactory(Supplier<HostAndPort> target, Path unixSocket, Duration connectTimeout, Duration socketTimeout,
                          boolean keepalive, SSLContext ssl, boolean checkHostname, Runnable onConnected) {
        this.target = target;
        this.unixSocket = unixSocket;
        this.connectTimeoutMillis = millis(connectTimeout);
        this.socketTimeoutMillis = millis(socketTimeout);
        this.keepalive = keepalive;
        this.ssl = ssl;
        this.checkHostname = checkHostname;
        this.onConnected = onConnected;
    }

    /**
     * A factory for the configured transport.
     *
     * @param config the configuration
     * @param target where TCP connections go (for sentinels: the current master, asked on every connect)
     * @param ssl the TLS context for {@code rediss://}, else {@code null}
     * @return the factory
     */
    public static SocketFactory of(RedisConnectionConfig config, Supplier<HostAndPort> target, SSLContext ssl) {
        return new SocketFactory(target, config.socketPath(), config.connectTimeout(), config.socketTimeout(),
                config.socketKeepalive(), ssl, config.checkHostname(), () -> { });
    }

    /**
     * This factory, telling {@code listener} each time a connection to the server is made (TCP connected, and
     * the TLS handshake done); a failure to make one is a {@link ConnectFailedException}.
     *
     * @param listener called after each connection made, on the connecting thread; must not block
     * @return a factory
     */
    public SocketFactory onConnected(Runnable listener) {
        return new SocketFactory(target, unixSocket, Duration.ofMillis(connectTimeoutMillis), Duration.ofMillis(socketTimeoutMillis),
                keepalive, ssl, checkHostname, Objects.requireNonNull(listener, "listener"));
    }

    /**
     * This factory with another read timeout (the subscriber connection waits longer than a command).
     *
     * @param socketTimeout the read timeout
     * @param keepaliveOn whether to use TCP keepalive
     * @return a factory
     */
    public SocketFactory withReadTimeout(Duration socketTimeout, boolean keepaliveOn) {
        return new SocketFactory(target, unixSocket, Duration.ofMillis(connectTimeoutMillis), socketTimeout,
                keepaliveOn, ssl, checkHostname, onConnected);
    }

    /**
     * A duration as a socket timeout: whole milliseconds, at least 1, at most {@link Integer#MAX_VALUE}.
     *
     * @param d the duration
     * @return the milliseconds
     */
    static int millis(Duration d) {
        long ms = d.toMillis();
        return ms > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(1, ms);
    }

    @Override
    public Socket createSocket() throws JedisConnectionException {
        if (unixSocket != null) {
            try {
                UnixDomainSocket s = UnixDomainSocket.connect(unixSocket);
                s.setSoTimeout(socketTimeoutMillis);
                onConnected.run();
                return s;
            } catch (IOException | RuntimeException e) {
                throw new ConnectFailedException("Failed to connect to the unix socket " + unixSocket + ": " + e.getMessage(), e);
            }
        }
        HostAndPort hp = Objects.requireNonNull(target.get(), "no Redis address is known");
        IOException last = null;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(hp.getHost());
        } catch (IOException e) {
            throw new ConnectFailedException("Failed to resolve " + hp.getHost() + ": " + e.getMessage(), e);
        }
        for (InetAddress address : addresses) {
            Socket s = new Socket();
            try {
                s.setReuseAddress(true);
                s.setKeepAlive(keepalive);
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(address, hp.getPort()), connectTimeoutMillis);
                if (ssl == null) {
                    s.setSoTimeout(socketTimeoutMillis);
                    onConnected.run();
                    return s;
                }
                // the handshake is part of connecting: a server that does not speak TLS (a plain Redis waits for
                // the end of a command line that never comes) fails within the connect timeout
                s.setSoTimeout(connectTimeoutMillis);
                SSLSocket tls = (SSLSocket) ssl.getSocketFactory().createSocket(s, hp.getHost(), hp.getPort(), true);
                if (checkHostname) {
                    SSLParameters p = tls.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    tls.setSSLParameters(p);
                }
                try {
                    tls.startHandshake();
                } catch (java.net.SocketTimeoutException e) {
                    throw new javax.net.ssl.SSLException("no TLS handshake reply within socket_connect_timeout ("
                            + connectTimeoutMillis + " ms): is the server listening for TLS on this port?", e);
                }
                tls.setSoTimeout(socketTimeoutMillis);
                onConnected.run();
                return tls;
            } catch (IOException e) {
                last = e;
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already failing
                }
                if (e instanceof javax.net.ssl.SSLException) {
                    break; // the server answered; another address of the same host will not help
                }
            }
        }
        throw new ConnectFailedException("Failed to connect to " + hp + (last == null ? "" : ": " + last.getMessage()), last);
    }

    @Override
    public String toString() {
        return unixSocket != null ? "unix:" + unixSocket : (ssl != null ? "tls:" : "tcp:") + target.get();
    }
}
