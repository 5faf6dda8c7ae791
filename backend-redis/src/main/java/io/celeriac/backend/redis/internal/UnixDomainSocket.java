package io.celeriac.backend.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@link java.net.Socket} over a unix domain socket, for Jedis, whose connections are built on
 * {@code java.net.Socket}: Java 17 reaches {@code AF_UNIX} only through {@link SocketChannel}, so this
 * adapter drives a non-blocking channel with one selector for reads (honouring {@link #setSoTimeout}) and
 * one for writes. One thread may read while another writes; closing wakes both.
 */
final class UnixDomainSocket extends java.net.Socket {

    private final Path path;
    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private volatile int soTimeout;
    private volatile boolean closed;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    private UnixDomainSocket(Path path, SocketChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        channel.configureBlocking(false);
        this.readSelector = Selector.open();
        this.writeSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        channel.register(writeSelector, SelectionKey.OP_WRITE);
    }

    /**
     * Connects to the socket file.
     *
     * @param path the socket's path
     * @return the connected socket
     * @throws IOException when the socket is missing or refuses the connection
     */
    static UnixDomainSocket connect(Path path) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
            return new UnixDomainSocket(path, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        return out;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void setKeepAlive(boolean on) {
        // meaningless on a unix socket
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // meaningless on a unix socket
    }

    @Override
    public void setSoLinger(boolean on, int linger) {
        // meaningless on a unix socket
    }

    @Override
    public void setReuseAddress(boolean on) {
        // meaningless on a unix socket
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public void shutdownInput() throws IOException {
        inputShutdown = true;
        channel.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        outputShutdown = true;
        channel.shutdownOutput();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return UnixDomainSocketAddress.of(path);
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return null;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        readSelector.wakeup();
        writeSelector.wakeup();
        try {
            channel.close();
        } finally {
            readSelector.close();
            writeSelector.close();
        }
    }

    @Override
    public String toString() {
        return "UnixDomainSocket[" + path + (closed ? ", closed]" : "]");
    }

    private int read(ByteBuffer buf) throws IOException {
        synchronized (readLock) {
            int timeout = soTimeout;
            long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0;
            while (true) {
                if (closed) {
                    throw new SocketException("Socket is closed");
                }
                int n = channel.read(buf);
                if (n != 0) {
                    return n;
                }
                long wait = 0;
                if (timeout > 0) {
                    wait = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (wait <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                }
                readSelector.select(wait);
                readSelector.selectedKeys().clear();
            }
        }
    }

    private void write(ByteBuffer buf) throws IOException {
        synchronized (writeLock) {
            while (buf.hasRemaining()) {
                if (closed) {
                    throw new SocketException("Socket is closed");
                }
                if (channel.write(buf) == 0) {
                    writeSelector.select();
                    writeSelector.selectedKeys().clear();
                }
            }
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            return UnixDomainSocket.this.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() throws IOException {
            UnixDomainSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            UnixDomainSocket.this.write(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() throws IOException {
            UnixDomainSocket.this.close();
        }
    }
}
