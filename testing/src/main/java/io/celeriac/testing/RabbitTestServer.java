package io.celeriac.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The RabbitMQ server tests use (found by {@link TestServices#rabbitmq()}): its address and guest-like credentials,
 * broker URLs for a virtual host, and private virtual hosts made with the local {@code rabbitmqctl} when the
 * server is the machine's own.
 */
public final class RabbitTestServer {

    private static final String CTL = "/usr/sbin/rabbitmqctl";

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final ServiceResolver.Source source;

    private RabbitTestServer(String host, int port, String user, String password, ServiceResolver.Source source) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.source = source;
    }

    static RabbitTestServer fromUrl(String url, ServiceResolver.Source source) {
        URI u = URI.create(url.replaceFirst("^[a-z]+://", "http://"));
        String user = "guest";
        String password = "guest";
        if (u.getRawUserInfo() != null) {
            String[] up = u.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(up[0], StandardCharsets.UTF_8);
            password = up.length > 1 ? URLDecoder.decode(up[1], StandardCharsets.UTF_8) : null;
        }
        return new RabbitTestServer(u.getHost(), u.getPort() < 0 ? 5672 : u.getPort(), user, password, source);
    }

    /**
     * Whether an AMQP 0-9-1 server answers at an address (it answers the protocol header with connection.start).
     *
     * @param host the host
     * @param port the port
     * @return {@code true} when it does
     */
    static boolean answers(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
            out.flush();
            InputStream in = s.getInputStream();
            return in.read() == 1; // a method frame
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the host */
    public String host() {
        return host;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return where it came from */
    public ServiceResolver.Source source() {
        return source;
    }

    /**
     * The broker URL of the default virtual host {@code /}, as Celery writes it.
     *
     * @return {@code amqp://user:password@host:port//}
     */
    public String url() {
        return url("/");
    }

    /**
     * The broker URL of a virtual host.
     *
     * @param vhost the virtual host
     * @return the URL
     */
    public String url(String vhost) {
        String auth = enc(user) + (password == null ? "" : ":" + enc(password)) + "@";
        return "amqp://" + auth + host + ":" + port + "/" + enc(vhost);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Whether private virtual hosts can be made: the server is the machine's own and {@code rabbitmqctl} is here.
     *
     * @return whether {@link #createVhost()} works
     */
    public boolean canCreateVhosts() {
        return source == ServiceResolver.Source.LOOPBACK && Files.isExecutable(Path.of(CTL));
    }

    /**
     * Makes a virtual host of the test's own, with full permissions for the user; delete it when done.
     *
     * @return the virtual host
     * @throws IllegalStateException when {@code rabbitmqctl} fails
     */
    public Vhost createVhost() {
        String name = "celeriac-test-" + UUID.randomUUID();
        Processes.run(List.of(CTL, "add_vhost", name), null, Duration.ofSeconds(60));
        Processes.run(List.of(CTL, "set_permissions", "-p", name, user, ".*", ".*", ".*"), null, Duration.ofSeconds(60));
        return new Vhost(name);
    }

    /** A private virtual host; closing it deletes it. */
    public final class Vhost implements AutoCloseable {
        private final String name;

        private Vhost(String name) {
            this.name = name;
        }

        /** @return its name */
        public String name() {
            return name;
        }

        /** @return its broker URL */
        public String url() {
            return RabbitTestServer.this.url(name);
        }

        @Override
        public void close() {
            Processes.run(List.of(CTL, "delete_vhost", name), null, Duration.ofSeconds(60));
        }
    }

    @Override
    public String toString() {
        return "RabbitMQ at " + host + ":" + port + " (" + source + ")";
    }
}
