package io.celeriac.backend.redis;

import io.celeriac.backend.redis.events.internal.RedisEventSource;
import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.redis.events.RedisEventDispatcher;
import io.celeriac.events.Event;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.tck.Tck;
import io.celeriac.testing.TestCertificates;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code rediss://} against private redis-servers listening on TLS only, with a CA, server and client
 * certificates generated for this run ({@link TestCertificates}).
 */
class TlsTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private static final RetryPolicy QUICK = new RetryPolicy(5, Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(50));

    private static TestCertificates pki;
    private static Path ca;
    private static Path otherCa;
    private static TestCertificates.Issued server;
    private static TestCertificates.Issued client;
    private static PrivateRedis tls;
    private static PrivateRedis mutual;

    @BeforeAll
    static void generateCertificatesAndStartServers() {
        pki = TestCertificates.create("celeriac test CA");
        ca = pki.caCertificate();
        otherCa = pki.unrelatedCa("other-ca", "some other CA").certificate();
        server = pki.server("server", "localhost", "127.0.0.1");
        // the client key as PKCS#1 ("BEGIN RSA PRIVATE KEY"), as older tools write it
        client = pki.client("client", "celeriac client", TestCertificates.KeyFormat.PKCS1);
        tls = startTls("optional");
        mutual = startTls("yes");
    }

    private static PrivateRedis startTls(String authClients) {
        int port = PrivateRedis.freePort();
        return PrivateRedis.launch(port, List.of("--port", "0", "--tls-port", Integer.toString(port), "--bind", "127.0.0.1", "127.0.0.2",
                "--tls-cert-file", server.certificate().toString(), "--tls-key-file", server.key().toString(),
                "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", authClients,
                "--save", "", "--appendonly", "no"), "ready to accept connections");
    }

    @AfterAll
    static void stop() {
        if (tls != null) {
            tls.close();
        }
        if (mutual != null) {
            mutual.close();
        }
        if (pki != null) {
            pki.close();
        }
    }

    private static String url(PrivateRedis server, String host, String query) {
        return "rediss://" + host + ":" + server.port() + "/1?" + query;
    }

    private static void roundTrip(Backend b) throws Exception {
        String id = "tls-" + System.nanoTime();
        CompletableFuture<TaskMeta> waiting = b.waitForAsync(id, Tck.timeout(Duration.ofSeconds(20)));
        b.storeResult(id, "over TLS", TaskState.SUCCESS);
        assertThat(waiting.get(Tck.timeout(Duration.ofSeconds(20)).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("over TLS");
        assertThat(b.getResult(id)).isEqualTo("over TLS");
        b.setChordSize("g-" + id, 1);
        assertThat(b.onChordPartReturn(new ChordPart("g-" + id, id, 0, TaskState.SUCCESS, 5L, null, null)).orElseThrow().results())
                .containsExactly(5L);
    }

    @Test
    void requiredCertificatesVerifiedAgainstTheGivenCa() throws Exception {
        try (Backend b = CELERIAC.openBackend(url(tls, "127.0.0.1", "ssl_cert_reqs=required&ssl_ca_certs=" + ca))) {
            roundTrip(b);
        }
        try (Backend b = CELERIAC.openBackend(url(tls, "127.0.0.1", "ssl_cert_reqs=CERT_OPTIONAL&ssl_ca_certs=" + ca
                + "&ssl_check_hostname=true"))) {
            roundTrip(b);
        }
    }

    @Test
    void eventsOverMutualTls() {
        String u = url(mutual, "127.0.0.1", "ssl_cert_reqs=required&ssl_ca_certs=" + ca + "&ssl_certfile="
                + client.certificate() + "&ssl_keyfile=" + client.key());
        try (RedisEventSource source = (RedisEventSource) CELERIAC.openEventSource(u, EventSourceOptions.defaults());
             RedisEventDispatcher d = RedisEventDispatcher.builder(BackendUrl.parse(u)).hostname("tls@test").build()) {
            List<Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            source.start(events::add);
            await().atMost(Duration.ofSeconds(20)).until(source::isSubscribed);
            d.taskStarted("tls-1");
            await().atMost(Duration.ofSeconds(20)).until(() -> events.size() == 1);
            assertThat(events.get(0).uuid()).isEqualTo("tls-1");
            assertThat(source.channelPattern()).isEqualTo("/1.celeryev/*");
        }
    }

    @Test
    void brokerOverMutualTls() throws Exception {
        io.celeriac.backend.redis.broker.RedisBrokerTransportsTest.roundTrip(url(mutual, "127.0.0.1",
                "ssl_cert_reqs=required&ssl_ca_certs=" + ca + "&ssl_certfile=" + client.certificate() + "&ssl_keyfile="
                        + client.key()));
    }

    @Test
    void aServerSignedByAnotherCaFailsClearlyAndAtOnce() {
        try (Backend b = CELERIAC.openBackend(url(tls, "127.0.0.1", "ssl_cert_reqs=required&ssl_ca_certs=" + otherCa),
                BackendOptions.builder().retryPolicy(QUICK).build())) {
            assertThatThrownBy(() -> b.storeResult("wrong-ca", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("task wrong-ca")
                    .hasMessageContaining("after 1 attempt:")
                    .cause().isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("the TLS handshake with 127.0.0.1:" + tls.port() + " failed")
                    .hasMessageContaining("check ssl_ca_certs");
            assertThatThrownBy(() -> b.getTaskMeta("wrong-ca")).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("TLS handshake");
            CompletableFuture<TaskMeta> w = b.waitForAsync("wrong-ca", Tck.timeout(Duration.ofSeconds(30)));
            assertThatThrownBy(() -> w.get(Tck.timeout(Duration.ofSeconds(10)).toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("TLS handshake");
        }
        // without ssl_ca_certs the JDK's trust store is used, which does not know the test CA either
        try (Backend b = CELERIAC.openBackend(url(tls, "127.0.0.1", "ssl_cert_reqs=required"))) {
            assertThatThrownBy(() -> b.getTaskMeta("x")).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("TLS handshake");
        }
    }

    @Test
    void aServerThatDoesNotSpeakTlsFailsWithinTheConnectTimeout() {
        // a plain redis-server reads the ClientHello as the start of a command line and waits for the rest
        try (PrivateRedis plain = PrivateRedis.start();
             Backend b = CELERIAC.openBackend("rediss://127.0.0.1:" + plain.port() + "/1?ssl_cert_reqs=required&ssl_ca_certs="
                     + ca + "&socket_connect_timeout=1", BackendOptions.builder().retryPolicy(QUICK).build())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> b.getTaskMeta("x")).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("TLS handshake")
                    .hasMessageContaining("is the server listening for TLS on this port?");
            assertThatThrownBy(() -> b.storeResult("plain", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class).hasMessageContaining("after 1 attempt:");
            // not the 120 s socket_timeout per attempt that a read would wait
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        }
    }

    @Test
    void certNoneSkipsVerification() throws Exception {
        try (Backend b = CELERIAC.openBackend(url(tls, "127.0.0.1", "ssl_cert_reqs=none"))) {
            roundTrip(b);
        }
    }

    @Test
    void hostNamesAreCheckedByDefaultWithAnExplicitOptOut() throws Exception {
        // the server's certificate names localhost and 127.0.0.1, not 127.0.0.2 (also loopback)
        for (String extra : List.of("", "&ssl_check_hostname=true")) {
            try (Backend b = CELERIAC.openBackend("rediss://127.0.0.2:" + tls.port() + "/1?ssl_cert_reqs=required&ssl_ca_certs="
                    + ca + extra, BackendOptions.builder().retryPolicy(QUICK).build())) {
                assertThatThrownBy(() -> b.getTaskMeta("x")).isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("the TLS certificate of 127.0.0.2:" + tls.port() + " does not name the host")
                        .hasMessageContaining("ssl_check_hostname=false");
                assertThatThrownBy(() -> b.storeResult("wrong-host", 1L, TaskState.SUCCESS))
                        .isInstanceOf(UnableToStoreResultException.class)
                        .hasMessageContaining("after 1 attempt:")
                        .hasMessageContaining("does not name the host");
            }
        }
        try (Backend b = CELERIAC.openBackend("rediss://127.0.0.2:" + tls.port() + "/1?ssl_cert_reqs=required&ssl_ca_certs="
                + ca + "&ssl_check_hostname=false")) {
            roundTrip(b);
        }
        try (Backend b = CELERIAC.openBackend(url(tls, "localhost", "ssl_cert_reqs=required&ssl_ca_certs=" + ca))) {
            roundTrip(b);
        }
    }

    @Test
    void clientCertificatesAreSentWhenTheServerDemandsThem() throws Exception {
        try (Backend b = CELERIAC.openBackend(url(mutual, "127.0.0.1", "ssl_cert_reqs=required&ssl_ca_certs=" + ca
                + "&ssl_certfile=" + client.certificate() + "&ssl_keyfile=" + client.key()))) {
            roundTrip(b);
        }
        try (Backend b = CELERIAC.openBackend(url(mutual, "127.0.0.1", "ssl_cert_reqs=required&ssl_ca_certs=" + ca),
                BackendOptions.builder().retryPolicy(QUICK).build())) {
            assertThatThrownBy(() -> b.storeResult("no-client-cert", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("no-client-cert")
                    // TLS 1.3: the server judges the client certificate after the handshake; usually its alert
                    // is read (a clear, permanent error), but the first write may also meet the closed socket
                    .satisfies(e -> assertThat(e.getMessage()).satisfiesAnyOf(
                            m -> assertThat(m).contains("after 1 attempt:").contains("certificate_required")
                                    .contains("check ssl_certfile and ssl_keyfile"),
                            m -> assertThat(m).contains("after 6 attempts:").contains("was lost")));
        }
    }

    @Test
    void unusablePemFilesAreRefusedWhenTheBackendOpens() throws IOException {
        Path notPem = Files.writeString(pki.dir().resolve("not-a-cert.pem"), "hello");
        assertThatThrownBy(() -> CELERIAC.openBackend(url(tls, "127.0.0.1", "ssl_cert_reqs=required&ssl_ca_certs=" + notPem
                + "&ssl_certfile=" + client.certificate() + "&ssl_keyfile=" + client.certificate())))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("2 problems")
                .hasMessageContaining("ssl_ca_certs (" + notPem + ") holds no PEM certificate")
                .hasMessageContaining("ssl_keyfile (" + client.certificate() + ") holds no private key");
    }
}
