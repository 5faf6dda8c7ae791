package io.celeriac.backend.amqp;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.ConsumeOptions;
import io.celeriac.broker.Delivery;
import io.celeriac.broker.Message;
import io.celeriac.broker.QueueSpec;
import io.celeriac.testing.PrivateRabbitMq;
import io.celeriac.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code amqps://} with Celery's {@code broker_use_ssl} settings against a private RabbitMQ node with a TLS
 * listener: the server checked against {@code ssl_ca_certs} and by name, a client certificate in PKCS#1 and
 * PKCS#8, {@code ssl_cert_reqs=none}, and the typed failures.
 */
@Timeout(300)
class AmqpTlsTest {

    private static TestCertificates pki;
    private static TestCertificates.Issued server;
    private static PrivateRabbitMq node;

    @BeforeAll
    static void startNode() {
        assumeTrue(PrivateRabbitMq.available() || "true".equalsIgnoreCase(System.getenv("CI")),
                "rabbitmq-server is not installed here, so no private node can be started");
        pki = TestCertificates.create("celeriac amqp test CA");
        server = pki.server("rabbit", "localhost", "127.0.0.1");
        node = PrivateRabbitMq.startWithTls(pki.caCertificate(), server.certificate(), server.key());
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
        if (pki != null) {
            pki.close();
        }
    }

    private static String url(String host, String query) {
        return "amqps://guest:guest@" + host + ":" + node.tlsPort() + "//?connect_timeout=5&" + query;
    }

    private static void roundTrip(String url) throws Exception {
        try (Broker b = Celeriac.discover().openBroker(url)) {
            String q = "tls-" + UUID.randomUUID();
            b.declareQueue(QueueSpec.autoDelete(q));
            BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
            b.consume(List.of(q), ConsumeOptions.noAck(), got::add);
            b.publish("", q, Message.builder().body("over tls").build());
            Delivery d = got.poll(20, TimeUnit.SECONDS);
            assertThat(d).isNotNull();
            assertThat(d.message().bodyAsString()).isEqualTo("over tls");
            assertThat(b.asUri()).startsWith("amqps://guest:**@");
        }
    }

    @Test
    void theServerIsCheckedAgainstSslCaCertsAndByName() throws Exception {
        roundTrip(url("localhost", "ssl_ca_certs=" + pki.caCertificate()));
        roundTrip(url("127.0.0.1", "ssl_cert_reqs=required&ssl_ca_certs=" + pki.caCertificate()));
    }

    @Test
    void aClientCertificateInPkcs1OrPkcs8() throws Exception {
        for (TestCertificates.KeyFormat format : TestCertificates.KeyFormat.values()) {
            TestCertificates.Issued client = pki.client("client-" + format, "celeriac client", format);
            roundTrip(url("localhost", "ssl_ca_certs=" + pki.caCertificate() + "&ssl_certfile=" + client.certificate()
                    + "&ssl_keyfile=" + client.key()));
        }
    }

    @Test
    void certReqsNoneTrustsAnyServer() throws Exception {
        roundTrip(url("127.0.0.2", "ssl_cert_reqs=none"));
    }

    @Test
    void anUntrustedOrMisnamedServerIsATypedError() throws Exception {
        TestCertificates.Issued other = pki.unrelatedCa("other", "some other CA");
        assertThatThrownBy(() -> Celeriac.discover().openBroker(url("localhost", "ssl_ca_certs=" + other.certificate())))
                .isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("TLS");
        assertThatThrownBy(() -> Celeriac.discover().openBroker(url("127.0.0.2", "ssl_ca_certs=" + pki.caCertificate())))
                .isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("TLS");
        roundTrip(url("127.0.0.2", "ssl_ca_certs=" + pki.caCertificate() + "&ssl_check_hostname=false"));
        assertThatThrownBy(() -> Celeriac.discover().openBroker(url("localhost", "ssl_ca_certs=" + server.key())))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("ssl_ca_certs");
        assertThat(Files.exists(server.key())).isTrue();
    }
}
