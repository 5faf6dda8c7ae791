package io.celeriac.backend.redis.internal;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.redis.RedisConnectionConfig;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the {@link SSLContext} of a {@code rediss://} backend from Celery's settings: the CA file
 * ({@code ssl_ca_certs}), the client certificate and key ({@code ssl_certfile}, {@code ssl_keyfile}), all
 * PEM, and {@code ssl_cert_reqs}. Only the JDK is used.
 *
 * <p>Keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY});
 * encrypted keys are refused with a clear message, since Celery cannot use them either.
 */
public final class PemTls {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");

    private PemTls() {
    }

    /**
     * Builds the context.
     *
     * @param config a TLS configuration
     * @param maskedUrl the backend's masked URL, for messages
     * @return the context
     * @throws InvalidConfigurationException listing every problem with the PEM files
     */
    public static SSLContext context(RedisConnectionConfig config, String maskedUrl) {
        List<String> problems = new ArrayList<>();
        TrustManager[] trust = null;
        KeyManager[] keys = null;
        try {
            if (config.certRequirement() == RedisConnectionConfig.CertRequirement.NONE) {
                trust = new TrustManager[]{new TrustEverything()};
            } else if (config.caCerts() != null) {
                List<X509Certificate> cas = certificates(config.caCerts(), "ssl_ca_certs", problems);
                if (!cas.isEmpty()) {
                    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                    ks.load(null, null);
                    for (int i = 0; i < cas.size(); i++) {
                        ks.setCertificateEntry("ca-" + i, cas.get(i));
                    }
                    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(ks);
                    trust = tmf.getTrustManagers();
                }
            }
            if (config.certFile() != null) {
                List<X509Certificate> chain = certificates(config.certFile(), "ssl_certfile", problems);
                Path keyPath = config.keyFile() != null ? config.keyFile() : config.certFile();
                PrivateKey key = privateKey(keyPath, config.keyFile() != null ? "ssl_keyfile" : "ssl_certfile", problems);
                if (!chain.isEmpty() && key != null) {
                    char[] pw = new char[0];
                    KeyStore ks = KeyStore.getInstance("PKCS12");
                    ks.load(null, null);
                    ks.setKeyEntry("client", key, pw, chain.toArray(new Certificate[0]));
                    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    kmf.init(ks, pw);
                    keys = kmf.getKeyManagers();
                }
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("Invalid TLS settings for " + maskedUrl, problems);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            problems.add("the TLS material could not be loaded: " + e);
            throw new InvalidConfigurationException("Invalid TLS settings for " + maskedUrl, problems);
        }
    }

    private static String read(Path file, String setting, List<String> problems) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            problems.add(setting + " (" + file + ") cannot be read: " + e);
            return null;
        }
    }

    private static List<X509Certificate> certificates(Path file, String setting, List<String> problems) {
        String text = read(file, setting, problems);
        List<X509Certificate> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        ByteArrayOutputStream der = new ByteArrayOutputStream();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE") || m.group(1).equals("TRUSTED CERTIFICATE")) {
                byte[] b = ("-----BEGIN CERTIFICATE-----\n" + m.group(2).strip() + "\n-----END CERTIFICATE-----\n")
                        .getBytes(StandardCharsets.US_ASCII);
                der.writeBytes(b);
            }
        }
        if (der.size() == 0) {
            problems.add(setting + " (" + file + ") holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            return out;
        }
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(der.toByteArray()));
            for (Certificate c : certs) {
                out.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException e) {
            problems.add(setting + " (" + file + ") holds a certificate that cannot be parsed: " + e.getMessage());
        }
        return out;
    }

    private static PrivateKey privateKey(Path file, String setting, List<String> problems) {
        String text = read(file, setting, problems);
        if (text == null) {
            return null;
        }
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                problems.add(setting + " (" + file + ") holds a malformed " + type + " block");
                return null;
            }
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(der, file, setting, problems);
                case "RSA PRIVATE KEY":
                    if (text.contains("Proc-Type: 4,ENCRYPTED")) {
                        problems.add(setting + " (" + file + ") holds an encrypted key; give an unencrypted one "
                                + "(openssl pkcs8 -topk8 -nocrypt -in key.pem -out plain.pem)");
                        return null;
                    }
                    return pkcs8(wrapPkcs1Rsa(der), file, setting, problems);
                case "ENCRYPTED PRIVATE KEY":
                    problems.add(setting + " (" + file + ") holds an encrypted key; give an unencrypted one "
                            + "(openssl pkcs8 -topk8 -nocrypt -in key.pem -out plain.pem)");
                    return null;
                case "EC PRIVATE KEY":
                    problems.add(setting + " (" + file + ") holds a SEC1 EC key; convert it to PKCS#8 "
                            + "(openssl pkcs8 -topk8 -nocrypt -in key.pem -out key8.pem)");
                    return null;
                default:
                    // certificates or parameters next to the key: keep looking
            }
        }
        problems.add(setting + " (" + file + ") holds no private key (-----BEGIN PRIVATE KEY-----)"
                + (setting.equals("ssl_certfile") ? "; give the key with ssl_keyfile" : ""));
        return null;
    }

    private static PrivateKey pkcs8(byte[] der, Path file, String setting, List<String> problems) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        problems.add(setting + " (" + file + ") holds a private key of an unsupported type");
        return null;
    }

    /**
     * Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo.
     *
     * @param pkcs1 the DER of the PKCS#1 key
     * @return the DER of the PKCS#8 key
     */
    static byte[] wrapPkcs1Rsa(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] octets = tlv(0x04, pkcs1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(algorithm);
        body.writeBytes(octets);
        return tlv(0x30, body.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int len = value.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    /** {@code ssl_cert_reqs=none}: accepts any server certificate. */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

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
