package io.celeriac.backend.amqp.internal;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.amqp.AmqpConnectionConfig;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds amqp-client's {@link ConnectionFactory} and address list from an {@link AmqpConnectionConfig}: credentials,
 * virtual host, heartbeat, timeouts, automatic connection and topology recovery, TLS from PEM files, and threads
 * named {@code celeriac-amqp-*}.
 */
public final class AmqpConnections {

    /** The prefix of every thread the AMQP module starts. */
    public static final String THREAD_PREFIX = "celeriac-amqp-";

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private AmqpConnections() {
    }

    /**
     * A factory for the configuration.
     *
     * @param c the configuration
     * @param consumerExecutor the executor that runs consumer callbacks
     * @param threadName what the connection's own threads are named after ({@code celeriac-amqp-<name>-N})
     * @return the factory
     * @throws InvalidConfigurationException when a TLS file cannot be used
     */
    public static ConnectionFactory factory(AmqpConnectionConfig c, ExecutorService consumerExecutor, String threadName) {
        ConnectionFactory f = new ConnectionFactory();
        f.setUsername(c.user());
        f.setPassword(c.password() == null ? "" : c.password());
        f.setVirtualHost(c.virtualHost());
        f.setRequestedHeartbeat((int) Math.min(65_535, c.heartbeat().toSeconds()));
        int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, c.connectTimeout().toMillis()));
        f.setConnectionTimeout(timeout);
        f.setHandshakeTimeout(timeout);
        f.setShutdownTimeout(timeout);
        f.setChannelRpcTimeout((int) Math.max(30_000, timeout));
        f.setAutomaticRecoveryEnabled(true);
        f.setTopologyRecoveryEnabled(true);
        f.setNetworkRecoveryInterval(c.recoveryInterval().toMillis());
        f.setThreadFactory(threads(threadName));
        if (consumerExecutor != null) {
            f.setSharedExecutor(consumerExecutor);
        }
        if (c.externalLogin()) {
            f.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        }
        if (c.tls()) {
            f.useSslProtocol(sslContext(c));
            if (c.checkHostname()) {
                f.enableHostnameVerification();
            }
        }
        return f;
    }

    /**
     * The addresses to connect to, tried in the configured order.
     *
     * @param c the configuration
     * @return the resolver
     */
    public static AddressResolver addresses(AmqpConnectionConfig c) {
        List<Address> list = new ArrayList<>();
        for (AmqpConnectionConfig.Endpoint e : c.endpoints()) {
            String host = e.host();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            list.add(new Address(host, e.port()));
        }
        List<Address> fixed = List.copyOf(list);
        boolean shuffle = c.failoverStrategy() == AmqpConnectionConfig.FailoverStrategy.SHUFFLE;
        return new AddressResolver() {
            @Override
            public List<Address> getAddresses() {
                return fixed;
            }

            @Override
            public List<Address> maybeShuffle(List<Address> input) {
                return shuffle ? AddressResolver.super.maybeShuffle(input) : input;
            }
        };
    }

    /**
     * A thread factory naming threads {@code celeriac-amqp-<name>-N}, as daemons.
     *
     * @param name the middle part
     * @return the factory
     */
    public static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, THREAD_PREFIX + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static SSLContext sslContext(AmqpConnectionConfig c) {
        String heading = "Cannot set up TLS for " + c.masked();
        try {
            TrustManager[] trust;
            if (c.certReqs() == AmqpConnectionConfig.CertReqs.NONE) {
                trust = new TrustManager[] {new TrustAll()};
            } else if (c.caCerts() != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                int i = 0;
                for (Certificate cert : certificates(c.caCerts())) {
                    ks.setCertificateEntry("ca-" + (i++), cert);
                }
                if (i == 0) {
                    throw new InvalidConfigurationException(heading, List.of("ssl_ca_certs holds no PEM certificate"));
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                trust = tmf.getTrustManagers();
            } else {
                trust = null;
            }
            javax.net.ssl.KeyManager[] keys = null;
            if (c.certFile() != null && c.keyFile() != null) {
                Collection<? extends Certificate> chain = certificates(c.certFile());
                if (chain.isEmpty()) {
                    throw new InvalidConfigurationException(heading, List.of("ssl_certfile holds no PEM certificate"));
                }
                PrivateKey key = privateKey(c.keyFile(), heading);
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] pw = new char[0];
                ks.setKeyEntry("client", key, pw, chain.toArray(new Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
                keys = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidConfigurationException(heading, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static PrivateKey privateKey(Path file, String heading) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String kind = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            byte[] pkcs8;
            if (kind.equals("PRIVATE KEY")) {
                pkcs8 = der;
            } else if (kind.equals("RSA PRIVATE KEY")) {
                pkcs8 = wrapRsa(der);
            } else if (kind.endsWith("PRIVATE KEY")) {
                throw new InvalidConfigurationException(heading, List.of("ssl_keyfile holds a " + kind
                        + "; give an unencrypted PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 RSA key"
                        + " (openssl pkcs8 -topk8 -nocrypt converts one)"));
            } else {
                continue;
            }
            for (String alg : List.of("RSA", "EC", "Ed25519", "DSA")) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                } catch (GeneralSecurityException e) {
                    // try the next algorithm
                }
            }
            throw new InvalidConfigurationException(heading, List.of("ssl_keyfile holds a key of no known algorithm"));
        }
        throw new InvalidConfigurationException(heading, List.of("ssl_keyfile holds no PEM private key"));
    }

    /** Wraps a PKCS#1 RSA key in a PKCS#8 structure. */
    private static byte[] wrapRsa(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        body.writeBytes(derHeader(0x04, pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(derHeader(0x30, body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        if (length < 0x100) {
            return new byte[] {(byte) tag, (byte) 0x81, (byte) length};
        }
        if (length < 0x10000) {
            return new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return new byte[] {(byte) tag, (byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
    }

    /** Python's {@code CERT_NONE}: every server certificate is accepted. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
