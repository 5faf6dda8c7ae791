package io.celeriac.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A certificate authority of a test's own and the certificates it issues, made with the installed
 * {@code openssl} and written as PEM files (RSA 2048, valid for two days, keys unencrypted) in a temporary
 * directory that {@link #close()} deletes.
 *
 * <pre>{@code
 * try (TestCertificates pki = TestCertificates.create("my test CA")) {
 *     TestCertificates.Issued server = pki.server("server", "localhost", "127.0.0.1");
 *     TestCertificates.Issued client = pki.client("client", "my client", TestCertificates.KeyFormat.PKCS8);
 *     Path untrusted = pki.unrelatedCa("other-ca", "some other CA").certificate();
 *     // server.certificate(), server.key(), pki.caCertificate() ...
 * }
 * }</pre>
 *
 * <p>Each file is named after the {@code name} given ({@code <name>.crt}, {@code <name>.key}); the CA's
 * are {@code ca.crt} and {@code ca.key}. Not thread-safe: one test class drives it.
 */
public final class TestCertificates implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final String DAYS = "2";
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

    /** How a private key is written. */
    public enum KeyFormat {
        /** PKCS#8, {@code BEGIN PRIVATE KEY}: what current tools write. */
        PKCS8,
        /** PKCS#1, {@code BEGIN RSA PRIVATE KEY}: what older tools wrote (OpenSSL's "traditional" form). */
        PKCS1
    }

    /**
     * A certificate and its private key.
     *
     * @param certificate the certificate (PEM)
     * @param key its unencrypted private key (PEM)
     */
    public record Issued(Path certificate, Path key) {
        /**
         * Checks the paths.
         *
         * @param certificate the certificate
         * @param key the key
         */
        public Issued {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }
    }

    private final Path dir;
    private final Issued ca;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.ca = new Issued(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    }

    /**
     * Makes a new, self-signed certificate authority in a fresh temporary directory.
     *
     * @param commonName the CA's common name
     * @return the authority; close it to delete its files
     * @throws IllegalStateException when {@code openssl} fails or is missing
     */
    public static TestCertificates create(String commonName) {
        Path dir;
        try {
            dir = Files.createTempDirectory("celeriac-pki-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates pki = new TestCertificates(dir);
        try {
            pki.selfSigned("ca", commonName);
            return pki;
        } catch (RuntimeException e) {
            pki.close();
            throw e;
        }
    }

    /** @return the directory that holds every file */
    public Path dir() {
        return dir;
    }

    /** @return the CA's certificate, to trust (PEM) */
    public Path caCertificate() {
        return ca.certificate();
    }

    /**
     * A server certificate signed by this CA. Its common name is the first name; every name goes into its
     * subject alternative names, as an IP address when it is an IPv4 or IPv6 literal, else as a DNS name.
     *
     * @param name the base name of its files
     * @param hostNamesOrIps the host names and IP addresses it is valid for (at least one)
     * @return the certificate and its key (PKCS#8)
     */
    public Issued server(String name, String... hostNamesOrIps) {
        if (hostNamesOrIps.length == 0) {
            throw new IllegalArgumentException("a server certificate names at least one host");
        }
        List<String> alt = new ArrayList<>();
        for (String h : hostNamesOrIps) {
            alt.add((IP_LITERAL.matcher(h).matches() ? "IP:" : "DNS:") + h);
        }
        Issued issued = files(name);
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", issued.key().toString(), "-out", name + ".csr",
                "-subj", subject(hostNamesOrIps[0]));
        sign(name, "subjectAltName=" + String.join(",", alt));
        return issued;
    }

    /**
     * A client certificate signed by this CA, for mutual TLS (extended key usage {@code clientAuth}).
     *
     * @param name the base name of its files
     * @param commonName its common name
     * @param keyFormat how its key is written
     * @return the certificate and its key
     */
    public Issued client(String name, String commonName, KeyFormat keyFormat) {
        Issued issued = files(name);
        if (keyFormat == KeyFormat.PKCS1) {
            openssl("genrsa", "-traditional", "-out", issued.key().toString(), "2048");
        } else {
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", issued.key().toString());
        }
        openssl("req", "-new", "-key", issued.key().toString(), "-out", name + ".csr", "-subj", subject(commonName));
        sign(name, "extendedKeyUsage=clientAuth");
        return issued;
    }

    /**
     * Another self-signed authority, unrelated to this one: trusting it instead of {@link #caCertificate()}
     * makes every certificate this CA issued fail verification.
     *
     * @param name the base name of its files
     * @param commonName its common name
     * @return its certificate and key
     */
    public Issued unrelatedCa(String name, String commonName) {
        if ("ca".equals(name)) {
            throw new IllegalArgumentException("'ca' is this authority's own name");
        }
        return selfSigned(name, commonName);
    }

    private Issued selfSigned(String name, String commonName) {
        Issued issued = files(name);
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", issued.key().toString(),
                "-out", issued.certificate().toString(), "-days", DAYS, "-subj", subject(commonName));
        return issued;
    }

    private void sign(String name, String extensions) {
        Path ext = dir.resolve(name + ".ext");
        try {
            Files.writeString(ext, extensions + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca.certificate().toString(), "-CAkey", ca.key().toString(),
                "-CAcreateserial", "-out", dir.resolve(name + ".crt").toString(), "-days", DAYS, "-extfile", ext.toString());
    }

    private Issued files(String name) {
        if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw new IllegalArgumentException("a file base name is letters, digits, '.', '_' and '-': " + name);
        }
        return new Issued(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    }

    private static String subject(String commonName) {
        // '/' and '\' would end or escape the RDN in openssl's -subj syntax
        return "/CN=" + commonName.replace("\\", "\\\\").replace("/", "\\/");
    }

    private void openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Processes.run(cmd, dir, COMMAND_TIMEOUT);
    }

    /** Deletes the directory and every key and certificate in it. */
    @Override
    public void close() {
        Processes.deleteTree(dir);
    }
}
