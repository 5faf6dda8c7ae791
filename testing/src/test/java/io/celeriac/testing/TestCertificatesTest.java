package io.celeriac.testing;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestCertificatesTest {

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void issuesServerAndClientCertificatesSignedByItsCa() throws Exception {
        Path dir;
        try (TestCertificates pki = TestCertificates.create("a test CA")) {
            dir = pki.dir();
            X509Certificate ca = read(pki.caCertificate());
            assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=a test CA");

            TestCertificates.Issued server = pki.server("server", "localhost", "127.0.0.1");
            X509Certificate s = read(server.certificate());
            s.verify(ca.getPublicKey());
            assertThat(s.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
            // type 2 is a DNS name, 7 an IP address
            assertThat(s.getSubjectAlternativeNames()).containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
            assertThat(Files.readString(server.key())).startsWith("-----BEGIN PRIVATE KEY-----");

            TestCertificates.Issued client = pki.client("client", "a client", TestCertificates.KeyFormat.PKCS1);
            X509Certificate c = read(client.certificate());
            c.verify(ca.getPublicKey());
            assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
            assertThat(Files.readString(client.key())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
            TestCertificates.Issued client8 = pki.client("client8", "another client", TestCertificates.KeyFormat.PKCS8);
            assertThat(Files.readString(client8.key())).startsWith("-----BEGIN PRIVATE KEY-----");

            X509Certificate other = read(pki.unrelatedCa("other-ca", "another CA").certificate());
            assertThatThrownBy(() -> s.verify(other.getPublicKey())).isInstanceOf(SignatureException.class);
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void refusesFileNamesOutsideItsDirectory() {
        try (TestCertificates pki = TestCertificates.create("a test CA")) {
            assertThatThrownBy(() -> pki.server("../escape", "localhost")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> pki.unrelatedCa("ca", "x")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> pki.server("s")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
