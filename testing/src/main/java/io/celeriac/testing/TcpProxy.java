package io.celeriac.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * A loopback TCP relay in front of a real server, to cut connections on purpose: {@link #cutAll()} closes
 * every relayed connection, and while {@linkplain #accepting(boolean) not accepting} new connections are
 * closed as soon as they arrive; {@link #loseReplyOnceWhen(BooleanSupplier)} loses a reply the server sent
 * (it executed the request, the client never hears so). Real sockets and a real server: the fault is the
 * network's, not a mock's. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean accepting = true;
    private volatile boolean closed;
    private final AtomicReference<BooleanSupplier> loseWhen = new AtomicReference<>();
    private final AtomicBoolean replyLost = new AtomicBoolean();
    private final Thread acceptor;

    /**
     * Starts relaying from a free loopback port to a target.
     *
     * @param targetHost the server's host
     * @param targetPort the server's port
     * @throws IOException when no port can be bound
     */
    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.acceptor = new Thread(this::acceptLoop, "test-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return the loopback port clients connect to */
    public int port() {
        return server.getLocalPort();
    }

    /**
     * Whether new connections are relayed; when not, they are closed as soon as they arrive.
     *
     * @param on whether to relay new connections
     */
    public void accepting(boolean on) {
        accepting = on;
    }

    /**
     * Once: the first reply from the server that arrives while {@code serverState} holds (checked as each
     * reply arrives, on a connection of the caller's own) is not passed on; its connection is cut instead.
     */
    public void loseReplyOnceWhen(BooleanSupplier serverState) {
        replyLost.set(false);
        loseWhen.set(serverState);
    }

    /** @return whether a reply was lost since {@link #loseReplyOnceWhen(BooleanSupplier)} */
    public boolean replyLost() {
        return replyLost.get();
    }

    /** Closes every relayed connection. */
    public void cutAll() {
        for (Socket s : open) {
            close(s);
        }
        open.clear();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (!accepting) {
                close(client);
                continue;
            }
            try {
                Socket upstream = new Socket(targetHost, targetPort);
                open.add(client);
                open.add(upstream);
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException e) {
                close(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    BooleanSupplier when = loseWhen.get();
                    if (replies && when != null && when.getAsBoolean() && loseWhen.compareAndSet(when, null)) {
                        replyLost.set(true);
                        break; // the reply is lost: the connection is cut before the client reads it
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut
            } finally {
                close(from);
                close(to);
                open.remove(from);
                open.remove(to);
            }
        }, "test-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        cutAll();
    }
}
